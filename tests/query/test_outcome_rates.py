"""What a cohort adds to an outcome rate: its stated deaths, not its operative mortality, and one
figure per outcome when it states the outcome twice (a case on each side of both choices)."""

from __future__ import annotations

from pathlib import Path

from kg import KnowledgeGraph, build
from tests.conftest import PROJECT


def _rows(graph: KnowledgeGraph, name: str, source: str) -> dict[str, tuple[int, int]]:
    found = graph.query(name, sources=[source]).records()
    return {str(r["outcome"]): (int(r["events"] or 0), int(r["denominator"] or 0)) for r in found}


def test_a_cohorts_death_figure_is_its_deaths_not_its_operative_mortality(graph: KnowledgeGraph) -> None:
    # 4 operative deaths of 20 operated, 11 later deaths of the 16 survivors: the death rate is 11 of 16
    assert _rows(graph, "ivc-versus-peripheral", "ivc-22pts-1979-2004")["death"] == (11, 16)
    # no perioperative death, 4 died of progression: 4 of 8, not 4 of 16
    assert _rows(graph, "ivc-versus-peripheral", "ivc-8pts-jvisc-2016")["death"] == (4, 8)
    # "no postoperative mortality" alone says nothing of deaths later: no death row at all
    assert "death" not in _rows(graph, "ivc-versus-peripheral", "ivc-33pts-ptfe")


SERIES = """\
id: zz-twice-2025
label: Twice et al. (2025)
citation: {authors: Twice A, title: A series stating recurrence twice, year: 2025, locator: Title}
groups:
  - id: zz-twice-2025-series
    kind: cohort
    n_patients: 10
    locator: Results
    tumour: {histology: Leiomyosarcoma, site: {term: InferiorVenaCava}, locator: Results}
    events:
      - {id: resection, term: SurgicalResection, count: 10, of: 10, locator: Results}
      - {id: any-recurrence, term: Recurrence, count: 5, of: 10, exposure: some, locator: Results}
      - {id: local-recurrence, term: LocalRecurrence, count: 3, of: 10, exposure: some, locator: Results}
"""


def test_a_cohort_stating_recurrence_and_local_recurrence_counts_its_patients_once(data_copy: Path) -> None:
    (data_copy / "zz-twice-2025.yaml").write_text(SERIES, encoding="utf-8")
    graph = build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)
    assert _rows(graph, "ivc-versus-peripheral", "zz-twice-2025")["recurrence"] == (5, 10)
    rates = graph.query("outcome-rates-by-site", sources=["zz-twice-2025"]).records()
    ivc = next(r for r in rates if r["site_label"] == "inferior vena cava" and r["outcome"] == "recurrence")
    assert (ivc["events"], ivc["denominator"], ivc["groups"]) == ("5", "10", "1")
    # with local recurrence alone, that is the figure
    (data_copy / "zz-twice-2025.yaml").write_text(SERIES.rsplit("      - {id: any-recurrence", 1)[0]
                                                 + SERIES.rsplit("\n", 2)[-2] + "\n", encoding="utf-8")  # fmt: skip
    graph = build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)
    assert _rows(graph, "ivc-versus-peripheral", "zz-twice-2025")["recurrence"] == (3, 10)
