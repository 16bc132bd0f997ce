"""SPARQL injection through stored-query parameters: every payload is bound as an inert term or refused."""

from __future__ import annotations

from typing import Any

import pytest

from kg import KnowledgeGraph, QueryError
from kg.query.catalog import Param
from kg.store.embedded import EmbeddedStore
from kg.store.results import QueryResult

IRI_PAYLOADS = [
    "vskg:Vein> } ?s ?p ?o {",
    "<https://example.org/a> . ?s ?p ?o",
    'https://example.org/a"b',
    "https://example.org/\\u0022",
    "https://example.org/a\nSELECT * WHERE { ?s ?p ?o }",
    "https://example.org/a} ; DROP ALL ; {",
    "https://example.org/#} UNION { ?s ?p ?o",
    "https://example.org/" + "a" * 5000,
    "vskg:Vein#comment",
    "javascript:alert(1)",
    "",
]
STRING_PAYLOADS = [
    'Table 1" } UNION { ?r ?p ?o } #',
    "Table 1\\u0022) } SELECT * WHERE { ?s ?p ?o } #",
    "Table 1'''",
    "Table 1\n} # comment\n{",
    "\\",
    '"""',
    "} ; INSERT DATA { <a:b> <a:c> <a:d> } ; {",
    "Table 1" + "x" * 900,
    "x" * 2000,
]


def _outcome(graph: KnowledgeGraph, name: str, **params: Any) -> QueryResult | str:
    try:
        return graph.query(name, **params)
    except QueryError as exc:
        return f"refused: {exc}"


@pytest.mark.parametrize("payload", IRI_PAYLOADS)
def test_iri_parameters(graph: KnowledgeGraph, payload: str) -> None:
    outcome = _outcome(graph, "groups-at-site", site=payload)
    # refused before any query runs: not an IRI at all, or a well-formed IRI that names no site
    assert isinstance(outcome, str), outcome
    assert "is not an IRI" in outcome or "is not an anatomical site" in outcome, outcome


@pytest.mark.parametrize("payload", STRING_PAYLOADS)
def test_string_parameters(graph: KnowledgeGraph, payload: str) -> None:
    outcome = _outcome(graph, "table-1", table=payload)
    if isinstance(outcome, str):
        assert "longer than" in outcome
    else:
        assert len(outcome) == 0  # no table of that name; no extra rows from a smuggled pattern


@pytest.mark.parametrize("payload", STRING_PAYLOADS[:-1])
def test_bound_strings_round_trip_exactly(graph: KnowledgeGraph, payload: str) -> None:
    """The value reaching the engine is the payload itself, character for character."""
    term = Param("x", "string").bind(payload)
    store = graph.store
    assert isinstance(store, EmbeddedStore)
    result = store.select("SELECT ?x WHERE { }", {"x": term})
    assert [row[0].value for row in result.rows] == [payload]  # type: ignore[union-attr]


def test_no_payload_writes(graph: KnowledgeGraph) -> None:
    before = len(graph)
    for payload in STRING_PAYLOADS:
        _outcome(graph, "table-1", table=payload)
    for payload in IRI_PAYLOADS:
        _outcome(graph, "groups-at-site", site=payload)
    assert len(graph) == before
