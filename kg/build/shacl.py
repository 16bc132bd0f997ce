"""SHACL shapes compiled to SPARQL and run on the store: validation that scales with the engine.

Covers the constraints `ontology/shapes.ttl` uses (targetClass, targetSubjectsOf; minCount,
maxCount, datatype, class, nodeKind IRI, hasValue, minInclusive, maxInclusive). Class membership
follows the materialised subclass closure. A test checks that the violations found are exactly
those pyshacl finds, on the real data and on broken data.

Each shape becomes one query: its focus nodes are found once, and every constraint is a boolean
column (an EXISTS test per focus node), so the cost grows with the focus nodes, not with focus
nodes times constraints. Counts other than 0 and 1 need a GROUP BY and get a query of their own, and
so does sh:class, as a join with MINUS rather than a test per value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import RDF, Namespace

from kg.errors import OntologyError

SH = Namespace("http://www.w3.org/ns/shacl#")
SUBCLASS_OF = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
SUPPORTED = {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH["class"],
    SH.nodeKind,
    SH.hasValue,
    SH.minInclusive,
    SH.maxInclusive,
}


@dataclass(frozen=True)
class Check:
    shape: str
    path: str
    constraint: str


@dataclass(frozen=True)
class ShapeQuery:
    """SELECT ?focus ?c0 ?c1 ...: one row per focus node that violates something; a true ?cN means checks[N] fails."""

    query: str
    checks: list[Check]


def _target(graph: rdflib.Graph, shape: rdflib.term.Node) -> str:
    parts = [f"{{ ?focus a/{SUBCLASS_OF} <{c}> }}" for c in graph.objects(shape, SH.targetClass)]
    parts += [f"{{ ?focus <{p}> ?target_object }}" for p in graph.objects(shape, SH.targetSubjectsOf)]
    if not parts:
        raise OntologyError(f"shape {shape} has no target this compiler understands")
    return "{ SELECT DISTINCT ?focus WHERE { " + " UNION ".join(parts) + " } }"


def _violation(constraint: rdflib.term.Node, p: str, value: rdflib.term.Node, path: Path) -> str | None:
    """A per-focus boolean that is true when the constraint fails; None when it needs a query of its own."""
    v = value.n3()
    if constraint == SH.minCount:
        if int(value) == 0:  # type: ignore[call-overload]
            return "false"
        return f"NOT EXISTS {{ ?focus {p} ?v }}" if int(value) == 1 else None  # type: ignore[call-overload]
    if constraint == SH.maxCount:
        if int(value) == 0:  # type: ignore[call-overload]
            return f"EXISTS {{ ?focus {p} ?v }}"
        return f"EXISTS {{ ?focus {p} ?v, ?w FILTER(!sameTerm(?v, ?w)) }}" if int(value) == 1 else None  # type: ignore[call-overload]
    if constraint == SH.datatype:
        return f"EXISTS {{ ?focus {p} ?v FILTER(!isLiteral(?v) || DATATYPE(?v) != {v}) }}"
    if constraint == SH["class"]:
        return None  # a query of its own (see _classed)
    if constraint == SH.nodeKind:
        if value != SH.IRI:
            raise OntologyError(f"{path}: only sh:nodeKind sh:IRI is supported")
        return f"EXISTS {{ ?focus {p} ?v FILTER(!isIRI(?v)) }}"
    if constraint == SH.hasValue:
        return f"NOT EXISTS {{ ?focus {p} {v} }}"
    if constraint == SH.minInclusive:
        return f"EXISTS {{ ?focus {p} ?v FILTER(!(?v >= {v})) }}"
    return f"EXISTS {{ ?focus {p} ?v FILTER(!(?v <= {v})) }}"  # maxInclusive


def _counted(target: str, constraint: rdflib.term.Node, p: str, value: rdflib.term.Node) -> str:
    if constraint == SH.minCount:
        body = f"{target} OPTIONAL {{ ?focus {p} ?v }}"
        having = f"COUNT(DISTINCT ?v) < {value}"
    else:
        body = f"{target} ?focus {p} ?v"
        having = f"COUNT(DISTINCT ?v) > {value}"
    return f"SELECT ?focus (true AS ?c0) WHERE {{ {body} }} GROUP BY ?focus HAVING ({having})"


def _classed(target: str, p: str, value: rdflib.term.Node) -> str:
    # Every value's class tested at once, as a join: EXISTS with a nested NOT EXISTS ran once per
    # value, and was two thirds of a build's validation.
    body = f"{target} ?focus {p} ?v MINUS {{ ?v a/{SUBCLASS_OF} {value.n3()} }}"
    return f"SELECT DISTINCT ?focus (true AS ?c0) WHERE {{ {body} }}"


def compile_shapes(path: Path) -> list[ShapeQuery]:
    graph = rdflib.Graph().parse(path, format="turtle")
    compiled: list[ShapeQuery] = []
    for shape in sorted(graph.subjects(RDF.type, SH.NodeShape), key=str):
        target = _target(graph, shape)
        columns: list[tuple[Check, str]] = []
        for prop in sorted(graph.objects(shape, SH.property), key=lambda n: str(graph.value(n, SH.path))):
            unsupported = {p for p in graph.predicates(prop) if p not in SUPPORTED}
            if unsupported:
                raise OntologyError(
                    f"{path}: {shape} uses {', '.join(map(str, unsupported))}, which compile_shapes does not support"
                )
            prop_path = graph.value(prop, SH.path)
            p = prop_path.n3()  # type: ignore[union-attr]
            for constraint, value in sorted(graph.predicate_objects(prop), key=lambda pair: str(pair[0])):
                if constraint == SH.path:
                    continue
                check = Check(str(shape), str(prop_path), str(constraint).rsplit("#", 1)[-1])
                test = _violation(constraint, p, value, path)
                if constraint == SH["class"]:
                    compiled.append(ShapeQuery(_classed(target, p, value), [check]))
                elif test is None:
                    compiled.append(ShapeQuery(_counted(target, constraint, p, value), [check]))
                else:
                    columns.append((check, test))
        if columns:
            binds = " ".join(f"BIND({test} AS ?c{i})" for i, (_, test) in enumerate(columns))
            any_fails = " || ".join(f"?c{i}" for i in range(len(columns)))
            query = f"SELECT * WHERE {{ {target} {binds} FILTER({any_fails}) }}"
            compiled.append(ShapeQuery(query, [check for check, _ in columns]))
    return compiled
