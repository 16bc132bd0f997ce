"""Reading and mapping in worker processes gives exactly what one process gives, errors included."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import KGError, RecordErrors, build
from kg.build.pipeline import compile_quads, update
from kg.store.disk import open_store
from tests.conftest import PROJECT


def test_two_workers_compile_the_same_quads_and_records() -> None:
    alone = compile_quads(PROJECT.data, PROJECT.ontology, workers=1, keep_records=True)
    shared = compile_quads(PROJECT.data, PROJECT.ontology, workers=2, keep_records=True)
    assert [r.id for r in shared.records] == [r.id for r in alone.records] == list(alone.summaries)
    assert shared.records == alone.records
    assert shared.summaries == alone.summaries
    assert sorted(map(str, shared.quads)) == sorted(map(str, alone.quads))
    # a build keeps summaries only: the records stay in the workers
    assert compile_quads(PROJECT.data, PROJECT.ontology, workers=2).records == []


@pytest.mark.parametrize("workers", [1, 2])
def test_checks_of_each_record_and_across_records_are_reported_together(data_copy: Path, workers: int) -> None:
    names = sorted(p.name for p in data_copy.glob("*.yaml"))
    # an unknown term in a file of each worker, and group ids used twice (a check across records)
    for name in names[:2]:
        path = data_copy / name
        path.write_text(path.read_text(encoding="utf-8").replace("term: ", "term: Femorral", 1), encoding="utf-8")
    original = (data_copy / names[2]).read_text(encoding="utf-8")
    (data_copy / "zz-twin.yaml").write_text(
        original.replace(f"id: {names[2][:-5]}\n", "id: zz-twin\n", 1), encoding="utf-8"
    )
    with pytest.raises(RecordErrors) as caught:
        compile_quads(data_copy, PROJECT.ontology, workers=workers)
    found = [(Path(e.file).name, e.field, e.problem) for e in caught.value.errors]
    assert any(file == "zz-twin.yaml" and "is already used in" in problem for file, _, problem in found)
    unknown = [file for file, _, problem in found if "unknown" in problem and "Femorral" in problem]
    assert unknown == names[:2]


def test_both_paths_report_the_same_problems_in_the_same_order(data_copy: Path) -> None:
    names = sorted(p.name for p in data_copy.glob("*.yaml"))
    for name in names[:3]:
        path = data_copy / name
        path.write_text(path.read_text(encoding="utf-8").replace("term: ", "term: Femorral", 1), encoding="utf-8")
    reports = []
    for workers in (1, 2):
        with pytest.raises(RecordErrors) as caught:
            compile_quads(data_copy, PROJECT.ontology, workers=workers)
        reports.append([(e.file, e.field, e.problem) for e in caught.value.errors])
    assert reports[0] == reports[1]


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
