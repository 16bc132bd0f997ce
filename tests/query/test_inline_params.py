"""Inline parameters: the value written into the query wherever its variable appears."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import KnowledgeGraph, QueryError
from kg.iris import VSKG
from kg.query.catalog import parse_query_file
from kg.store.sparql_text import bind_values

SITE = ox.NamedNode(VSKG + "FemoralVein")


def test_an_inline_variable_becomes_the_term_everywhere_but_in_strings_comments_and_iris() -> None:
    text = 'SELECT ?x WHERE { ?x <p> ?site . ?x <q> ?sites . "?site" <r> $site # ?site\n MINUS { ?x <s> ?site } }'
    bound = bind_values(text, {"site": SITE, "x": ox.Literal("1")}, inline=["site"])
    assert bound.count(str(SITE)) == 3
    assert '"?site"' in bound and "# ?site" in bound and "?sites" in bound
    assert 'VALUES (?x) { ("1") }' in bound  # a parameter not inline is still bound by VALUES


def _query_file(tmp_path: Path, param: str, body: str) -> Path:
    path = tmp_path / "q.rq"
    path.write_text(f"#+ summary: s\n#+ params:\n#+   - {param}\n{body}\n", encoding="utf-8")
    return path


PARAM = '{name: site, type: iri, subclass_of: "vskg:AnatomicalSite", inline: true}'


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("SELECT ?g ?site WHERE { ?g <p> ?site } ORDER BY ?g", "projected by a SELECT"),
        ("SELECT ?g WHERE { ?g <p> ?s BIND(?s AS ?site) } ORDER BY ?g", "assigned with AS"),
        ("SELECT ?g WHERE { VALUES ?site { <a> } ?g <p> ?site } ORDER BY ?g", "bound by VALUES"),
        ("SELECT ?g WHERE { ?g <p> ?site } GROUP BY ?g ?site ORDER BY ?g", "in GROUP BY or ORDER BY"),
        ("SELECT ?g WHERE { ?g <p> ?sites } ORDER BY ?g", "never uses"),
    ],
)
def test_an_inline_parameter_that_would_break_the_query_is_refused_naming_the_file(
    tmp_path: Path, body: str, words: str
) -> None:
    path = _query_file(tmp_path, PARAM, body)
    with pytest.raises(QueryError, match=words) as info:
        parse_query_file(path, "q")
    assert str(path) in str(info.value) and "params[0](site)" in str(info.value)


def test_inline_is_true_or_false(tmp_path: Path) -> None:
    path = _query_file(tmp_path, PARAM.replace("inline: true", "inline: sometimes"), "SELECT ?g WHERE { ?g <p> ?site }")
    with pytest.raises(QueryError, match="inline is true or false"):
        parse_query_file(path, "q")


@pytest.mark.parametrize("site", ["FemoralVein", "Vein", "InferiorVenaCava", "PulmonaryArtery", "AnatomicalSite"])
def test_the_headline_gives_the_same_rows_with_the_site_inline_or_joined_once(graph: KnowledgeGraph, site: str) -> None:
    """The headline names the site in every part; written in or bound once at the top, the rows agree."""
    stored = graph.stored("femoral-recurrence-after-surgery-alone")
    assert [p.name for p in stored.params if p.inline] == ["site"]
    bindings = {"site": ox.NamedNode(VSKG + site)}
    inline = graph.store.select(stored.bound_text(bindings), {}).with_sorted_lists(stored.lists)
    joined = graph.store.select(stored.text, bindings).with_sorted_lists(stored.lists)
    assert inline.rows == joined.rows
    if site in ("FemoralVein", "Vein"):
        assert inline.rows, "the corpus holds femoral-vein cases that recurred after surgery alone"
