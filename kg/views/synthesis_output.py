"""What `vskg synthesis` and the report show of the synthesis: plain CSV tables, each with a JSON
sidecar for its metadata (model, build date, column definitions, what was left out), the forest
plot, the Kaplan-Meier curves and the report's HTML section."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.views.synthesis import MODELS, Curve, Synthesis, kaplan_meier, pooled_proportions

if TYPE_CHECKING:
    from kg.query.graph import KnowledgeGraph

POOLED_COLUMNS = {
    "outcome": "local recurrence, distant metastasis or death, at any time after the resection",
    "site_family": (
        "the site's family as the ontology marks it (vskg:siteFamily): inferior vena cava, "
        "peripheral veins (limb and pelvic), or other"
    ),
    "model": "glmm, paule-mandel or clopper-pearson (the sidecar's `models` says what each is)",
    "role": "primary (the GLMM), sensitivity (Paule-Mandel) or single cohort (nothing to pool)",
    "studies": "cohorts in the line",
    "events": "patients with the outcome, summed over the cohorts",
    "patients": "patients, summed over the cohorts",
    "proportion": "pooled proportion (back-transformed from the logit scale)",
    "low": "lower bound of the 95 % interval",
    "high": "upper bound of the 95 % interval",
    "tau2": "between-cohort variance on the logit scale; empty for one cohort",
    "note": "why a line has no estimate",
}
CASE_COLUMNS = {
    "outcome": POOLED_COLUMNS["outcome"],
    "site_family": POOLED_COLUMNS["site_family"],
    "cases": "single cases (one patient each) that say something about the outcome",
    "with_event": "of them, the cases with the outcome",
}
GROUP_COLUMNS = {
    "outcome": POOLED_COLUMNS["outcome"],
    "site_family": POOLED_COLUMNS["site_family"],
    "counted_as": "cohort (pooled) or single case (counted only)",
    "group": "IRI of the case or cohort",
    "source": "the publication",
    "part_of": "the group a sub-group is part of",
    "events": "patients with the outcome",
    "patients": "patients the figure is over",
    "note": "what was subtracted, for the rest of a split series",
}
CURVE_COLUMNS = {
    "curve": "recurrence or metastasis, or death",
    "months": "months from the index resection",
    "survival": "Kaplan-Meier estimate of the proportion without the event",
    "at_risk": "patients at risk at that time",
}


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _write_table(path: Path, columns: dict[str, str], rows: list[list[Any]], meta: dict[str, Any]) -> list[Path]:
    """A plain CSV (a header row, then data rows only) and its sidecar PATH.json."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(columns))
        writer.writerows(rows)
    sidecar = path.with_suffix(".json")
    body = {"table": path.name, **meta, "columns": columns}
    sidecar.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [path, sidecar]


def write_synthesis(graph: KnowledgeGraph, out_dir: Path, *, created: str) -> list[Path]:
    """The pooled lines, the single-case counts, the groups counted and the curves as CSV with JSON
    sidecars; the forest plot and the curves as PNG and SVG. `created` dates the build."""
    out_dir.mkdir(parents=True, exist_ok=True)
    synthesis, curves = pooled_proportions(graph), kaplan_meier(graph)
    common = {"built": created, "stored_query": "outcomes-after-resection", "choices": list(synthesis.choices)}
    written = _write_table(
        out_dir / "pooled-proportions.csv",
        POOLED_COLUMNS,
        [[p.outcome, p.site_family, p.model, p.role, p.studies, p.events, p.patients, _number(p.proportion),
          _number(p.low), _number(p.high), _number(p.tau2), p.note] for p in synthesis.pooled],
        {**common, "models": MODELS, "left_out": synthesis.left_out},
    )  # fmt: skip
    written += _write_table(
        out_dir / "single-cases.csv",
        CASE_COLUMNS,
        [[c.outcome, c.site_family, c.cases, c.with_event] for c in synthesis.case_counts()],
        {**common, "note": "single cases are counted, never pooled as proportions", "left_out": synthesis.left_out},
    )
    groups = [
        [f.outcome, f.site_family, kind, f.group, f.source, f.part_of or "", f.events, f.patients, f.note]
        for kind, table in (("cohort", synthesis.cohorts), ("single case", synthesis.cases))
        for key in sorted(table)
        for f in table[key]
    ]
    written += _write_table(out_dir / "groups.csv", GROUP_COLUMNS, sorted(groups, key=lambda r: r[:4]),
                            {**common, "left_out": synthesis.left_out})  # fmt: skip
    written += _write_table(
        out_dir / "time-to-event.csv",
        CURVE_COLUMNS,
        [[c.name, t, f"{s:.4f}", n] for c in curves for t, s, n in zip(c.times, c.survival, c.at_risk, strict=True)],
        {
            "built": created,
            "stored_query": "times-after-resection",
            "method": "Kaplan-Meier (lifelines), censored at the last follow-up stated from the resection",
            "no_time_from_resection": {c.name: c.unusable for c in curves},
        },
    )
    for suffix in ("png", "svg"):
        written.append(draw_forest(synthesis, out_dir / f"forest.{suffix}"))
        written.append(draw_curves(curves, out_dir / f"time-to-event.{suffix}"))
    return written


def draw_forest(synthesis: Synthesis, path: Path) -> Path:
    """Each cohort with its exact interval, the pooled diamonds (primary and sensitivity) and the
    single cases as a count only."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from kg.views.meta import exact_interval

    rows: list[tuple[str, float | None, float | None, float | None, str]] = []
    cases = {(c.outcome, c.site_family): c for c in synthesis.case_counts()}
    for key in sorted(set(synthesis.cohorts) | set(cases)):
        rows.append((f"{key[0]}, {key[1]}", None, None, None, "heading"))
        for g in synthesis.cohorts.get(key, []):
            label = f"  {g.source[:40]} ({g.events}/{g.patients})"
            rows.append((label, *exact_interval(g.events, g.patients), "cohort"))
        for line in (p for p in synthesis.pooled if (p.outcome, p.site_family) == key and p.role != "single cohort"):
            tau2 = "" if line.tau2 is None else f", tau² {line.tau2:.2f}"
            label = f"  {line.role}: {line.events}/{line.patients} in {line.studies} cohorts{tau2}"
            rows.append((label, line.proportion, line.low, line.high, line.role))
        if key in cases:
            c = cases[key]
            rows.append((f"  {c.cases} single cases (not pooled), {c.with_event} with the event", None, None, None, ""))
    fig, ax = plt.subplots(figsize=(11, 0.28 * len(rows) + 1.5))
    colours = {"primary": "#b3261e", "sensitivity": "#e8a09a"}
    for y, (_, mid, low, high, kind) in enumerate(reversed(rows)):
        if mid is None or low is None or high is None:
            continue
        if kind in colours:
            ax.fill([low, mid, high, mid], [y, y + 0.3, y, y - 0.3], color=colours[kind])
        else:
            ax.plot([low, high], [y, y], color="#5c6778", linewidth=1)
            ax.plot([mid], [y], "s", color="#23395d", markersize=4)
    ax.set_yticks(range(len(rows)), [r[0] for r in reversed(rows)], fontsize=7)
    for tick, row in zip(ax.get_yticklabels(), reversed(rows), strict=True):
        if row[4] == "heading":
            tick.set_fontweight("bold")
    ax.set_xlim(0, 1)
    ax.set_xlabel("proportion after resection (95 % interval); dark diamond: GLMM, light diamond: Paule-Mandel")
    ax.set_title("Pooled proportions over cohorts (single cases counted, not pooled)", fontsize=10)
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


def synthesis_html(graph: KnowledgeGraph) -> str:
    """The report's synthesis section: pooled lines, single-case counts, forest plot, curves."""
    import tempfile
    from html import escape

    synthesis, curves = pooled_proportions(graph), kaplan_meier(graph)
    rows = "".join(
        f"<tr><td>{escape(p.outcome)}</td><td>{escape(p.site_family)}</td><td>{escape(p.role)}: {escape(p.model)}</td>"
        f"<td>{p.studies}</td><td>{p.events}/{p.patients}</td><td>{_cell(p.proportion)}</td>"
        f"<td>{_cell(p.low)}-{_cell(p.high)}</td><td>{_cell(p.tau2)}</td><td>{escape(p.note)}</td></tr>"
        for p in synthesis.pooled
    )
    cases = "".join(
        f"<tr><td>{escape(c.outcome)}</td><td>{escape(c.site_family)}</td><td>{c.cases} single cases, "
        f"{c.with_event} of them with the event</td></tr>"
        for c in synthesis.case_counts()
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
        '<table data-query="outcomes-after-resection"><thead><tr><th>outcome</th><th>site family</th><th>model</th>'
        "<th>cohorts</th><th>events</th><th>pooled</th><th>95 %</th><th>tau²</th><th>note</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        '<table data-query="outcomes-after-resection"><thead><tr><th>outcome</th><th>site family</th>'
        f"<th>single cases (not pooled)</th></tr></thead><tbody>{cases}</tbody></table>"
        + (f"<p>Left out: {escape('; '.join(synthesis.left_out))}.</p>" if synthesis.left_out else "")
        + f'<figure id="synthesis-forest">{_inline(forest)}<figcaption>Forest plot: each cohort with its exact '
        "interval and the pooled diamonds (stored query <code>outcomes-after-resection</code>).</figcaption></figure>"
        f'<figure id="time-to-event">{_inline(km)}<figcaption>Kaplan-Meier curves with the numbers at risk '
        "(stored query <code>times-after-resection</code>).</figcaption></figure>"
        f"<ul>{unusable}</ul></section>"
    )


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


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
