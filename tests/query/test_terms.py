"""Terms as people name them: every spelling of a valid term gives the same rows, a misspelled one
is an error with the closest valid names (never an empty answer), and every IRI the output prints
can be pasted back into SPARQL."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import KnowledgeGraph, QueryError, TermError
from kg.iris import DATA, PREFIXES, VSKG, compact
from kg.query.catalog import load_catalog, parse_query_file
from kg.query.terms import spellings
from kg.store.results import QueryResult
from tests.conftest import PROJECT

FEMORAL = "femoral-recurrence-after-surgery-alone"
FEMORAL_SPELLINGS = [
    "FemoralVein",
    "vskg:FemoralVein",
    VSKG + "FemoralVein",
    f"<{VSKG}FemoralVein>",
    f" <{VSKG}FemoralVein> ",
]
CASE = DATA + "case/aalaoui-2026-present-case"
CASE_SPELLINGS = ["aalaoui-2026-present-case", "case:aalaoui-2026-present-case", "id:case/aalaoui-2026-present-case",
                  CASE, f"<{CASE}>"]  # fmt: skip


def test_a_misspelled_site_is_an_error_with_the_closest_names(graph: KnowledgeGraph) -> None:
    with pytest.raises(TermError) as refused:
        graph.query(FEMORAL, site="vskg:Femoralvein")
    error = refused.value
    assert isinstance(error, QueryError)
    assert error.parameter == "site" and error.given == "vskg:Femoralvein"
    assert error.suggestions[0] == "vskg:FemoralVein"
    assert "an anatomical site" in error.expected and "vskg:AnatomicalSite" in error.expected
    assert f"stored query '{FEMORAL}'" in str(error) and "did you mean vskg:FemoralVein" in str(error)


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("vskg:LocalRecurrence", "is not an anatomical site"),  # a term, of another kind
        ("https://example.org/nowhere", "is not an anatomical site"),
        ("Femoral Vein", "is not an IRI, a prefixed name or a term's name"),
    ],
)
def test_what_is_not_a_site_is_refused(graph: KnowledgeGraph, given: str, says: str) -> None:
    with pytest.raises(TermError, match=says):
        graph.query("groups-at-site", site=given)
    assert isinstance(graph.query("groups-at-site", site=" Lung "), QueryResult)  # a site of metastasis: valid


def test_every_spelling_of_a_site_gives_the_same_rows(graph: KnowledgeGraph) -> None:
    expected = graph.query(FEMORAL, site="vskg:FemoralVein")
    assert len(expected) == 2
    for given in FEMORAL_SPELLINGS:
        assert graph.query(FEMORAL, site=given).rows == expected.rows, given
    assert len(graph.query(FEMORAL, site="LowerLimbVein")) >= len(expected)  # a bare name, refused before


def test_every_spelling_of_a_case_gives_the_same_rows(graph: KnowledgeGraph) -> None:
    expected = graph.query("case-timeline", case=CASE)
    assert len(expected) > 5
    for given in CASE_SPELLINGS:
        assert graph.query("case-timeline", case=given).rows == expected.rows, given
        assert graph.query("ihc-profile", case=given).rows == graph.query("ihc-profile").rows, given
    with pytest.raises(TermError) as refused:
        graph.query("case-timeline", case="case:aalaoui-2026-present-cas")
    assert refused.value.suggestions[0] == "case:aalaoui-2026-present-case"
    assert "one of the" in refused.value.expected and "instances of vskg:PatientGroup" in refused.value.expected
    with pytest.raises(TermError, match="is not a source"):
        graph.query("table-1", source="case:aalaoui-2026-present-case")  # a case where a source is wanted


def test_every_term_parameter_names_the_terms_it_takes() -> None:
    """Every iri parameter of every stored query has a class whose subclasses or instances it
    takes, and that class is in the ontology."""
    ontology = (PROJECT.ontology / "vskg.ttl").read_text(encoding="utf-8")
    seen = 0
    for stored in load_catalog(PROJECT.queries).values():
        for p in stored.params:
            if p.type == "iri":
                assert p.range is not None, (stored.name, p.name)
                assert p.range.root.startswith(VSKG) and f"vskg:{p.range.root[len(VSKG) :]} a owl:Class" in ontology
                seen += 1
    assert seen >= 5


def test_an_iri_parameter_without_its_terms_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("#+ summary: s\n#+ params:\n#+   - {name: site, type: iri}\nSELECT ?x WHERE { } ORDER BY ?x\n")
    with pytest.raises(QueryError, match="needs exactly one of subclass_of or instance_of"):
        parse_query_file(path, "q")
    path.write_text(
        "#+ summary: s\n#+ params:\n#+   - {name: n, type: integer, subclass_of: vskg:Vein}\nSELECT ?x {}\n"
    )
    with pytest.raises(QueryError, match="for iri parameters only"):
        parse_query_file(path, "q")


def test_every_printed_iri_is_valid_sparql_and_names_the_same_iri(graph: KnowledgeGraph) -> None:
    """The forms the table, the pages and `curies=True` print, for every IRI of the corpus, parse
    as SPARQL terms (with the predeclared prefixes) and as parameter spellings."""
    found = graph.sparql("SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } FILTER(isIRI(?x)) } ORDER BY ?x")
    assert isinstance(found, QueryResult)
    iris = [str(v) for v in found.column("x")]
    assert len(iris) > 1000
    forms = [compact(i) for i in iris]
    assert not any(f.startswith("id:") for f in forms)
    assert {f.split(":", 1)[0] for f in forms if not f.startswith("<")} >= {"case", "cohort", "source", "event", "vskg"}
    values = " ".join(forms)
    answered = ox.Store().query(f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}", prefixes=PREFIXES)
    assert isinstance(answered, ox.QuerySolutions)
    assert [s["x"].value for s in answered] == iris
    for iri, form in zip(iris, forms, strict=True):
        if iri.startswith((DATA, VSKG)):
            assert spellings(form) == [iri], form


def test_a_case_pasted_from_the_output_gets_its_row(graph: KnowledgeGraph) -> None:
    printed = graph.query(FEMORAL).to_table()
    assert "case:hong-2016-table-1" in printed and "source:hong-2016" in printed and "id:" not in printed
    frame = graph.query(FEMORAL).to_pandas(curies=True)
    assert "case:hong-2016-table-1" in set(frame["group"])
    for form in ("case:hong-2016-table-1", f"<{DATA}case/hong-2016-table-1>"):
        rows = graph.sparql(f"SELECT ?n WHERE {{ {form} vskg:patientCount ?n }} ORDER BY ?n")
        assert isinstance(rows, QueryResult) and rows.column("n") == ["1"], form


def test_describe_gives_a_group_with_its_events_tumour_and_sites(graph: KnowledgeGraph) -> None:
    from kg.query.describe import serialize

    quads = graph.describe("case:hong-2016-table-1")
    subjects = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    assert DATA + "case/hong-2016-table-1" in subjects
    assert DATA + "tumour/hong-2016-table-1" in subjects
    assert {s for s in subjects if s.startswith(DATA + "event/hong-2016-table-1-")} == {
        DATA + f"event/hong-2016-table-1-{e}" for e in ("dvt-suspected", "surgery", "recurrence")
    }
    assert any(s.startswith(DATA + "site/") for s in subjects)
    assert not any(s.startswith(DATA + "source/") for s in subjects)  # the source stands on its own
    for given in ("hong-2016-table-1", DATA + "case/hong-2016-table-1", f"<{DATA}case/hong-2016-table-1>"):
        assert graph.describe(given) == quads, given
    turtle = serialize(quads).decode()
    assert "case:hong-2016-table-1 a vskg:Case" in turtle and "@prefix cohort:" not in turtle
    term = graph.describe("vskg:FemoralVein")
    assert {q.predicate.value for q in term} >= {"http://www.w3.org/2000/01/rdf-schema#label"}
    with pytest.raises(TermError) as refused:
        graph.describe("case:hong-2016-tabel-1")
    assert refused.value.suggestions[0] == "case:hong-2016-table-1"
