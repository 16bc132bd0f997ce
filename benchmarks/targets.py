"""The speed targets, judged from what `benchmarks.run` and `benchmarks.serve` measured.

    .venv/bin/python -m benchmarks.targets   # from benchmarks/results/bench.json and serve.json

Every figure is a ratio or a growth between runs of one benchmark run, never a time measured
against a fixed number: a busy machine moves both sides of a ratio alike. `bench.sh` and
`bench-serve.sh` each print their own rows at the end; this prints both, with the dates they were
measured.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

BUILD_SIZES = (400_000, 1_000_000)  # triples; a measured size within NEAR of each is judged
NEAR = 0.3
BUILD_SHARE_OF_BULK = 0.60
PEAK_MB = 2048
REBUILD_SHARE = 0.05
QUERY_GROWTH = 10.0  # time at 10x the data over time at 1x
EMPTY_SITE_GROWTH = 2.0  # a site without groups: its cost must not follow the corpus
EMPTY_SITE = "vskg:PulmonaryArtery"  # no synthetic group is there (the row shows the count)
DEFAULT_SITE = "vskg:FemoralVein"
CHEAP_COUNT_VS_OXIGRAPH = 0.3
HEADLINE_VS_OXIGRAPH = 1.5
SERVE_CLIENTS = 10


@dataclass(frozen=True)
class Target:
    measure: str
    measured: str
    target: str
    met: bool | None  # None: not measured by this run


def nearest(sizes: list[dict[str, Any]], triples: float) -> dict[str, Any] | None:
    """The measured size closest to `triples` (by ratio), if it is within NEAR of it."""
    if not sizes:
        return None
    best = min(sizes, key=lambda s: abs(math.log(s["triples"] / triples)))
    return best if abs(best["triples"] / triples - 1) <= NEAR else None


def growth_pair(sizes: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The largest size, and the size nearest a tenth of it: the pair a growth is read between."""
    ordered = sorted(sizes, key=lambda s: s["triples"])
    last = ordered[-1]
    smaller = ordered[:-1] or [last]
    prev = min(smaller, key=lambda s: abs(math.log(s["triples"] * 10 / last["triples"])))
    return prev, last


def build_targets(summary: dict[str, Any]) -> list[Target]:
    sizes = sorted(summary["sizes"], key=lambda s: s["triples"])
    rows = []
    for size in BUILD_SIZES:
        found = nearest(sizes, size)
        measure = f"`vskg build` vs pyoxigraph's on-disk bulk load, about {size:,} triples"
        target = f">= {BUILD_SHARE_OF_BULK:.0%} of its rate"
        if found is None:
            rows.append(Target(measure, f"not measured (`--sizes` with {size})", target, None))
            continue
        b = found["build"]
        rows.append(
            Target(
                measure,
                f"{b['ratio_to_bulk_load']:.0%} ({found['triples']:,} quads: {b['seconds']:.2f} s against "
                f"{b['bulk_load_seconds']:.2f} s, medians of {summary['runs']} pairs)",
                target,
                b["ratio_to_bulk_load"] >= BUILD_SHARE_OF_BULK,
            )
        )
    largest = nearest(sizes, BUILD_SIZES[-1])
    memory = f"build peak memory, about {BUILD_SIZES[-1]:,} triples"
    rebuild = f"rebuild after one changed record, about {BUILD_SIZES[-1]:,} triples"
    if largest is None:
        rows.append(Target(memory, "not measured", f"< {PEAK_MB:,} MB", None))
        rows.append(Target(rebuild, "not measured", f"<= {REBUILD_SHARE:.0%} of a full build", None))
    else:
        b, r = largest["build"], largest["rebuild_one_source"]
        readers = b.get("reader_peak_mb", 0.0)
        rows.append(
            Target(
                memory,
                f"{b['peak_mb']:,.0f} MB (main process; each reader process {readers:,.0f} MB, gone before the stores load)",
                f"< {PEAK_MB:,} MB",
                b["peak_mb"] < PEAK_MB and readers < PEAK_MB,
            )
        )
        share = r["seconds"] / r["full_build_seconds"]
        rows.append(
            Target(
                rebuild,
                f"{share:.1%} ({r['seconds']:.2f} s against {r['full_build_seconds']:.2f} s)",
                f"<= {REBUILD_SHARE:.0%} of a full build",
                share <= REBUILD_SHARE and not r.get("was_full"),
            )
        )
    rows += growth_targets(sizes)
    return rows


def growth_targets(sizes: list[dict[str, Any]]) -> list[Target]:
    measure = "each stored query, time at 10x the data / time at 1x (in memory, p50)"
    site_measure = f"the headline at a site with no groups ({EMPTY_SITE}), growth with the corpus"
    prev, last = growth_pair(sizes)
    data = last["triples"] / prev["triples"]
    if data < 5:
        return [
            Target(measure, "not measured (needs sizes about 10x apart)", f"<= {QUERY_GROWTH:.0f}x", None),
            Target(site_measure, "not measured", f"<= {EMPTY_SITE_GROWTH:.0f}x", None),
        ]
    scaled = {
        name: q["p50_ms"] / prev["queries"][name]["p50_ms"] * 10 / data
        for name, q in last["queries"].items()
        if name in prev["queries"]
    }
    worst = sorted(scaled, key=lambda n: -scaled[n])
    over = [n for n in worst if scaled[n] > QUERY_GROWTH]
    refs = last.get("scan_reference", {})
    ref_text = "; ".join(
        f"{name} reference {ref['p50_ms'] / prev['scan_reference'][name]['p50_ms'] * 10 / data:.1f}x"
        for name, ref in refs.items()
        if name in prev.get("scan_reference", {})
    )
    measured = (
        f"{len(scaled) - len(over)} of {len(scaled)} at most {QUERY_GROWTH:.0f}x ({prev['triples']:,} -> "
        f"{last['triples']:,} triples, {data:.1f}x, scaled to 10x)"
        + (
            f"; over: {', '.join(f'{n} {scaled[n]:.1f}x' for n in over)}"
            if over
            else f"; highest {worst[0]} {scaled[worst[0]]:.1f}x"
        )
        + (f"; {ref_text}" if ref_text else "")
    )
    rows = [Target(measure, measured, f"<= {QUERY_GROWTH:.0f}x for every query", not over)]
    sites_prev, sites_last = prev.get("headline_by_site"), last.get("headline_by_site")
    if not sites_prev or not sites_last or EMPTY_SITE not in sites_last:
        rows.append(Target(site_measure, "not measured", f"<= {EMPTY_SITE_GROWTH:.0f}x", None))
        return rows
    empty_prev, empty_last = sites_prev[EMPTY_SITE], sites_last[EMPTY_SITE]
    growth = empty_last["p50_ms"] / empty_prev["p50_ms"]
    measured = (
        f"{empty_prev['p50_ms']:.1f} -> {empty_last['p50_ms']:.1f} ms, {growth:.1f}x for {data:.1f}x the data "
        f"({empty_prev['groups']} -> {empty_last['groups']} groups at the site)"
    )
    if DEFAULT_SITE in sites_last and DEFAULT_SITE in sites_prev:
        d_prev, d_last = sites_prev[DEFAULT_SITE], sites_last[DEFAULT_SITE]
        measured += (
            f"; {DEFAULT_SITE} {d_prev['p50_ms']:.1f} -> {d_last['p50_ms']:.1f} ms for "
            f"{d_prev['groups']:,} -> {d_last['groups']:,} groups"
        )
    grows_not = empty_last["groups"] == 0 and growth <= EMPTY_SITE_GROWTH
    rows.append(Target(site_measure, measured, f"<= {EMPTY_SITE_GROWTH:.0f}x (no groups there)", grows_not))
    return rows


def serve_targets(results: list[dict[str, Any]]) -> list[Target]:
    rows = []
    for query, label, floor in (
        ("count", "a cheap count", CHEAP_COUNT_VS_OXIGRAPH),
        ("headline", "the headline", HEADLINE_VS_OXIGRAPH),
    ):
        measure = f"{label} without the answer cache vs Oxigraph's server, corpus, {SERVE_CLIENTS} clients"
        entry = next(
            (
                r
                for r in results
                if r.get("graph") == "corpus" and r.get("query") == query and r.get("clients") == SERVE_CLIENTS
            ),
            None,
        )
        if entry is None or not entry.get("oxigraph_rps"):
            rows.append(Target(measure, "not measured", f">= {floor}x", None))
            continue
        ratio = entry["vskg_nocache_rps"] / entry["oxigraph_rps"]
        rows.append(
            Target(
                measure,
                f"{ratio:.2f}x ({entry['vskg_nocache_rps']:,.0f} against {entry['oxigraph_rps']:,.0f} req/s"
                f"{'' if entry.get('answers_equal') else '; ROWS DIFFER'})",
                f">= {floor}x",
                ratio >= floor and bool(entry.get("answers_equal")),
            )
        )
    return rows


def table(rows: list[Target], heading: str) -> str:
    lines = [heading, "", "| measure | measured | target | met? |", "|---|---|---|---|"]
    for row in rows:
        met = "not measured" if row.met is None else "yes" if row.met else "**no**"
        lines.append(f"| {row.measure} | {row.measured} | {row.target} | {met} |")
    return "\n".join(lines)


def main() -> int:
    printed = False
    bench, serve = RESULTS / "bench.json", RESULTS / "serve.json"
    if bench.exists():
        summary = json.loads(bench.read_text(encoding="utf-8"))
        print(
            table(
                build_targets(summary), f"Targets, `bash scripts/bench.sh` of {summary['date']} ({summary['machine']})"
            )
        )
        printed = True
    if serve.exists():
        measured = json.loads(serve.read_text(encoding="utf-8"))
        print(
            ("\n" if printed else "")
            + table(
                serve_targets(measured["results"]),
                f"Targets, `bash scripts/bench-serve.sh` of {measured['meta']['date']}",
            )
        )
        printed = True
    if not printed:
        print(
            f"no results in {RESULTS}: run `bash scripts/bench.sh` and `bash scripts/bench-serve.sh` first",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
