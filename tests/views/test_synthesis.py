"""The synthesis: pooled proportions checked by hand and against R's metafor, who is pooled and who
only counted, split series counted once at their sub-groups' sites, Kaplan-Meier estimates, typed
results for analysts, and the plain CSV files `vskg synthesis` writes."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kg import KnowledgeGraph
from kg.views.meta import NotEstimable, exact_interval, glmm, paule_mandel
from kg.views.synthesis import MODELS, Figure, Synthesis, allocate, kaplan_meier, pooled_proportions
from tests.conftest import ROOT

SHEAFFER = "https://w3id.org/vskg/id/cohort/sheaffer-2019-scvs"


@pytest.fixture(scope="module")
def synthesis(graph: KnowledgeGraph) -> Synthesis:
    return pooled_proportions(graph)


def expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _paule_mandel_tau2(y: list[float], v: list[float]) -> float:
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


def test_paule_mandel_agrees_with_a_hand_computation_and_corrects_only_0_or_all() -> None:
    counts = [(0, 20), (10, 25), (1, 30), (12, 12)]
    # metafor's escalc default (add=1/2, to="only0"): 0.5 only where a study has 0 or all events
    corrected = [(0.5, 21.0), (10.0, 25.0), (1.0, 30.0), (12.5, 13.0)]
    y = [math.log(e / (n - e)) for e, n in corrected]
    v = [1 / e + 1 / (n - e) for e, n in corrected]
    tau2 = _paule_mandel_tau2(y, v)
    w = [1 / (vi + tau2) for vi in v]
    mean = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    se = math.sqrt(1 / sum(w))
    found = paule_mandel(counts)
    assert found.tau2 == pytest.approx(tau2, rel=1e-6)
    assert found.proportion == pytest.approx(expit(mean), rel=1e-6)
    assert found.low == pytest.approx(expit(mean - 1.959964 * se), rel=1e-5)
    assert found.high == pytest.approx(expit(mean + 1.959964 * se), rel=1e-5)


def test_glmm_with_no_heterogeneity_is_the_pooled_binomial() -> None:
    """Four cohorts of one proportion: the likelihood is highest at tau = 0, where the model is a
    single binomial: the estimate is all events over all patients, its logit standard error
    1/sqrt(N p (1 - p))."""
    counts = [(2, 20), (3, 25), (2, 30), (4, 35)]
    found = glmm(counts)
    p = 11 / 110
    se = 1 / math.sqrt(110 * p * (1 - p))
    logit = math.log(p / (1 - p))
    assert found.tau2 == pytest.approx(0, abs=1e-8) and found.proportion == pytest.approx(p, rel=1e-6)
    assert found.low == pytest.approx(expit(logit - 1.959964 * se), rel=1e-4)
    assert found.high == pytest.approx(expit(logit + 1.959964 * se), rel=1e-4)


def test_glmm_takes_zero_and_all_events_as_they_are() -> None:
    found = glmm([(0, 12), (6, 8), (11, 54), (4, 4)])
    assert found.tau2 is not None and found.tau2 > 0 and 0 < found.low < found.proportion < found.high < 1
    with pytest.raises(NotEstimable, match="0 events"):
        glmm([(0, 12), (0, 8)])
    with pytest.raises(NotEstimable, match="keeps rising"):  # 0/5 beside 5/5: no finite tau² fits best
        glmm([(0, 5), (5, 5)])
    with pytest.raises(ValueError, match="0 <= events <= patients"):
        glmm([(5, 4)])


def test_exact_interval_of_one_cohort() -> None:
    _, low, high = exact_interval(0, 12)
    assert low == 0.0 and high == pytest.approx(1 - 0.025 ** (1 / 12))
    p, low, high = exact_interval(9, 16)  # R: binom.test(9, 16)$conf.int
    assert p == 9 / 16 and low == pytest.approx(0.2987769, abs=1e-7) and high == pytest.approx(0.8024659, abs=1e-7)


CONSTRUCTED = {
    "zeros and all events, heterogeneous": [(0, 15), (3, 20), (2, 12), (4, 4)],
    "zeros, homogeneous": [(0, 25), (1, 30), (0, 18), (2, 40)],
    "zeros and all events, five cohorts": [(0, 12), (2, 10), (5, 14), (8, 8), (1, 9)],
}


def _metafor(sets: dict[str, list[tuple[int, int]]]) -> dict[str, list[float]]:
    """Each set through rma.glmm(measure="PLO") and rma(measure="PLO", method="PM") with their defaults."""
    lines = ["suppressMessages(library(metafor))"]
    for i, counts in enumerate(sets.values()):
        xi, ni = ",".join(str(e) for e, _ in counts), ",".join(str(n) for _, n in counts)
        lines.append(
            f'g <- rma.glmm(measure="PLO", xi=c({xi}), ni=c({ni})); p <- rma(measure="PLO", method="PM", xi=c({xi}), '
            f'ni=c({ni})); cat({i}, sprintf("%.10f", c(plogis(c(g$b, g$ci.lb, g$ci.ub)), g$tau2, '
            'plogis(c(p$b, p$ci.lb, p$ci.ub)), p$tau2)), "\\n")'
        )
    done = subprocess.run(["Rscript", "-e", "\n".join(lines)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    names = list(sets)
    return {names[int(line.split()[0])]: [float(x) for x in line.split()[1:]] for line in done.stdout.splitlines()}


def test_pooled_lines_agree_with_metafor(synthesis: Synthesis) -> None:
    import shutil

    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed: run scripts/install-r-metafor.sh (scripts/test.sh does)")
    sets = {f"{o}, {f}": [(c.events, c.patients) for c in cohorts] for (o, f), cohorts in synthesis.cohorts.items()}
    sets = {name: counts for name, counts in sets.items() if len(counts) > 1}
    assert "local recurrence, inferior vena cava" in sets  # the corpus has strata to pool
    reference = _metafor({**sets, **CONSTRUCTED})
    lines = {(p.outcome, p.site_family, p.model): p for p in synthesis.pooled}
    for name, counts in {**sets, **CONSTRUCTED}.items():
        g, p = glmm(counts), paule_mandel(counts)
        ours = [g.proportion, g.low, g.high, g.tau2, p.proportion, p.low, p.high, p.tau2]
        assert reference[name] == pytest.approx(ours, abs=5e-4), f"{name}: metafor {reference[name]}, ours {ours}"
        if name in sets:  # and the synthesis reports these very numbers
            outcome, family = name.split(", ", 1)
            assert lines[(outcome, family, "glmm")].proportion == g.proportion
            assert lines[(outcome, family, "paule-mandel")].tau2 == p.tau2


def test_no_pooled_line_rests_on_single_cases(synthesis: Synthesis) -> None:
    assert synthesis.pooled
    for line in synthesis.pooled:
        cohorts = synthesis.cohorts[(line.outcome, line.site_family)]
        assert all(c.patients > 1 for c in cohorts) and line.studies == len(cohorts)
        assert (line.events, line.patients) == (sum(c.events for c in cohorts), sum(c.patients for c in cohorts))
        assert line.model in MODELS
    assert not {(p.outcome, p.site_family) for p in synthesis.pooled} & {("local recurrence", "peripheral veins")}
    counts = {(c.outcome, c.site_family): (c.cases, c.with_event) for c in synthesis.case_counts()}
    # the IVC case reports (none recurred; two of them from the third sheet, free of disease at 32 and 40
    # months) and the peripheral-vein ones (limb and pelvic veins): counted, not pooled
    assert counts[("local recurrence", "inferior vena cava")] == (6, 0)
    assert counts[("local recurrence", "peripheral veins")] == (4, 2)
    assert all(c.patients == 1 for cases in synthesis.cases.values() for c in cases)


def test_a_split_series_counts_at_its_sub_groups_sites_once(synthesis: Synthesis) -> None:
    ivc = synthesis.cohorts[("local recurrence", "inferior vena cava")]
    assert (f"{SHEAFFER}-ivc", 11, 54) in {(c.group, c.events, c.patients) for c in ivc}
    entered = [c.group for cohorts in synthesis.cohorts.values() for c in cohorts]
    assert f"{SHEAFFER}-series" not in entered
    metastasis = {c.group: c for key, cs in synthesis.cohorts.items() if key[0] == "distant metastasis" for c in cs}
    assert metastasis[f"{SHEAFFER}-ivc"].site_family == "inferior vena cava"
    assert metastasis[f"{SHEAFFER}-peripheral"].site_family != "inferior vena cava"
    for cohorts in synthesis.cohorts.values():
        assert len({c.group for c in cohorts}) == len(cohorts)


def _figure(group: str, events: int, patients: int, *, part_of: str | None = None, flag: str | None = None) -> Figure:
    series = None if part_of is None else "s"
    return Figure(group, f"Source {group}", "local recurrence", "other", events, patients, part_of, series, flag)


def test_allocation_keeps_the_rest_of_a_series_and_each_patient_once() -> None:
    entered, notes = allocate([_figure("s", 20, 70), _figure("ivc", 11, 54, part_of="s"), _figure("x", 1, 9)])
    assert [(f.group, f.events, f.patients) for f in entered] == [("ivc", 11, 54), ("s", 9, 16), ("x", 1, 9)]
    assert "20/70 less 11/54" in entered[1].note and not notes
    # sub-groups that hold every patient leave nothing to the series
    entered, _ = allocate([_figure("s", 12, 70), _figure("a", 11, 54, part_of="s"), _figure("b", 1, 16, part_of="s")])
    assert [f.group for f in entered] == ["a", "b"]
    # figures that do not subtract: the sub-groups' are used and the series' is named
    entered, notes = allocate([_figure("s", 5, 70), _figure("ivc", 11, 54, part_of="s")])
    assert [f.group for f in entered] == ["ivc"] and "do not subtract" in notes[0]


def test_allocation_leaves_out_flagged_groups_and_unplaceable_ones() -> None:
    entered, notes = allocate([_figure("s", 9, 20, flag="literature review"), _figure("a", 3, 5, part_of="s")])
    assert [f.group for f in entered] == ["a"] and "literature review" in notes[0]
    # "b" is part of a group that states nothing: whether it lies inside "a" is not known
    entered, notes = allocate([_figure("a", 3, 10, part_of="s"), _figure("b", 1, 4, part_of="m")])
    assert [f.group for f in entered] == ["a"] and "not placed" in notes[0]
    entered, notes = allocate([_figure("b", 1, 4, part_of="m")])
    assert [f.group for f in entered] == ["b"] and not notes


def test_kaplan_meier_agrees_with_the_product_limit_by_hand(graph: KnowledgeGraph) -> None:
    curves = {c.name: c for c in kaplan_meier(graph)}
    relapse = curves["recurrence or metastasis"]  # leiomyosarcoma; other histologies have curves of their own
    # the corpus's cases with times from the resection: relapse at 2 (mesenteric vein), 9 (the present
    # case) and 20 months (IVC, lung metastasis); free of disease at 6, 10, 30, 32 and 60 months (censored).
    # By hand: S(2) = 7/8; 6 at risk at 9, S(9) = 7/8 * 5/6 = 35/48; 4 at risk at 20, S(20) = 35/48 * 3/4
    assert sorted(zip(relapse.durations, relapse.observed, strict=True)) == [
        (2.0, True), (6.0, False), (9.0, True), (10.0, False), (20.0, True), (30.0, False), (32.0, False), (60.0, False)
    ]  # fmt: skip
    survival = dict(zip(relapse.times, relapse.survival, strict=True))
    assert survival[2.0] == pytest.approx(7 / 8) and survival[9.0] == pytest.approx(35 / 48)
    assert survival[20.0] == pytest.approx(35 / 64) and survival[60.0] == pytest.approx(35 / 64)
    assert relapse.unusable and all("(" in u for u in relapse.unusable)  # listed, never imputed


def test_treatment_arms_of_one_series_enter_as_one_study() -> None:
    from kg.views.synthesis import Figure, _one_per_series

    arms = [
        Figure("s-alone", "S", "death", "pulmonary artery", 5, 5, "s", "s"),
        Figure("s-embolectomy", "S", "death", "pulmonary artery", 3, 4, "s", "s"),
        Figure("t", "T", "death", "pulmonary artery", 1, 6, None, None),
        Figure("s-lung", "S", "death", "lung", 1, 2, "s", "s"),  # another stratum: apart
    ]
    merged = {(f.group, f.site_family): (f.events, f.patients) for f in _one_per_series(arms)}
    assert merged == {("s", "pulmonary artery"): (8, 9), ("t", "pulmonary artery"): (1, 6), ("s-lung", "lung"): (1, 2)}


def test_typed_results_for_analysts(graph: KnowledgeGraph) -> None:
    frame = graph.query("patients-per-site").to_pandas(curies=True)
    assert str(frame["patients"].dtype) == "Int64" and "vskg:FemoralVein" in set(frame["site"])
    total = frame[frame["site_label"] == "(all locations)"].iloc[0]
    assert int(total["patients"]) == sum(int(x) for x in frame["patients"][:-1])
    times = graph.query("time-to-event").records(typed=True)
    assert all(isinstance(r["months"], Decimal) for r in times)
    assert isinstance(graph.query("stats-by-design").typed_records()[0]["sources"], int)


def test_the_synthesis_command_writes_plain_csv_with_sidecars(
    graph: KnowledgeGraph, synthesis: Synthesis, built_store: Path, tmp_path: Path
) -> None:
    import pandas as pd

    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "synthesis", "--store", str(built_store), "-o", str(tmp_path),
         "--created", "2026-01-02T00:00:00Z"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    names = {p.name for p in tmp_path.iterdir()}
    assert {"forest.png", "forest.svg", "time-to-event.png", "time-to-event.svg"} <= names
    expected = {
        "pooled-proportions": len(synthesis.pooled),
        "single-cases": len(synthesis.case_counts()),
        "groups": sum(len(v) for v in (*synthesis.cohorts.values(), *synthesis.cases.values())),
        "time-to-event": sum(len(c.times) for c in kaplan_meier(graph)),
    }
    for stem, rows in expected.items():
        sidecar = json.loads((tmp_path / f"{stem}.json").read_text(encoding="utf-8"))
        # comment="#" is what an analyst guards with; a plain CSV is the same table with it or without
        frame = pd.read_csv(tmp_path / f"{stem}.csv", comment="#")
        assert len(frame) == rows and list(frame.columns) == list(sidecar["columns"]), stem
        assert frame.equals(pd.read_csv(tmp_path / f"{stem}.csv")) and frame.iloc[:, 0].notna().all(), stem
        assert sidecar["built"] == "2026-01-02T00:00:00Z" and sidecar["table"] == f"{stem}.csv"
    pooled = pd.read_csv(tmp_path / "pooled-proportions.csv")
    assert set(pooled["model"]) <= set(MODELS) and pooled["proportion"].dtype == float
    meta = json.loads((tmp_path / "pooled-proportions.json").read_text(encoding="utf-8"))
    assert meta["models"] == MODELS and any("publication bias" in c for c in meta["choices"])
    assert "At risk" in (tmp_path / "time-to-event.svg").read_text(encoding="utf-8")


def test_the_readme_shows_the_corpus_figures(synthesis: Synthesis) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = {"glmm": "GLMM", "paule-mandel": "Paule-Mandel", "clopper-pearson": "one cohort (exact)"}
    for p in synthesis.pooled:
        assert p.proportion is not None and p.low is not None and p.high is not None
        family = "IVC" if p.site_family == "inferior vena cava" else p.site_family
        tau2 = "" if p.tau2 is None else f"{p.tau2:.2f}"
        row = (f"| {p.outcome}, {family} | {names[p.model]} | {p.studies} | {p.events}/{p.patients} | "
               f"{p.proportion:.3f} ({p.low:.3f}-{p.high:.3f}) | {tau2} |")  # fmt: skip
        assert row in readme, f"the README's synthesis table lacks {row}"
