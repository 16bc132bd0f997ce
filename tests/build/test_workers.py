"""Reading and mapping in worker processes gives exactly what one process gives, errors included."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import KGError, RecordErrors, build
from kg.build.pipeline import compile_quads, update
from kg.store.disk import open_store
from tests.conftest import PROJECT


def test_two_workers_compile_the_same_quads_and_records() -> None:
    alone = compile_quads(PROJECT.data, PROJECT.ontology, workers=1)
    shared = compile_quads(PROJECT.data, PROJECT.ontology, workers=2)
    assert [r.id for r in shared.records] == [r.id for r in alone.records]
    assert shared.records == alone.records
    assert sorted(map(str, shared.quads)) == sorted(map(str, alone.quads))


def _break(data: Path) -> None:
    # one broken file for each worker: they take alternate files
    names = sorted(p.name for p in data.glob("*.yaml"))
    first, second = data / names[0], data / names[1]
    first.write_text(first.read_text(encoding="utf-8").replace("\nlabel:", "\nlable:", 1), encoding="utf-8")
    second.write_text(second.read_text(encoding="utf-8") + "groups: [\n", encoding="utf-8")


@pytest.mark.parametrize("workers", [1, 2])
def test_errors_of_every_worker_are_reported_in_file_order(data_copy: Path, workers: int) -> None:
    _break(data_copy)
    with pytest.raises(RecordErrors) as caught:
        compile_quads(data_copy, PROJECT.ontology, workers=workers)
    files = [Path(e.file).name for e in caught.value.errors]
    names = sorted(p.name for p in data_copy.glob("*.yaml"))
    assert files[0] == names[0] and files[-1] == names[1]
    assert any("unknown field 'lable'" in e.problem for e in caught.value.errors)
    assert any("YAML syntax error" in e.problem for e in caught.value.errors)


def test_parallel_build_then_rebuild_of_one_source(data_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=store, workers=2)
    valle = data_copy / "valle-2014.yaml"
    valle.write_text(valle.read_text(encoding="utf-8").replace("  age: 77", "  age: 78"), encoding="utf-8")
    report = update(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=store)
    assert not report.full and report.changed == ["valle-2014"]
    full = build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, workers=1)
    assert sorted(str(q) for q in open_store(store)) == sorted(str(q) for q in full.quads())


def test_a_worker_that_dies_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.build import workers as build_workers

    monkeypatch.setattr(build_workers, "WORKER", "import os; os._exit(3)")
    with pytest.raises(KGError, match="build worker stopped without answering"):
        compile_quads(PROJECT.data, PROJECT.ontology, workers=2)
