"""SHACL shapes compiled to SPARQL and run on the store: validation that scales with the engine.

Covers the constraints `ontology/shapes.ttl` uses (targetClass, targetSubjectsOf; minCount,
maxCount, datatype, class, nodeKind IRI, hasValue, minInclusive, maxInclusive). Class membership
follows the materialised subclass closure. A test checks that the violations found are exactly
those pyshacl finds, on the real data and on broken data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import RDF, Namespace

from kg.errors import OntologyError

SH = Namespace("http://www.w3.org/ns/shacl#")
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
    query: str


def _target(graph: rdflib.Graph, shape: rdflib.term.Node) -> str:
    parts = [
        f"{{ ?focus a/<http://www.w3.org/2000/01/rdf-schema#subClassOf> <{c}> }}"
        for c in graph.objects(shape, SH.targetClass)
    ]
    parts += [f"{{ ?focus <{p}> ?target_object }}" for p in graph.objects(shape, SH.targetSubjectsOf)]
    if not parts:
        raise OntologyError(f"shape {shape} has no target this compiler understands")
    return "SELECT DISTINCT ?focus WHERE { " + " UNION ".join(parts) + " }"


def _term(node: rdflib.term.Node) -> str:
    return node.n3()


def compile_shapes(path: Path) -> list[Check]:
    graph = rdflib.Graph().parse(path, format="turtle")
    checks: list[Check] = []
    for shape in sorted(graph.subjects(RDF.type, SH.NodeShape), key=str):
        target = _target(graph, shape)
        for prop in sorted(graph.objects(shape, SH.property), key=lambda n: str(graph.value(n, SH.path))):
            unsupported = {p for p in graph.predicates(prop) if p not in SUPPORTED}
            if unsupported:
                raise OntologyError(
                    f"{path}: {shape} uses {', '.join(map(str, unsupported))}, which compile_shapes does not support"
                )
            p = _term(graph.value(prop, SH.path))  # type: ignore[arg-type]
            focus = f"{{ {target} }}"
            for constraint, value in graph.predicate_objects(prop):
                if constraint == SH.path:
                    continue
                v = _term(value)
                if constraint == SH.minCount:
                    q = (
                        f"SELECT ?focus WHERE {{ {focus} OPTIONAL {{ ?focus {p} ?v }} }} "
                        f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) < {value})"
                    )
                elif constraint == SH.maxCount:
                    q = (
                        f"SELECT ?focus WHERE {{ {focus} ?focus {p} ?v }} "
                        f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {value})"
                    )
                elif constraint == SH.datatype:
                    q = (
                        f"SELECT DISTINCT ?focus WHERE {{ {focus} ?focus {p} ?v "
                        f"FILTER(!isLiteral(?v) || DATATYPE(?v) != {v}) }}"
                    )
                elif constraint == SH["class"]:
                    q = (
                        f"SELECT DISTINCT ?focus WHERE {{ {focus} ?focus {p} ?v "
                        f"FILTER NOT EXISTS {{ ?v a/<http://www.w3.org/2000/01/rdf-schema#subClassOf> {v} }} }}"
                    )
                elif constraint == SH.nodeKind:
                    if value != SH.IRI:
                        raise OntologyError(f"{path}: only sh:nodeKind sh:IRI is supported")
                    q = f"SELECT DISTINCT ?focus WHERE {{ {focus} ?focus {p} ?v FILTER(!isIRI(?v)) }}"
                elif constraint == SH.hasValue:
                    q = f"SELECT DISTINCT ?focus WHERE {{ {focus} FILTER NOT EXISTS {{ ?focus {p} {v} }} }}"
                elif constraint == SH.minInclusive:
                    q = f"SELECT DISTINCT ?focus WHERE {{ {focus} ?focus {p} ?v FILTER(!(?v >= {v})) }}"
                else:  # maxInclusive
                    q = f"SELECT DISTINCT ?focus WHERE {{ {focus} ?focus {p} ?v FILTER(!(?v <= {v})) }}"
                checks.append(Check(str(shape), str(graph.value(prop, SH.path)), str(constraint).rsplit("#", 1)[-1], q))
    return checks
