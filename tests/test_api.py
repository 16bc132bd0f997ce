"""The Python API a notebook user sees."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
import rdflib

import kg
from kg import KnowledgeGraph, QueryResult, build
from kg.store.disk import write_store
from tests.conftest import PROJECT, SEED


def test_public_names() -> None:
    for name in ("KnowledgeGraph", "build", "StoredQuery", "KGError", "RecordError", "QueryResult"):
        assert name in kg.__all__ and hasattr(kg, name)


def test_query_by_name_with_keyword_parameters(graph: KnowledgeGraph) -> None:
    result = graph.query("groups-at-site", site="vskg:FemoralVein", sources=SEED)
    assert isinstance(result, QueryResult)
    assert sorted(str(v) for v in result.column("source_label")) == [
        "Aalaoui et al. (2026)",
        "Hong et al. (2016)",
        "Narayanan et al. (2019)",
    ]
    by_iri = graph.query("groups-at-site", site="https://w3id.org/vskg/ontology#FemoralVein", sources=SEED)
    assert by_iri.rows == result.rows


def test_raw_sparql_select_ask_construct(graph: KnowledgeGraph) -> None:
    select = graph.sparql("SELECT ?s WHERE { ?s a vskg:Source } ORDER BY ?s")
    assert isinstance(select, QueryResult) and len(select) == len(list(PROJECT.data.glob("*.yaml")))
    assert graph.sparql("ASK { ?x vskg:gradeValue 2 }") is True
    triples = graph.sparql("CONSTRUCT { ?s a vskg:Case } WHERE { ?s a vskg:Case }")
    cases = graph.sparql("SELECT (COUNT(?s) AS ?n) WHERE { ?s a vskg:Case }")
    assert isinstance(triples, list) and isinstance(cases, QueryResult)
    assert len(triples) == int(cases.rows[0][0].value) > 3  # type: ignore[union-attr]


def test_rdflib_dataset_and_networkx(graph: KnowledgeGraph) -> None:
    ds = graph.to_rdflib()
    assert isinstance(ds, rdflib.Dataset)
    assert sum(len(g) for g in ds.graphs()) == len(graph)
    net = graph.to_networkx()
    assert isinstance(net, nx.MultiDiGraph)
    hong = "https://w3id.org/vskg/id/source/hong-2016"
    case = "https://w3id.org/vskg/id/case/hong-2016-table-1"
    assert net.has_edge(hong, case) and net.nodes[case]["kind"] == "case"
    recurrence = "https://w3id.org/vskg/ontology#LocalRecurrence"
    assert net.has_edge(case, recurrence)
    seed = "https://w3id.org/vskg/id/source/aalaoui-2026"
    assert net.has_edge(seed, "https://w3id.org/vskg/id/source/judson-2014", key="cites")


def test_open_on_disk_store(tmp_path: Path, graph: KnowledgeGraph) -> None:
    write_store(tmp_path / "store", graph.quads())
    opened = KnowledgeGraph.open(tmp_path / "store", queries_dir=PROJECT.queries)
    assert len(opened) == len(graph)
    assert (
        opened.query("femoral-recurrence-after-surgery-alone").rows
        == graph.query("femoral-recurrence-after-surgery-alone").rows
    )


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(kg.StoreError, match="run `vskg build` first"):
        KnowledgeGraph.open(tmp_path)


def test_build_defaults_to_memory() -> None:
    g = build(PROJECT.data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, validate=False)
    assert len(g) > 1000
