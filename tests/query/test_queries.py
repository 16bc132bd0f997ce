"""Every stored query against golden results, plus the questions the seed must answer."""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import KnowledgeGraph, QueryError, QueryResult
from kg.errors import TermError
from kg.iris import RDF, VSKG
from kg.query.catalog import load_catalog
from kg.store.embedded import memory_store
from tests.conftest import PROJECT, ROOT, SEED

GOLDEN = ROOT / "tests" / "query" / "golden"
SCOPES: dict[str, list[str] | None] = {"corpus": None, "seed": SEED}
UPDATE = os.environ.get("VSKG_UPDATE_GOLDEN") == "1"
STORED = sorted(n for n in load_catalog(PROJECT.queries) if not n.startswith("qc/"))
QC = sorted(n for n in load_catalog(PROJECT.queries) if n.startswith("qc/"))


def _serialise(result: QueryResult) -> str:
    """One row a line, terms in N-Triples syntax, so a diff shows exactly which cell changed."""
    rows = [json.dumps([None if t is None else str(t) for t in row], ensure_ascii=False) for row in result.rows]
    body = ",\n  ".join(rows)
    return f'{{"variables": {json.dumps(result.variables)},\n "rows": [\n  {body}\n ]}}\n'


@pytest.mark.parametrize("scope", sorted(SCOPES))
@pytest.mark.parametrize("name", STORED)
def test_stored_query_matches_golden(graph: KnowledgeGraph, name: str, scope: str) -> None:
    actual = _serialise(graph.query(name, sources=SCOPES[scope]))
    path = GOLDEN / scope / f"{name}.json"
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run VSKG_UPDATE_GOLDEN=1 pytest to create it"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "golden", "actual"))
        pytest.fail(f"{name} differs from {path} (VSKG_UPDATE_GOLDEN=1 regenerates):\n{diff}")


def test_every_golden_file_has_a_query() -> None:
    stale = sorted(str(p) for p in GOLDEN.rglob("*.json") if p.stem not in STORED)
    assert not stale, f"golden files without a stored query: {stale}"


@pytest.mark.parametrize("name", QC)
def test_qc_checks_return_no_rows(graph: KnowledgeGraph, name: str) -> None:
    result = graph.query(name)
    assert len(result) == 0, result.to_table()


@pytest.mark.parametrize("position", ["predicate", "type", "object"])
def test_undeclared_term_check_finds_each_position(graph: KnowledgeGraph, position: str) -> None:
    store = memory_store(graph.quads())
    case = ox.NamedNode("https://w3id.org/vskg/id/case/hong-2016-table-1")
    made_up = ox.NamedNode(VSKG + "madeUpTerm")
    triples: dict[str, tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = {
        "predicate": (case, made_up, ox.Literal("x")),
        "type": (case, ox.NamedNode(RDF + "type"), made_up),
        "object": (case, ox.NamedNode(VSKG + "sex"), made_up),
    }
    store.add(ox.Quad(*triples[position], ox.NamedNode("https://w3id.org/vskg/graph/aalaoui-2026")))
    broken = KnowledgeGraph(store, queries_dir=PROJECT.queries)
    assert broken.query("qc/undeclared-term").column("term") == [made_up.value]


@pytest.mark.parametrize("scope", sorted(SCOPES))
def test_femoral_recurrence_after_surgery_alone_is_hong_and_the_present_case(graph: KnowledgeGraph, scope: str) -> None:
    """On the seed and on the whole corpus: Hong (Table 1: surgery, then local recurrence) and the
    present case (resection, no adjuvant therapy, then recurrence; chemotherapy only because of it)."""
    rows = graph.query("femoral-recurrence-after-surgery-alone", sources=SCOPES[scope]).records()
    assert [(r["source_label"], r["locator"], r["surgery_alone"]) for r in rows] == [
        (
            "Aalaoui et al. (2026)",
            "Abstract; Case Presentation, paras 1-5; Treatment and Outcome, paras 1-2; Table 1, row 7",
            "definite",
        ),
        ("Hong et al. (2016)", "Table 1, row 4", "definite"),
    ]


def test_peripheral_question_finds_broad_cohorts_femoral_does_not(graph: KnowledgeGraph) -> None:
    femoral = graph.query("groups-at-site", site="vskg:FemoralVein").column("group")
    peripheral = {
        r["group"]: r["coverage"] for r in graph.query("groups-at-site", site="vskg:PeripheralVein").records()
    }
    kevorkian = "https://w3id.org/vskg/id/cohort/kevorkian-1973-table-1"
    dzsinic = "https://w3id.org/vskg/id/cohort/dzsinic-1992-table-1"
    assert kevorkian not in femoral and dzsinic not in femoral
    assert peripheral[kevorkian] == "all patients"
    assert peripheral[dzsinic] == "some patients"
    ivc = graph.query("groups-at-site", site="vskg:InferiorVenaCava", sources=SEED).records()
    assert [(r["group"], r["coverage"]) for r in ivc] == [
        ("https://w3id.org/vskg/id/cohort/hines-1999-table-1", "some patients")
    ]


def test_patient_totals_count_cohorts_by_n(graph: KnowledgeGraph) -> None:
    rows = graph.query("patients-per-site", sources=SEED).records()
    total = rows[-1]
    assert total["site_label"] == "(all locations)"
    assert total["patients"] == "122"  # 12 + 34 + 57 + 16 cohort patients and 3 single cases
    assert sum(int(r["patients"] or 0) for r in rows[:-1]) == 122


def test_corpus_totals_add_up_without_counting_subgroups_twice(graph: KnowledgeGraph) -> None:
    rows = graph.query("patients-per-site").records()
    total = rows[-1]
    top_level = graph.sparql(
        "SELECT (SUM(?n) AS ?s) WHERE { { ?g a vskg:Case } UNION { ?g a vskg:Cohort } "
        "FILTER NOT EXISTS { ?g vskg:partOf ?p } ?g vskg:patientCount ?n }"
    )
    assert isinstance(top_level, QueryResult)
    assert total["patients"] == top_level.rows[0][0].value  # type: ignore[union-attr]
    assert sum(int(r["patients"] or 0) for r in rows[:-1]) == int(total["patients"] or 0)
    # literature reviews (13 + 25), the smaller side of the Sheaffer overlap (16) and of the two IVC
    # overlaps across the sheets (6 of ivc-6pts-jkss-2012 against 12; 6 of ivc-6pts-jso-2015 against 7);
    # the third sheet's pooled reviews (Bandyopadhyay's 381 published cases, Rusthoven's 165 aortic
    # sarcomas) and the smaller side of their overlap flags: five pulmonary artery case reports (1 each)
    # and the Anzhen (9) and Gan (12) series against the 381, three aortic case reports against the 165,
    # and Anzhen (9) against Gan (12), the same hospital
    venous = 13 + 25 + 16 + 6 + 6
    arterial = 381 + 165 + 5 * 1 + 9 + 12 + 3 * 1 + 9
    assert total["at_risk"] == str(venous + arterial)


def test_surgery_plus_or_minus_rt_is_possible_not_definite(graph: KnowledgeGraph) -> None:
    rows = graph.query("femoral-recurrence-after-surgery-alone", site="vskg:PeripheralVein", sources=SEED).records()
    by_group = {r["group"]: r["surgery_alone"] for r in rows}
    assert by_group["https://w3id.org/vskg/id/cohort/kevorkian-1973-table-1"] == "possible"
    assert by_group["https://w3id.org/vskg/id/case/hong-2016-table-1"] == "definite"
    assert by_group["https://w3id.org/vskg/id/case/aalaoui-2026-present-case"] == "definite"


def test_citation_audit_finds_every_mismatched_table_row(graph: KnowledgeGraph) -> None:
    rows = graph.query("citation-mismatches", sources=SEED).records()
    table = sorted(
        (r["locator"], r["number_printed"], r["numbered_work"]) for r in rows if str(r["locator"]).startswith("Table")
    )
    assert table == [
        ("Table 1, row 3", "6", "Narayanan et al. (2019)"),
        ("Table 1, row 4", "11", "Maki et al. (2007)"),
        ("Table 1, row 5", "5", "Hines et al. (1999)"),
        ("Table 1, row 6", "11", "Maki et al. (2007)"),
    ]


def test_timeline_shows_dissociated_response_in_order(graph: KnowledgeGraph) -> None:
    timeline = graph.query("case-timeline").records()
    kinds = [r["kind"] for r in timeline]
    assert kinds.index("initial diagnosis") < kinds.index("surgical resection") < kinds.index("local recurrence")
    assert [int(r["sequence"] or 0) for r in timeline] == sorted(int(r["sequence"] or 0) for r in timeline)
    lung = next(r for r in timeline if r["kind"] == "distant metastasis")
    assert (float(lung["months"] or "nan"), lung["site"]) == (9.0, "lung")
    dissociated = graph.query("dissociated-responses").records()
    assert len(dissociated) == 1 and float(dissociated[0]["change_percent"] or "nan") == -42.0


def test_parameters_are_bound_as_terms_not_text(graph: KnowledgeGraph) -> None:
    hostile = "vskg:FemoralVein> } UNION { ?s ?p ?o"
    with pytest.raises(QueryError, match="not an IRI"):
        graph.query("groups-at-site", site=hostile)
    # a well-formed IRI that names no site is an error too, never an empty answer
    with pytest.raises(TermError, match="is not an anatomical site"):
        graph.query("groups-at-site", site="https://example.org/nowhere")
    # a string parameter with quotes is a literal and cannot end the query text
    assert len(graph.query("table-1", table='Table 1" } UNION { ?r ?p ?o } #')) == 0
    with pytest.raises(QueryError, match="no parameter 'sites'"):
        graph.query("groups-at-site", sites="vskg:Vein")


def test_stored_query_files_have_summary_and_order(tmp_path: Path) -> None:
    for name, stored in load_catalog(PROJECT.queries).items():
        assert stored.summary, name
        if "SELECT" in stored.text and not name.startswith("qc/"):
            assert "ORDER BY" in stored.text, f"{name} has no ORDER BY: results would not be deterministic"


@pytest.mark.parametrize("name", STORED)
def test_materialised_closure_gives_the_plain_answer(graph: KnowledgeGraph, name: str) -> None:
    """Each stored query over the materialised subclass closure equals the same question asked in
    plain SPARQL, walking rdfs:subClassOf* at query time over the graph without the closure."""
    import re

    import pyoxigraph as ox

    from kg.iris import INFERRED_GRAPH, PREFIXES
    from kg.store.embedded import memory_store

    stored = graph.stored(name)
    plain_text = re.sub(r"rdfs:subClassOf(?![*+])", "rdfs:subClassOf*", stored.bound_text(stored.bindings({})))
    plain_store = memory_store(q for q in graph.quads() if q.graph_name != ox.NamedNode(INFERRED_GRAPH))
    plain = QueryResult.from_solutions(
        plain_store.query(plain_text, use_default_graph_as_union=True, prefixes=PREFIXES)  # type: ignore[arg-type]
    ).with_sorted_lists(stored.lists)
    assert [tuple(map(str, r)) for r in plain.rows] == [tuple(map(str, r)) for r in graph.query(name).rows]
