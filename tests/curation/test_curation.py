"""Curator tools and the evidence audits: schema, template, conflicts, overlaps."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import KGError, KnowledgeGraph, RecordError, build
from kg.build.pipeline import compile_quads
from kg.curation.templates import new_record, schema_text
from tests.conftest import PROJECT, ROOT


def test_shipped_schema_is_generated_from_the_models() -> None:
    shipped = (ROOT / "schema" / "record.schema.json").read_text(encoding="utf-8")
    assert shipped == schema_text(), "run `vskg schema` and commit schema/record.schema.json"


def test_new_template_is_refused_until_filled_in(data_copy: Path) -> None:
    path = new_record("smith-2025", data_copy)
    assert "FILL-IN" in path.read_text(encoding="utf-8")
    with pytest.raises(RecordError) as info:
        compile_quads(data_copy, PROJECT.ontology)
    assert info.value.field == "label" and "FILL-IN" in info.value.problem
    with pytest.raises(RecordError, match="already exists"):
        new_record("smith-2025", data_copy)
    with pytest.raises(RecordError, match="not a valid id"):
        new_record("Smith 2025", data_copy)


def _add(data: Path, text: str) -> None:
    (data / "zz-test-2025.yaml").write_text(text, encoding="utf-8")


RECORD = """\
id: zz-test-2025
label: Test et al. (2025)
citation: {{authors: Test A, title: A test series, year: 2025, locator: Title}}
groups:
{groups}
"""


def test_conflicting_values_for_the_same_patients_are_kept_and_listed(data_copy: Path) -> None:
    _add(
        data_copy,
        RECORD.format(
            groups="""\
  - id: zz-test-2025-kevorkian
    kind: cohort
    n_patients: 13
    reported_in: kevorkian-1973
    locator: Table 2, row 1
    tumour: {histology: Leiomyosarcoma, site: {term: InferiorVenaCava}, locator: "Table 2, row 1"}
    links:
      - group: kevorkian-1973-table-1
        kind: same
        basis: Both rows summarise Kevorkian and Cento's series
        locator: Table 2
"""
        ),
    )
    graph = build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)
    rows = graph.query("conflicts").records()
    facts = {(r["fact"], r["value_a"], r["value_b"], r["source_a"], r["source_b"]) for r in rows}
    assert ("number of patients", "12", "13", "Aalaoui et al. (2026)", "Test et al. (2025)") in facts
    assert (
        "primary site",
        "peripheral vein",
        "inferior vena cava",
        "Aalaoui et al. (2026)",
        "Test et al. (2025)",
    ) in facts
    # both statements stay in the graph, each in its own source graph
    counts = graph.sparql(
        "SELECT ?g ?n WHERE { GRAPH ?g { ?c vskg:patientCount ?n ; "
        "vskg:reportedIn <https://w3id.org/vskg/id/source/kevorkian-1973> } } ORDER BY ?g"
    )
    assert [r["n"] for r in counts.records()] == ["12", "13"]  # type: ignore[union-attr]


def _asan_series(data: Path, start: int) -> None:
    """A 9-patient series from the same institution as ivc-6pts-jkss-2012 (1998-2010)."""
    series = f"""\
  - id: zz-test-2025-series
    kind: cohort
    n_patients: 9
    institution: Asan Medical Center
    period: {{start: {start}, end: 2015}}
    locator: Methods
"""
    _add(data, RECORD.format(groups=series))


def test_same_institution_and_overlapping_period_is_flagged(data_copy: Path, graph: KnowledgeGraph) -> None:
    at_risk_before = int(graph.query("patients-per-site").records()[-1]["at_risk"] or 0)
    _asan_series(data_copy, 2008)
    graph = build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)
    rows = graph.query("possible-overlaps").records()
    flagged = {(r["group_a"], r["group_b"]) for r in rows}
    assert (
        "https://w3id.org/vskg/id/cohort/ivc-6pts-jkss-2012-series",
        "https://w3id.org/vskg/id/cohort/zz-test-2025-series",
    ) in flagged
    basis = next(r["basis"] for r in rows if r["group_b"].endswith("zz-test-2025-series"))  # type: ignore[union-attr]
    assert "Asan Medical Center" in str(basis) and "1998-2010" in str(basis)
    total = graph.query("patients-per-site").records()[-1]
    assert total["at_risk"] == str(at_risk_before + 6)  # the smaller group of the new pair (6 patients)
    _asan_series(data_copy, 2011)  # periods that do not overlap are not flagged
    graph = build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)
    assert all("zz-test" not in str(r["group_b"]) for r in graph.query("possible-overlaps").records())


def test_group_links_must_name_existing_groups(data_copy: Path) -> None:
    _add(
        data_copy,
        RECORD.format(
            groups="""\
  - id: zz-test-2025-case
    kind: case
    locator: Case
    links: [{group: nobody-1999, kind: overlap, basis: guess, locator: Case}]
"""
        ),
    )
    with pytest.raises(KGError, match="'nobody-1999' is not another group"):
        compile_quads(data_copy, PROJECT.ontology)


def test_counts_need_denominators_and_consistent_exposure(data_copy: Path) -> None:
    _add(
        data_copy,
        RECORD.format(
            groups="""\
  - id: zz-test-2025-series
    kind: cohort
    n_patients: 10
    locator: Results
    events:
      - {id: death, term: Death, count: 4, locator: Results}
      - {id: metastasis, term: DistantMetastasis, count: 3, of: 10, locator: Results}
"""
        ),
    )
    with pytest.raises(KGError) as info:
        compile_quads(data_copy, PROJECT.ontology)
    message = str(info.value)
    assert "events[0](death).of: a count or percentage needs the number of patients" in message
    assert "events[1](metastasis).exposure: with count 3 of the group's 10 patients it must be 'some'" in message
