"""The N-Quads the mapping writes by hand are, byte for byte, what pyoxigraph writes for the same quads."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.build.mapping import source_nquads
from kg.build.terms import Quads, data, lit, literal_text, v
from kg.build.workers import Readers
from kg.records.loading import record_paths
from kg.records.vocabulary import read_ontology, vocabulary
from tests.conftest import PROJECT

AWKWARD: list[str] = [
    "",
    "plain",
    'a "quoted" word',
    "back\\slash",
    "two\nlines\r\nand\ttab",
    "bell\x07 and delete\x7f",
    "ünïcödé \u2013 ≥ 5 cm, 10⁹/L, 😀",
    "<not an IRI>",
    "a literal ending in a backslash \\",
]


@pytest.mark.parametrize("value", [*AWKWARD, 0, -3, 10**12, True, False, 0.5, 2.0, 1.25, 1e-7, 123456.789])
def test_a_literal_is_written_as_pyoxigraph_writes_it(value: str | int | float | bool) -> None:
    assert literal_text(value) == str(lit(value))
    # and reads back as the same literal
    parsed = next(iter(ox.parse(f"<x:s> <x:p> {literal_text(value)} .\n", ox.RdfFormat.N_TRIPLES)))
    assert parsed.object == lit(value)


def test_quads_of_every_kind_of_term_match_the_reference() -> None:
    values: list[str | int | float | bool] = [*AWKWARD, 7, True, 3.5]
    fast, reference = Quads("https://w3id.org/vskg/graph/x"), Quads("https://w3id.org/vskg/graph/x", reference=True)
    for g in (fast, reference):
        s = data("case", "x-1")
        g.add(s, "label", None)  # nothing is written for an absent value
        g.add(s, "sex", v("Female"))
        g.add(s, ox.NamedNode("http://example.org/p"), ox.NamedNode("https://doi.org/10.1/a%20b"))
        g.add(s, "note", ox.Literal("x", language="en"))
        for value in values:
            g.add(s, "value", value)
    assert fast.text() == reference.text()
    assert fast.text().count("\n") == 3 + len(AWKWARD) + 3  # one line a quad: line breaks are escaped


def test_the_whole_corpus_maps_to_the_same_nquads_on_both_paths() -> None:
    vocab = vocabulary(read_ontology(PROJECT.ontology))
    paths = record_paths(PROJECT.data)
    with Readers(paths, vocab, workers=1, keep=True) as readers:
        readers.read()
        records = list(readers.records.values())
    kinds: dict[str, str] = {grp.id: grp.kind for rec in records for grp in rec.groups}
    assert len(records) == len(paths) > 50
    for rec in records:
        fast = source_nquads(rec, vocab, kinds)
        assert fast == source_nquads(rec, vocab, kinds, reference=True), rec.id
        assert fast  # every source has quads
