"""The synthesis a reviewer does next: pooled proportions with random effects (statsmodels) and
time-to-event curves (lifelines), from the counts and times the stored queries give.

Choices, also printed with every result:
* proportions are pooled on the logit scale with random effects (Paule-Mandel tau², which is never
  negative); a group with 0 or all events gets 0.5 added to its events and non-events (the usual
  continuity correction); I² is truncated at 0;
* case reports are pooled apart from series: a published single case is chosen for being unusual,
  so their "proportion" says more about publication than about the disease;
* a group whose patients may be counted in another source too is left out: literature-review
  cohorts, and the smaller group of each possible overlap;
* Kaplan-Meier curves use only times stated from the index resection; a case without such a time
  is listed, never imputed; a case is censored at its last stated follow-up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.query.graph import KnowledgeGraph

CHOICES = (
    "logit scale, random effects (Paule-Mandel tau²), 0.5 continuity correction for 0 or all events, I² truncated at 0",
    "case reports pooled apart from series: single published cases are selected for being unusual "
    "(publication bias), so their pooled proportion is not an incidence",
    "left out as possibly counted twice: literature-review cohorts and the smaller group of each possible overlap",
)


@dataclass(frozen=True)
class Pooled:
    outcome: str
    site_family: str
    design: str
    groups: int
    events: int
    patients: int
    proportion: float
    low: float
    high: float
    i2: float | None
    tau2: float | None


@dataclass(frozen=True)
class GroupCount:
    group: str
    source: str
    events: int
    patients: int


@dataclass
class Synthesis:
    pooled: list[Pooled] = field(default_factory=list)
    counts: dict[tuple[str, str, str], list[GroupCount]] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    choices: tuple[str, ...] = CHOICES


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def pool(counts: list[tuple[int, int]]) -> tuple[float, float, float, float | None, float | None]:
    """Pooled proportion, its 95 % interval, I² and tau² from (events, patients) pairs."""
    import numpy as np
    from statsmodels.stats.meta_analysis import combine_effects

    effects, variances = [], []
    for events, n in counts:
        e, f = (events + 0.5, n - events + 0.5) if events in (0, n) else (float(events), float(n - events))
        effects.append(math.log(e / f))
        variances.append(1 / e + 1 / f)
    if len(counts) == 1:
        z = 1.959963984540054
        se = math.sqrt(variances[0])
        return _expit(effects[0]), _expit(effects[0] - z * se), _expit(effects[0] + z * se), None, None
    result = combine_effects(np.array(effects), np.array(variances), method_re="iterated")
    row = result.summary_frame().loc["random effect"]
    q, df = float(result.q), len(counts) - 1
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    return _expit(row["eff"]), _expit(row["ci_low"]), _expit(row["ci_upp"]), i2, float(result.tau2)


def pooled_proportions(graph: KnowledgeGraph) -> Synthesis:
    """Local recurrence, distant metastasis and death after resection, pooled by site family and design."""
    out = Synthesis()
    for r in graph.query("outcomes-after-resection").records():
        if r["literature_review"] == "yes" or r["smaller_of_overlap"] == "yes":
            note = f"{r['source_label']} ({r['group']}): " + (
                "literature review" if r["literature_review"] == "yes" else "smaller group of a possible overlap"
            )
            if note not in out.left_out:
                out.left_out.append(note)
            continue
        key = (str(r["outcome"]), str(r["site_family"]), str(r["design"]))
        count = GroupCount(str(r["group"]), str(r["source_label"]), int(str(r["events"])), int(str(r["denominator"])))
        out.counts.setdefault(key, []).append(count)
    for (outcome, family, design), groups in sorted(out.counts.items()):
        p, low, high, i2, tau2 = pool([(g.events, g.patients) for g in groups])
        events, patients = sum(g.events for g in groups), sum(g.patients for g in groups)
        out.pooled.append(Pooled(outcome, family, design, len(groups), events, patients, p, low, high, i2, tau2))
    return out


@dataclass(frozen=True)
class Curve:
    name: str
    times: list[float]
    survival: list[float]
    at_risk: list[int]
    durations: list[float]
    observed: list[bool]
    unusable: list[str]


def kaplan_meier(graph: KnowledgeGraph) -> list[Curve]:
    """Time from the index resection to first recurrence or metastasis, and to death."""
    from lifelines import KaplanMeierFitter

    rows = graph.query("times-after-resection").records()
    curves = []
    for name, column in (("recurrence or metastasis", "relapse_months"), ("death", "death_months")):
        durations, observed, unusable = [], [], []
        for r in rows:
            event, followup = r[column], r["followup_months"]
            if event is not None:
                durations.append(float(event))
                observed.append(True)
            elif followup is not None:
                durations.append(float(followup))
                observed.append(False)
            else:
                unusable.append(f"{r['source_label']} ({r['group']})")
        if not durations:
            curves.append(Curve(name, [], [], [], [], [], unusable))
            continue
        fitter = KaplanMeierFitter().fit(durations, event_observed=observed, label=name)
        table = fitter.event_table
        times = [float(t) for t in fitter.survival_function_.index]
        survival = [float(s) for s in fitter.survival_function_[name]]
        curves.append(Curve(name, times, survival, [int(n) for n in table["at_risk"]], durations, observed, unusable))
    return curves


def draw_forest(synthesis: Synthesis, path: Path) -> Path:
    """Each group's proportion with its interval, and the pooled diamond of each stratum."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows: list[tuple[str, float, float, float, bool]] = []
    for pooled in synthesis.pooled:
        for g in synthesis.counts[(pooled.outcome, pooled.site_family, pooled.design)]:
            p, low, high, _, _ = pool([(g.events, g.patients)])
            rows.append((f"  {g.source[:40]} ({g.events}/{g.patients})", p, low, high, False))
        i2 = f", I² {pooled.i2:.0%}" if pooled.i2 is not None else ""
        label = f"{pooled.outcome}, {pooled.site_family}, {pooled.design}: {pooled.events}/{pooled.patients}{i2}"
        rows.append((label, pooled.proportion, pooled.low, pooled.high, True))
    fig, ax = plt.subplots(figsize=(11, 0.28 * len(rows) + 1.5))
    for y, (_, p, low, high, diamond) in enumerate(reversed(rows)):
        if diamond:
            ax.fill([low, p, high, p], [y, y + 0.3, y, y - 0.3], color="#b3261e")
        else:
            ax.plot([low, high], [y, y], color="#5c6778", linewidth=1)
            ax.plot([p], [y], "s", color="#23395d", markersize=4)
    ax.set_yticks(range(len(rows)), [r[0] for r in reversed(rows)], fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_xlabel("proportion after resection (95 % interval); diamonds: random-effects pooled estimate")
    ax.set_title("Pooled proportions (case reports apart from series)", fontsize=10)
    return _save(fig, path)


def draw_curves(curves: list[Curve], path: Path) -> Path:
    """Kaplan-Meier curves with the numbers at risk under the plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from lifelines import KaplanMeierFitter
    from lifelines.plotting import add_at_risk_counts

    fig, ax = plt.subplots(figsize=(9, 6))
    fitters = []
    for curve in curves:
        if curve.durations:
            fitter = KaplanMeierFitter().fit(curve.durations, event_observed=curve.observed, label=curve.name)
            fitter.plot_survival_function(ax=ax, ci_show=False)
            fitters.append(fitter)
    if fitters:
        add_at_risk_counts(*fitters, ax=ax)
    ax.set_xlabel("months from the index resection (times as stated; untimed cases left out)")
    ax.set_ylabel("proportion without the event")
    ax.set_title("Time to event after resection (Kaplan-Meier)", fontsize=10)
    return _save(fig, path)


def write_synthesis(graph: KnowledgeGraph, out_dir: Path) -> list[Path]:
    """The pooled table and the curves as CSV, the forest plot and the curves as PNG and SVG."""
    import csv

    out_dir.mkdir(parents=True, exist_ok=True)
    synthesis, curves = pooled_proportions(graph), kaplan_meier(graph)
    written = []
    pooled_csv = out_dir / "pooled-proportions.csv"
    with open(pooled_csv, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "outcome",
                "site_family",
                "design",
                "groups",
                "events",
                "patients",
                "proportion",
                "low",
                "high",
                "i2",
                "tau2",
            ]
        )
        for p in synthesis.pooled:
            writer.writerow([p.outcome, p.site_family, p.design, p.groups, p.events, p.patients, f"{p.proportion:.4f}",
                             f"{p.low:.4f}", f"{p.high:.4f}", "" if p.i2 is None else f"{p.i2:.4f}",
                             "" if p.tau2 is None else f"{p.tau2:.4f}"])  # fmt: skip
        for choice in synthesis.choices:
            writer.writerow([f"# {choice}"])
        for note in synthesis.left_out:
            writer.writerow([f"# left out: {note}"])
    written.append(pooled_csv)
    curves_csv = out_dir / "time-to-event.csv"
    with open(curves_csv, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["curve", "months", "survival", "at_risk"])
        for c in curves:
            writer.writerows(
                [c.name, t, f"{s:.4f}", n] for t, s, n in zip(c.times, c.survival, c.at_risk, strict=False)
            )
            writer.writerows([[f"# {c.name}: no time from the resection for {u}"] for u in c.unusable])
    written.append(curves_csv)
    for suffix in ("png", "svg"):
        written.append(draw_forest(synthesis, out_dir / f"forest.{suffix}"))
        written.append(draw_curves(curves, out_dir / f"time-to-event.{suffix}"))
    return written


def synthesis_html(graph: KnowledgeGraph) -> str:
    """The report's synthesis section: pooled table with its choices, forest plot, curves."""
    import tempfile
    from html import escape

    synthesis, curves = pooled_proportions(graph), kaplan_meier(graph)
    rows = "".join(
        f"<tr><td>{escape(p.outcome)}</td><td>{escape(p.site_family)}</td><td>{escape(p.design)}</td><td>{p.groups}</td>"
        f"<td>{p.events}/{p.patients}</td><td>{p.proportion:.2f}</td><td>{p.low:.2f}-{p.high:.2f}</td>"
        f"<td>{'' if p.i2 is None else f'{p.i2:.0%}'}</td><td>{'' if p.tau2 is None else f'{p.tau2:.2f}'}</td></tr>"
        for p in synthesis.pooled
    )
    with tempfile.TemporaryDirectory() as tmp:
        forest = draw_forest(synthesis, Path(tmp) / "forest.svg").read_text(encoding="utf-8")
        km = draw_curves(curves, Path(tmp) / "km.svg").read_text(encoding="utf-8")
    unusable = "".join(
        f"<li>{escape(c.name)}: {len(c.unusable)} case(s) with no time from the resection</li>" for c in curves
    )
    return (
        '<section id="synthesis"><h2>Synthesis: pooled proportions and time to event after resection</h2>'
        "<p>" + " ".join(f"{escape(c)}." for c in synthesis.choices) + "</p>"
        '<table data-query="outcomes-after-resection"><thead><tr><th>outcome</th><th>site family</th><th>design</th>'
        "<th>groups</th><th>events</th><th>pooled</th><th>95 %</th><th>I²</th><th>tau²</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        + (f"<p>Left out: {escape('; '.join(synthesis.left_out))}.</p>" if synthesis.left_out else "")
        + f'<figure id="synthesis-forest">{_inline(forest)}<figcaption>Forest plot with the pooled diamonds '
        "(stored query <code>outcomes-after-resection</code>).</figcaption></figure>"
        f'<figure id="time-to-event">{_inline(km)}<figcaption>Kaplan-Meier curves with the numbers at risk '
        "(stored query <code>times-after-resection</code>).</figcaption></figure>"
        f"<ul>{unusable}</ul></section>"
    )


def _inline(svg: str) -> str:
    """An SVG file's element alone: its XML prologue cannot sit inside HTML."""
    return svg[svg.index("<svg") :]


def _save(fig: Any, path: Path) -> Path:
    """Write a figure as PNG or SVG by the file's suffix, and free it."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=path.suffix.lstrip(".") or "png", dpi=100)
    plt.close(fig)
    return path
