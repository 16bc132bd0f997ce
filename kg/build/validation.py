"""Validation of a built graph: SHACL shapes per source graph, then the QC queries."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib

from kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, compact
from kg.query.catalog import StoredQuery
from kg.store.embedded import EmbeddedStore, Store
from kg.store.interop import to_rdflib_graph
from kg.store.results import QueryResult, display

if TYPE_CHECKING:
    from kg.query.graph import KnowledgeGraph

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def shacl_problems(store: Store, shapes_path: Path) -> list[str]:
    """pyshacl on each source graph: the reference the compiled shapes are tested against."""
    from pyshacl import validate

    shapes = rdflib.Graph().parse(shapes_path, format="turtle")
    ontology = to_rdflib_graph(store.quads(ONTOLOGY_GRAPH))
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in store.quads():
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in (ONTOLOGY_GRAPH, INFERRED_GRAPH):
            by_graph[q.graph_name.value].append(q)
    problems: list[str] = []
    for graph_name in sorted(by_graph):
        data = to_rdflib_graph(by_graph[graph_name])
        conforms, report, _ = validate(
            data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True
        )
        if conforms:
            continue
        assert isinstance(report, rdflib.Graph)
        for result in sorted(report.subjects(rdflib.RDF.type, SH.ValidationResult), key=str):
            focus = report.value(result, SH.focusNode)
            path = report.value(result, SH.resultPath)
            message = report.value(result, SH.resultMessage)
            problems.append(
                f"{compact(graph_name)}: {compact(str(focus))} {compact(str(path)) if path else ''}: {message}"
            )
    return problems


def compiled_shacl_problems(store: Store, shapes_path: Path, *, graphs: list[str] | None = None) -> list[str]:
    """The shapes as SPARQL (see kg.build.shacl), one query per shape, over the whole store or `graphs`."""
    from kg.build.shacl import compile_shapes

    problems = []
    for shape in compile_shapes(shapes_path):
        result = store.select(shape.query, {}, graphs=graphs)
        focus_at = result.variables.index("focus")
        columns = [result.variables.index(f"c{i}") for i in range(len(shape.checks))]
        for row in result.rows:
            focus = row[focus_at]
            for check, column in zip(shape.checks, columns, strict=True):
                fails = row[column]
                if fails is not None and fails.value == "true":  # type: ignore[union-attr]
                    problems.append(
                        f"{compact(str(focus.value)) if focus else '?'} {compact(check.path)}: "  # type: ignore[union-attr]
                        f"violates sh:{check.constraint} of {compact(check.shape)}"
                    )
    return sorted(problems)


def validate_graph(graph: KnowledgeGraph, shapes_path: Path, *, graphs: list[str] | None = None) -> list[str]:
    """Every SHACL violation (within `graphs`, default all) and every QC row; empty when the graph is valid."""
    problems = compiled_shacl_problems(graph.store, shapes_path, graphs=graphs)
    qc = {}
    store = graph.store
    for q in graph.stored_queries(include_qc=True):
        if not q.name.startswith("qc/"):
            continue
        scope = q.extra.get("scope") if graphs is not None else None
        if scope == "per-source":  # looks inside one source graph at a time
            qc[q.name] = store.select(q.text, {}, graphs=graphs)
        elif scope == "from-sources" and isinstance(store, EmbeddedStore):
            # what the GRAPH patterns find in `graphs`, checked against the whole store
            qc[q.name] = store.select(q.text, {}, graphs=graphs, named_only=True)
        else:  # compares graphs with each other: always the whole store
            qc[q.name] = graph.query(q.name)
    return problems + qc_problems(qc, graph.catalog)


def qc_problems(results: dict[str, QueryResult], catalog: dict[str, StoredQuery]) -> list[str]:
    """Each row a QC query returns is one problem, described by the query's summary."""
    problems = []
    for name in sorted(results):
        for row in results[name].rows:
            cells = ", ".join(f"{v}={display(t)}" for v, t in zip(results[name].variables, row, strict=True))
            problems.append(f"{name} ({catalog[name].summary}): {cells}")
    return problems
