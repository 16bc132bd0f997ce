"""The similarity benchmark on a tiny synthetic literature: every figure measured, no timing asserted."""

from __future__ import annotations

from pathlib import Path

from benchmarks.similar import measure, synthetic_groups, synthetic_literature, table
from kg.build.pipeline import build


def test_the_benchmark_measures_a_search_against_the_listing(tmp_path: Path) -> None:
    folder = synthetic_literature(tmp_path, 30, seed=3)
    graph = build(folder)
    assert synthetic_groups(folder) >= 30
    measured = measure(graph, runs=2)
    assert measured["groups"] == measured["listing_rows"] == synthetic_groups(folder)
    for key in ("listing_ms", "index_ms", "search_ms", "rank_ms"):
        assert measured[key] > 0, key
    assert len(measured["top"]) == 10
    assert "| tiny | " in table({"tiny": measured})
