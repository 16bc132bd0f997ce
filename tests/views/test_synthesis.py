"""The synthesis: pooled proportions and Kaplan-Meier estimates checked against hand computation,
typed results for analysts, and the files `vskg synthesis` writes."""

from __future__ import annotations

import math
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kg import KnowledgeGraph
from kg.views.synthesis import kaplan_meier, pool, pooled_proportions
from tests.conftest import ROOT


def expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _paule_mandel(y: list[float], v: list[float]) -> float:
    """tau² such that the generalised Q equals k - 1 (bisection), 0 when Q is already below."""

    def q(tau2: float) -> float:
        w = [1 / (vi + tau2) for vi in v]
        mean = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
        return sum(wi * (yi - mean) ** 2 for wi, yi in zip(w, y, strict=True))

    if q(0) <= len(y) - 1:
        return 0.0
    low, high = 0.0, 100.0
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if q(mid) > len(y) - 1 else (low, mid)
    return (low + high) / 2


def test_pooling_agrees_with_a_hand_computation() -> None:
    counts = [(2, 20), (10, 25), (1, 30), (6, 12)]
    y = [math.log(e / (n - e)) for e, n in counts]
    v = [1 / e + 1 / (n - e) for e, n in counts]
    tau2 = _paule_mandel(y, v)
    w = [1 / (vi + tau2) for vi in v]
    mean = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    se = math.sqrt(1 / sum(w))
    fixed_w = [1 / vi for vi in v]
    fixed = sum(wi * yi for wi, yi in zip(fixed_w, y, strict=True)) / sum(fixed_w)
    q = sum(wi * (yi - fixed) ** 2 for wi, yi in zip(fixed_w, y, strict=True))
    p, low, high, i2, found_tau2 = pool(counts)
    assert found_tau2 == pytest.approx(tau2, rel=1e-3)
    assert p == pytest.approx(expit(mean), rel=1e-3)
    assert low == pytest.approx(expit(mean - 1.959964 * se), rel=1e-3)
    assert high == pytest.approx(expit(mean + 1.959964 * se), rel=1e-3)
    assert i2 == pytest.approx(max(0.0, (q - 3) / q), rel=1e-6)


def test_zero_or_all_events_get_the_continuity_correction() -> None:
    p, low, high, i2, tau2 = pool([(0, 4)])
    assert p == pytest.approx(0.5 / 5) and i2 is None and tau2 is None
    assert low < p < high


def test_kaplan_meier_agrees_with_the_product_limit_by_hand(graph: KnowledgeGraph) -> None:
    curves = {c.name: c for c in kaplan_meier(graph)}
    relapse = curves["recurrence or metastasis"]
    # the corpus's cases with times from the resection: relapse at 2 (mesenteric vein), 9 (the present
    # case) and 20 months (IVC, lung metastasis); free of disease at 6, 10, 30 and 60 months (censored).
    # By hand: S(2) = 6/7; 5 at risk at 9, S(9) = 6/7 * 4/5 = 24/35; 3 at risk at 20, S(20) = 24/35 * 2/3
    assert sorted(zip(relapse.durations, relapse.observed, strict=True)) == [
        (2.0, True), (6.0, False), (9.0, True), (10.0, False), (20.0, True), (30.0, False), (60.0, False)
    ]  # fmt: skip
    survival = dict(zip(relapse.times, relapse.survival, strict=True))
    assert survival[2.0] == pytest.approx(6 / 7) and survival[9.0] == pytest.approx(24 / 35)
    assert survival[20.0] == pytest.approx(16 / 35) and survival[60.0] == pytest.approx(16 / 35)
    assert relapse.unusable and all("(" in u for u in relapse.unusable)  # listed, never imputed


def test_pooled_strata_keep_case_reports_apart_and_say_their_choices(graph: KnowledgeGraph) -> None:
    synthesis = pooled_proportions(graph)
    designs: dict[tuple[str, str], set[str]] = {(p.outcome, p.site_family): set() for p in synthesis.pooled}
    for p in synthesis.pooled:
        designs[(p.outcome, p.site_family)].add(p.design)
    assert ("death", "inferior vena cava") in designs and designs[("death", "inferior vena cava")] == {
        "case report",
        "series",
    }
    assert any("publication bias" in c for c in synthesis.choices)
    for p in synthesis.pooled:
        groups = synthesis.counts[(p.outcome, p.site_family, p.design)]
        assert p.events == sum(g.events for g in groups) and p.patients == sum(g.patients for g in groups)


def test_typed_results_for_analysts(graph: KnowledgeGraph) -> None:
    frame = graph.query("patients-per-site").to_pandas(curies=True)
    assert str(frame["patients"].dtype) == "Int64" and "vskg:FemoralVein" in set(frame["site"])
    total = frame[frame["site_label"] == "(all locations)"].iloc[0]
    assert int(total["patients"]) == sum(int(x) for x in frame["patients"][:-1])
    times = graph.query("time-to-event").records(typed=True)
    assert all(isinstance(r["months"], Decimal) for r in times)
    assert isinstance(graph.query("stats-by-design").typed_records()[0]["sources"], int)


def test_the_synthesis_command_writes_tables_and_figures(built_store: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "synthesis", "--store", str(built_store), "-o", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    names = {p.name for p in tmp_path.iterdir()}
    assert {"pooled-proportions.csv", "time-to-event.csv", "forest.png", "forest.svg", "time-to-event.png"} <= names
    table = (tmp_path / "pooled-proportions.csv").read_text(encoding="utf-8")
    assert (
        table.startswith("outcome,site_family,design,groups,events,patients,proportion") and "publication bias" in table
    )
    assert "At risk" in (tmp_path / "time-to-event.svg").read_text(encoding="utf-8")
