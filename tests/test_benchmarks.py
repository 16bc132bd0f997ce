"""The benchmark's query timing on a tiny synthetic literature: every stored query measured, both forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.run import SCAN_REFERENCE, reference_growth, time_queries
from benchmarks.targets import DEFAULT_SITE, EMPTY_SITE, Target, build_targets, growth_pair, serve_targets
from benchmarks.targets import table as targets_table
from kg.build.pipeline import build
from kg.curation.synth import synthesize
from kg.query.catalog import load_catalog
from tests.conftest import PROJECT


def test_every_stored_query_and_the_scan_reference_are_timed(tmp_path: Path) -> None:
    synthesize(None, 2, tmp_path / "synthetic", sources=6, project=PROJECT)
    build(tmp_path / "synthetic", store_path=tmp_path / "store")
    timed = time_queries(tmp_path / "synthetic", runs=2, store_root=tmp_path / "store")
    stored = sorted(n for n in load_catalog(PROJECT.queries) if not n.startswith("qc/"))
    assert sorted(timed["queries"]) == stored
    for entry in timed["queries"].values():
        assert entry["p50_ms"] > 0 and entry["p95_ms"] >= entry["p50_ms"] and entry["plain_pyoxigraph_p50_ms"] > 0
        assert entry["on_disk_p50_ms"] > 0
    assert sorted(timed["reference"]) == sorted(SCAN_REFERENCE)
    small, large = {"scan_reference": timed["reference"]}, {"scan_reference": timed["reference"]}
    assert "scan `SELECT" in reference_growth(small, large) and "1.0x" in reference_growth(small, large)
    assert sorted(timed["headline_by_site"]) == sorted([EMPTY_SITE, DEFAULT_SITE])
    assert (
        timed["headline_by_site"][EMPTY_SITE]["groups"] == 0 and timed["headline_by_site"][DEFAULT_SITE]["p50_ms"] > 0
    )


def _size(triples: int, *, ratio: float = 0.7, peak: float = 1300.0, rebuild: float = 0.5, query_ms: float = 10.0,
          empty_ms: float = 1.0, empty_groups: int = 0) -> dict[str, Any]:  # fmt: skip
    """One size of a benchmark summary, as benchmarks.run writes it, with what the targets read."""
    return {
        "triples": triples,
        "build": {
            "seconds": 10.0,
            "bulk_load_seconds": 10.0 * ratio,
            "ratio_to_bulk_load": ratio,
            "peak_mb": peak,
            "reader_peak_mb": 600.0,
        },
        "rebuild_one_source": {"seconds": rebuild, "full_build_seconds": 10.0, "was_full": 0},
        "queries": {"q": {"p50_ms": query_ms}},
        "scan_reference": {"join": {"p50_ms": query_ms}},
        "headline_by_site": {
            EMPTY_SITE: {"groups": empty_groups, "p50_ms": empty_ms},
            DEFAULT_SITE: {"groups": triples // 1000, "p50_ms": triples / 1000},
        },
    }


def _met(rows: list[Target], words: str) -> bool | None:
    (row,) = [r for r in rows if words in r.measure]
    return row.met


def test_growth_is_read_between_the_largest_size_and_the_size_nearest_a_tenth_of_it() -> None:
    sizes = [_size(t) for t in (1_003_498, 10_178, 405_000, 105_371)]
    prev, last = growth_pair(sizes)
    assert (prev["triples"], last["triples"]) == (105_371, 1_003_498)


@pytest.mark.parametrize(("ratio", "met"), [(0.61, True), (0.59, False)])
def test_the_build_target_is_judged_at_400k_and_1m(ratio: float, met: bool) -> None:
    rows = build_targets({"runs": 3, "sizes": [_size(100_000), _size(400_000, ratio=ratio), _size(1_000_000)]})
    assert _met(rows, "load, about 400,000") is met and _met(rows, "load, about 1,000,000") is True


def test_a_size_not_measured_is_said_to_be_not_measured_rather_than_met() -> None:
    rows = build_targets({"runs": 3, "sizes": [_size(100_000), _size(1_000_000)]})
    (row,) = [r for r in rows if "about 400,000" in r.measure]
    assert row.met is None and "not measured" in row.measured
    assert "| not measured |" in targets_table(rows, "heading")


@pytest.mark.parametrize(
    ("peak", "rebuild", "memory_met", "rebuild_met"), [(2000, 0.5, True, True), (2100, 0.6, False, False)]
)
def test_memory_and_rebuild_targets_at_1m(peak: float, rebuild: float, memory_met: bool, rebuild_met: bool) -> None:
    rows = build_targets({"runs": 3, "sizes": [_size(100_000), _size(1_000_000, peak=peak, rebuild=rebuild)]})
    assert _met(rows, "peak memory") is memory_met and _met(rows, "rebuild") is rebuild_met


@pytest.mark.parametrize(
    ("triples", "query_ms", "met"), [(1_000_000, 100.0, True), (1_000_000, 101.0, False), (950_000, 98.0, False)]
)
def test_query_growth_is_scaled_to_ten_times_the_data(triples: int, query_ms: float, met: bool) -> None:
    """100 ms at 10x the data is 10x; 98 ms at 9.5x the data is 10.3x at 10x."""
    rows = build_targets({"runs": 3, "sizes": [_size(100_000, query_ms=10.0), _size(triples, query_ms=query_ms)]})
    assert _met(rows, "each stored query") is met


@pytest.mark.parametrize(("empty_ms", "groups", "met"), [(1.9, 0, True), (2.5, 0, False), (1.2, 3, False)])
def test_the_headline_at_a_site_with_no_groups_must_not_follow_the_corpus(
    empty_ms: float, groups: int, met: bool
) -> None:
    rows = build_targets(
        {"runs": 3, "sizes": [_size(100_000), _size(1_000_000, empty_ms=empty_ms, empty_groups=groups)]}
    )
    assert _met(rows, "site with no groups") is met


def _served(query: str, nocache: float, oxigraph: float, equal: bool = True) -> dict[str, Any]:
    return {"graph": "corpus", "query": query, "clients": 10, "answers_equal": equal,
            "vskg_nocache_rps": nocache, "oxigraph_rps": oxigraph}  # fmt: skip


def test_serving_targets_are_ratios_to_oxigraph_at_ten_clients() -> None:
    met = serve_targets([_served("count", 3100, 10000), _served("headline", 150, 100)])
    assert [r.met for r in met] == [True, True]
    missed = serve_targets([_served("count", 2900, 10000), _served("headline", 150, 100, equal=False)])
    assert [r.met for r in missed] == [False, False] and "ROWS DIFFER" in missed[1].measured
    assert [r.met for r in serve_targets([])] == [None, None]
