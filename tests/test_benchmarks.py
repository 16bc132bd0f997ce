"""The benchmark's query timing on a tiny synthetic literature: every stored query measured, both forms."""

from __future__ import annotations

from pathlib import Path

from benchmarks.run import SCAN_REFERENCE, reference_growth, time_queries
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
