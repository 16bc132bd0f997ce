"""The `vskg` command as a user runs it: a fresh process, exit codes, no tracebacks."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.query.catalog import load_catalog
from tests.conftest import PROJECT, ROOT, SEED


def vskg(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    done = vskg("build", "--store", str(path))
    assert done.returncode == 0, done.stderr
    assert "named graphs" in done.stdout
    return path


def test_femoral_query_prints_hong_and_the_present_case_with_their_basis(store: Path) -> None:
    done = vskg("query", "femoral-recurrence-after-surgery-alone", "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert "Hong et al. (2016)" in done.stdout and "Table 1, row 4" in done.stdout
    assert "Aalaoui et al. (2026)" in done.stdout and "stated reason; stated sequence; stated time" in done.stdout
    assert "(2 rows)" in done.stdout


@pytest.mark.parametrize("fmt", ["csv", "json", "tsv"])
def test_output_formats(store: Path, fmt: str) -> None:
    done = vskg("query", "dvt-presentations", "--format", fmt, "--store", str(store))
    assert done.returncode == 0, done.stderr
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        assert {r["source_label"] for r in rows} >= {"Hong et al. (2016)", "Aalaoui et al. (2026)"}
    elif fmt == "json":
        data = json.loads(done.stdout)
        assert "source_label" in data["head"]["vars"] and data["results"]["bindings"]
    else:
        assert done.stdout.startswith("?source\t")


def test_parameters_and_raw_sparql(store: Path) -> None:
    done = vskg("query", "groups-at-site", "--param", "site=vskg:InferiorVenaCava", "--store", str(store))
    assert "Hines et al. (1999)" in done.stdout and "some patients" in done.stdout
    raw = vskg(
        "query",
        "--sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a vskg:Case }",
        "--format",
        "csv",
        "--store",
        str(store),
    )
    assert raw.returncode == 0 and int(raw.stdout.splitlines()[1]) > 3
    seed_args = [arg for s in SEED for arg in ("--source", s)]
    seed = vskg("query", "patients-per-site", "--format", "csv", "--store", str(store), *seed_args)
    assert [line for line in seed.stdout.splitlines() if line][-1].startswith(",(all locations),,,122,0,3,4,")
    ask = vskg("query", "--sparql", "ASK { ?c a vskg:Cohort }", "--store", str(store))
    assert ask.stdout.strip() == "true"


def test_errors_are_one_line_without_traceback(store: Path, tmp_path: Path) -> None:
    for args in (
        ("query", "no-such-query", "--store", str(store)),
        ("query", "groups-at-site", "--param", "site=<bad iri>", "--store", str(store)),
        ("query", "groups-at-site", "--param", "nosuch=1", "--store", str(store)),
        ("query", "--sparql", "SELECT WHERE {", "--store", str(store)),
        ("query", "dvt-presentations", "--store", str(tmp_path / "empty")),
        ("build", "--data", str(tmp_path / "missing"), "--store", str(tmp_path / "s")),
    ):
        done = vskg(*args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stderr.startswith("vskg: error: "), done.stderr
        assert "Traceback" not in done.stderr


def test_validate_reports_consistency_and_audit() -> None:
    done = vskg("validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "shapes and QC checks: passed" in done.stdout
    assert "citation audit: 16 printed number(s)" in done.stdout
    assert "Table 1, row 4" in done.stdout


def test_export_and_queries_listing(store: Path, tmp_path: Path) -> None:
    done = vskg("export", "--format", "ttl,owl", "--out", str(tmp_path), "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "vskg-ontology.jsonld",
        "vskg-ontology.owl",
        "vskg-ontology.ttl",
        "vskg.ttl",
    ]
    listing = vskg("queries", "--headline")
    assert "femoral-recurrence-after-surgery-alone *" in listing.stdout
    assert "case-timeline" not in listing.stdout
    bad = vskg("export", "--format", "xls", "--out", str(tmp_path), "--store", str(store))
    assert bad.returncode == 2 and "valid: ttl" in bad.stderr


def test_headline_run(store: Path) -> None:
    done = vskg("query", "--headline", "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n## ") == len([q for q in load_catalog(PROJECT.queries).values() if q.headline])
    assert PROJECT.queries.is_dir()


def test_stats_splits_the_total_by_vessel_kind_and_histology(store: Path) -> None:
    done = vskg("stats", "--store", str(store))
    assert done.returncode == 0, done.stderr
    head, by_vessel, by_histology = done.stdout.splitlines()[:3]
    total = int(head.split("patients: ")[1].split()[0])
    vessel = {
        k: int(n) for k, n in (part.rsplit(": ", 1) for part in by_vessel.removeprefix("by vessel - ").split("; "))
    }
    histology = dict(part.rsplit(": ", 1) for part in by_histology.removeprefix("by histology - ").split("; "))
    # the same patients counted three ways: in total, by vessel kind, by histology
    assert sum(vessel.values()) == total == sum(int(n) for n in histology.values())
    assert vessel["veins"] > 0 and vessel["arteries"] > 0
    assert int(histology["leiomyosarcoma"]) > int(histology["intimal sarcoma"]) > 0
