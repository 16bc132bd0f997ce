"""The synthetic literature: deterministic, valid, marked synthetic, never mixed with curated data."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kg import KGError, build
from kg.curation.synth import SynthError, synthesize
from tests.conftest import PROJECT


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.glob("*.yaml")):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def test_same_seed_same_literature_and_it_builds(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    sources, patients = synthesize(300, 5, a, project=PROJECT)
    assert patients >= 300 and sources > 10
    synthesize(300, 5, b, project=PROJECT)
    synthesize(300, 6, c, project=PROJECT)
    assert _digest(a) == _digest(b) != _digest(c)
    graph = build(a, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)
    marked = graph.sparql("SELECT (COUNT(?s) AS ?n) WHERE { ?s vskg:synthetic true }")
    assert int(marked.rows[0][0].value) == sources  # type: ignore[union-attr]
    designs = graph.query("stats-by-design").column("design")
    assert {"case report", "case series", "retrospective cohort study"} <= set(designs)
    assert len(graph.query("dissociated-responses")) + len(graph.query("lung-metastases")) > 0
    total = graph.query("patients-per-site").records()[-1]
    assert int(str(total["patients"])) == patients


def test_synthetic_records_never_reach_the_curated_data(tmp_path: Path, data_copy: Path) -> None:
    with pytest.raises(SynthError, match="never go into"):
        synthesize(10, 1, PROJECT.data, project=PROJECT)
    with pytest.raises(SynthError, match="never go into"):
        synthesize(10, 1, PROJECT.data / "sub", project=PROJECT)
    synthesize(10, 1, tmp_path / "synthetic", project=PROJECT)
    one = next((tmp_path / "synthetic").glob("*.yaml"))
    (data_copy / one.name).write_bytes(one.read_bytes())
    with pytest.raises(KGError, match="synthetic record\\(s\\) mixed with curated ones"):
        build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)
    with pytest.raises(SynthError, match="not synthetic"):
        synthesize(10, 1, data_copy, project=PROJECT)


def test_size_by_sources_is_exact_and_institutions_grow_with_the_literature(tmp_path: Path) -> None:
    small, large = tmp_path / "small", tmp_path / "large"
    assert synthesize(None, 3, small, sources=40, project=PROJECT)[0] == 40
    assert len(list(small.glob("*.yaml"))) == 40
    synthesize(None, 3, large, sources=900, project=PROJECT)
    centres = {
        line.split(":", 1)[1].strip()
        for path in large.glob("*.yaml")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("institution:")
    }
    assert len(centres) > 40
    with pytest.raises(SynthError, match="not both"):
        synthesize(10, 3, tmp_path / "both", sources=10, project=PROJECT)
