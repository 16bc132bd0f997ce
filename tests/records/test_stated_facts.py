"""Stated facts as data: how long a finding had lasted, a series' medians with their measure, and
"alive at 36 months after resection" as follow-up the survival curve uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import KnowledgeGraph, build
from kg.curation.durations import stated_duration
from kg.views.synthesis import kaplan_meier
from tests.conftest import PROJECT


@pytest.mark.parametrize(
    ("words", "months"),
    [
        ("oedema and pain of left leg for 2 years", 24.0),
        ("8-year history of gradually worsening unilateral right lower-limb swelling", 96.0),
        ("gross abdominal distension for three months", 3.0),
        ("fullness of flanks for the past 2 months", 2.0),
        ("1 month of abdominal discomfort", 1.0),
        ("pain for 6 weeks", 1.4),
        ("asthenia and right hypochondrium pain beginning 2 years earlier", 24.0),
        ("progressive painful swelling in right groin noticed 3 weeks before", 0.7),
        ("about one month of persistent breathlessness, worse with activity", 1.0),
        # words that date something else, or give no number, give no duration
        ("pulmonary embolism 2 months earlier", None),
        ("aggravation of symptoms over the last 8 months", None),
        ("oedema of left lower extremity progressing over several weeks", None),
        ("right hand and forearm swelling and tenderness for more than 1 year", None),  # a bound, not a duration
        ("anticoagulation for 6 months", 6.0),  # a duration; the importer reads it on findings only
    ],
)
def test_a_finding_lasted_as_long_as_its_words_say(words: str, months: float | None) -> None:
    assert stated_duration(words) == months


def test_the_delay_before_the_diagnosis_is_shown_where_the_source_dates_it(graph: KnowledgeGraph) -> None:
    rows = {str(r["group"]).rsplit("/", 1)[1]: r for r in graph.query("delayed-diagnosis").records()}
    assert str(rows["eiv-ceus-scite-case"]["symptom_months"]).startswith("24")
    assert rows["aalaoui-2026-present-case"]["symptom_months"] is None  # the seed gives no duration


def test_alive_at_a_time_after_resection_is_follow_up_for_the_survival_curve(graph: KnowledgeGraph) -> None:
    rows = {str(r["group"]).rsplit("/", 1)[1]: r for r in graph.query("times-after-resection").records()}
    for case in ("gonadal-vein-2019-cris-case", "kuma-smv-case"):
        assert str(rows[case]["alive_months"]).startswith("36") and rows[case]["followup_months"] is None
    death = next(c for c in kaplan_meier(graph) if c.name == "death")
    named = " ".join(death.unusable)
    assert "gonadal-vein-2019-cris" not in named and "kuma-smv" not in named
    assert 36.0 in death.durations


def test_a_series_summary_is_listed_with_its_measure(graph: KnowledgeGraph, data_copy: Path) -> None:
    """The series' follow-up, 56 months, with the measure its summary states ("Median follow-up 56
    months"); the same number without a measure says nothing a reader could use, and is not listed."""
    rows = [r for r in graph.query("series-time-summaries").records() if "ivc-8pts" in str(r["group"])]
    assert ("follow-up", "median", "56") in [(r["summarises"], r["measure"], str(r["months"])) for r in rows]
    path = data_copy / "ivc-8pts-jvisc-2016.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  follow_up_measure: median\n" in text
    path.write_text(text.replace("  follow_up_measure: median\n", "", 1), encoding="utf-8")
    copy = build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)
    rows = [r for r in copy.query("series-time-summaries").records() if "ivc-8pts" in str(r["group"])]
    assert "follow-up" not in [r["summarises"] for r in rows]
