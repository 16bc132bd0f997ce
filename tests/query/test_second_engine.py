"""Same answer on any engine: every stored query run by rdflib's independent SPARQL engine over the
TriG dump gives the rows vskg's engine (pyoxigraph) gives. A query whose answer depends on how an
engine reads the spec (a BIND-made join key, an error inside an aggregate) fails here."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.query import ResultRow

from kg import KnowledgeGraph
from kg.iris import PREFIXES, XSD
from kg.query.catalog import StoredQuery, load_catalog
from kg.store.results import QueryResult, Term
from tests.conftest import PROJECT

QUERIES = sorted(load_catalog(PROJECT.queries))
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int")}


@pytest.fixture(scope="module")
def dataset(graph: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> rdflib.Dataset:
    dump = graph.export(tmp_path_factory.mktemp("dump"), formats=["trig"])[0]
    loaded = rdflib.Dataset(default_union=True)
    loaded.parse(Path(dump), format="trig")
    return loaded


def _term(value: rdflib.term.Node | None) -> Term | None:
    if value is None:
        return None
    if isinstance(value, rdflib.URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, rdflib.BNode):
        return ox.BlankNode(str(value))
    assert isinstance(value, rdflib.Literal)
    if value.language:
        return ox.Literal(str(value), language=value.language)
    return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype or XSD + "string")))


def _cell(term: Term | None) -> str | None:
    """A value two engines must agree on: numbers by value, literals by lexical form, IRIs as IRIs."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        if term.datatype.value in NUMERIC:
            try:
                return f"{Decimal(term.value).normalize():f}"
            except InvalidOperation:
                return term.value
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:"
    return str(term)


def rdflib_answer(dataset: rdflib.Dataset, stored: StoredQuery) -> QueryResult:
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if f"PREFIX {p}:" not in stored.text)
    result = dataset.query(prologue + stored.bound_text(stored.bindings({})))
    variables = [str(v) for v in result.vars or []]
    rows = [tuple(_term(row.get(v)) for v in variables) for row in result if isinstance(row, ResultRow)]
    return QueryResult(variables, rows).with_sorted_lists(stored.lists)


def rows(result: QueryResult) -> list[tuple[str | None, ...]]:
    return sorted((tuple(_cell(t) for t in row) for row in result.rows), key=repr)


@pytest.mark.parametrize("name", QUERIES)
def test_rdflib_gives_the_same_rows(graph: KnowledgeGraph, dataset: rdflib.Dataset, name: str) -> None:
    stored = graph.stored(name)
    ours = graph.query(name)
    theirs = rdflib_answer(dataset, stored)
    assert theirs.variables == ours.variables
    assert rows(theirs) == rows(ours)


def test_the_comparison_can_fail(graph: KnowledgeGraph, dataset: rdflib.Dataset) -> None:
    """A query whose engines disagree (a GROUP_CONCAT in the answer, order unspecified) is caught
    when its parts are not sorted: the comparison looks at values, not at row counts only."""
    stored = graph.stored("patients-per-site")
    ours = rows(graph.query("patients-per-site"))
    changed = [(*r[:-1], "0") for r in ours]
    assert changed != ours
    assert rows(rdflib_answer(dataset, stored)) == ours
