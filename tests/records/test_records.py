"""Bad records: one clear error naming file, field and what would be valid; the store stays as it was."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from kg import KGError, RecordError, RecordErrors, build
from kg.build import pipeline
from kg.build.pipeline import compile_quads
from kg.store.disk import current_store_path, open_store
from kg.store.embedded import NQuads
from tests.conftest import PROJECT

SEED = "aalaoui-2026.yaml"


def _edit(data: Path, name: str, change: str, to: str) -> Path:
    path = data / name
    text = path.read_text(encoding="utf-8")
    assert change in text, f"test setup: {change!r} not in {name}"
    path.write_text(text.replace(change, to, 1), encoding="utf-8")
    return path


def _error(data: Path) -> str:
    with pytest.raises(KGError) as info:
        compile_quads(data, PROJECT.ontology)
    return str(info.value)


CASES = [
    # (file, text to change, replacement, expected field, words of the remedy)
    (SEED, "study_design: CaseReport\n", "study_design: CaseReport\n  bad: [\n", "line", "YAML syntax error"),
    (
        SEED,
        "label: Aalaoui et al. (2026)\n",
        "label: Aalaoui et al. (2026)\nlabels: x\n",
        "labels",
        "did you mean 'label'",
    ),
    (SEED, "    age: 50\n", "    age: fifty\n", "groups[0](aalaoui-2026-present-case).age", "valid integer"),
    (
        SEED,
        "site: {term: FemoralVein, laterality: Left, as_printed: left femoral vein}",
        "site: {term: ThighVein, laterality: Left, as_printed: left femoral vein}",
        "groups[0](aalaoui-2026-present-case).tumour.site.term",
        "FemoralVein",
    ),
    (
        SEED,
        "term: SurgicalResection\n",
        "term: Surgery\n",
        "groups[0](aalaoui-2026-present-case).events[6](resection).term",
        "SurgicalResection",
    ),
    (
        SEED,
        "agents: [Doxorubicin]\n",
        "agents: [Adriamycin]\n",
        "groups[0](aalaoui-2026-present-case).events[14](line-1).agents",
        "Doxorubicin",
    ),
    (SEED, "{number: 7, work: hong-2016}", "{number: 7, work: hong-2017}", "references[6].work", "data/hong-2017.yaml"),
    (
        SEED,
        "    reported_in: kevorkian-1973\n",
        "    reported_in: kevorkian-1974\n",
        "groups[1](kevorkian-1973-table-1).reported_in",
        "kevorkian-1974",
    ),
    (
        SEED,
        "  - id: hines-1999-table-1\n",
        "  - id: kevorkian-1973-table-1\n",
        "groups[3](kevorkian-1973-table-1).id",
        "already used",
    ),
    (
        SEED,
        "      - id: swelling\n",
        "      - id: pain\n",
        "groups[0](aalaoui-2026-present-case).events[1].id",
        "used twice",
    ),
    (SEED, "    n_patients: 12\n", "    n_patients: 1\n", "groups[1](kevorkian-1973-table-1).n_patients", "2 or more"),
    (
        SEED,
        "        at: {months: 9, after: resection}\n        finding",
        "        at: {months: 9, after: surgery}\n        finding",
        "groups[0](aalaoui-2026-present-case).events[8](surveillance-ct).at.after",
        "resection",
    ),
    (
        SEED,
        "      - {id: radiotherapy, term: Radiotherapy, exposure: some,",
        "      - {id: radiotherapy, term: Radiotherapy, exposure: several,",
        "groups[1](kevorkian-1973-table-1).events[2](radiotherapy).exposure",
        "'all', 'some' or 'none'",
    ),
    ("hong-2016.yaml", "id: hong-2016\n", "id: hong-2016-x\n", "id", "name the file"),
]


@pytest.mark.parametrize(("file", "change", "to", "field", "remedy"), CASES, ids=[c[3] for c in CASES])
def test_bad_record_gives_one_clear_error(
    data_copy: Path, file: str, change: str, to: str, field: str, remedy: str
) -> None:
    _edit(data_copy, file, change, to)
    message = _error(data_copy)
    assert str(data_copy / file) in message, message
    assert field in message, message
    assert remedy in message, message
    assert "Traceback" not in message


def test_unknown_site_lists_valid_sites(data_copy: Path) -> None:
    _edit(
        data_copy,
        SEED,
        "{term: PeripheralVein, as_printed: Peripheral veins}",
        "{term: PeripheralVeins, as_printed: Peripheral veins}",
    )
    with pytest.raises(RecordError) as info:
        compile_quads(data_copy, PROJECT.ontology)
    assert info.value.field.endswith("tumour.site.term")
    assert "did you mean 'PeripheralVein'" in info.value.problem
    assert "InferiorVenaCava" in info.value.problem


def test_several_errors_are_reported_together(data_copy: Path) -> None:
    _edit(data_copy, SEED, "    age: 50\n", "    age: -3\n")
    _edit(data_copy, "hong-2016.yaml", "  year: 2016", "  year: '2016'")
    with pytest.raises(RecordErrors) as info:
        compile_quads(data_copy, PROJECT.ontology)
    fields = sorted((Path(e.file).name, e.field) for e in info.value.errors)
    assert fields == [
        ("aalaoui-2026.yaml", "groups[0](aalaoui-2026-present-case).age"),
        ("hong-2016.yaml", "citation.year"),
    ]
    # once the files parse, vocabulary problems of several files are also reported together
    _edit(data_copy, SEED, "    age: -3\n", "    age: 50\n")
    _edit(data_copy, "hong-2016.yaml", "  year: '2016'", "  year: 2016")
    _edit(data_copy, "hong-2016.yaml", "study_design: CaseReport", "study_design: Anecdote")
    _edit(data_copy, "maki-2007.yaml", "study_design: RandomisedControlledTrial", "study_design: Trial")
    with pytest.raises(RecordErrors) as info:
        compile_quads(data_copy, PROJECT.ontology)
    assert sorted(Path(e.file).name for e in info.value.errors) == ["hong-2016.yaml", "maki-2007.yaml"]


def test_non_utf8_and_alias_bombs_are_refused(data_copy: Path) -> None:
    (data_copy / "bad-bytes.yaml").write_bytes(b"id: bad-bytes\nlabel: \xff\xfe\n")
    assert "is not UTF-8" in _error(data_copy)
    (data_copy / "bad-bytes.yaml").unlink()
    bomb = "id: bomb\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b]\n"
    (data_copy / "bomb.yaml").write_text(bomb, encoding="utf-8")
    message = _error(data_copy)
    assert "line 3" in message and "aliases (*a) are not allowed" in message


def test_deep_nesting_is_refused(data_copy: Path) -> None:
    (data_copy / "deep.yaml").write_text("id: deep\nnote: " + "[" * 200 + "]" * 200 + "\n", encoding="utf-8")
    assert "nesting deeper than" in _error(data_copy)


def test_every_record_in_data_loads_and_round_trips() -> None:
    compiled = compile_quads(PROJECT.data, PROJECT.ontology, keep_records=True)
    ids = sorted(r.id for r in compiled.records)
    assert ids == sorted(compiled.summaries)
    assert ids == sorted(p.stem for p in PROJECT.data.glob("*.yaml"))
    for path in PROJECT.data.glob("*.yaml"):
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["id"] == path.stem


def test_failed_build_leaves_the_store_untouched(data_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=store)
    before_path = current_store_path(store)
    before = sorted(str(q) for q in open_store(store))
    _edit(data_copy, SEED, "term: SurgicalResection\n", "term: Surgery\n")
    with pytest.raises(KGError):
        build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=store)
    assert current_store_path(store) == before_path
    assert sorted(str(q) for q in open_store(store)) == before
    assert sorted(p.name for p in (store / "stores").iterdir()) == [before_path.name, f"{before_path.name}.state"]


def test_a_bad_iri_fails_the_build_though_the_disk_loader_is_lenient(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk loader skips IRI checks on text the in-memory copy parses strictly: a mapping that
    wrote a bad IRI still fails the build, and the current store stays."""
    store = tmp_path / "store"
    build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=store)
    before = current_store_path(store)
    bad = b'<https://w3id.org/vskg/id/case/a b> <https://example.org/p> "x" <https://example.org/g> .\n'
    real = pipeline.compile_quads

    def with_a_bad_iri(*args: object, **kwargs: object) -> pipeline.Compiled:
        compiled = real(*args, **kwargs)  # type: ignore[arg-type]
        return replace(compiled, nquads=NQuads((*compiled.nquads.chunks, bad)))

    monkeypatch.setattr(pipeline, "compile_quads", with_a_bad_iri)
    with pytest.raises(SyntaxError, match="Invalid IRI"):
        build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=store)
    assert current_store_path(store) == before
    assert sorted(p.name for p in (store / "stores").iterdir()) == [before.name, f"{before.name}.state"]


def test_failed_validation_leaves_the_store_untouched(data_copy: Path, tmp_path: Path) -> None:
    """A record that parses but breaks a shape (a QC check) does not replace the store."""
    store = tmp_path / "store"
    build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=store)
    before = current_store_path(store)
    shapes = tmp_path / "ontology"
    shapes.mkdir()
    (shapes / "vskg.ttl").write_text((PROJECT.ontology / "vskg.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    strict = (PROJECT.ontology / "shapes.ttl").read_text(encoding="utf-8")
    strict = re.sub(r"sh:path vskg:ageYears ; sh:maxCount 1", "sh:path vskg:ageYears ; sh:maxCount 0", strict)
    (shapes / "shapes.ttl").write_text(strict, encoding="utf-8")
    with pytest.raises(KGError, match="failed validation"):
        build(data_copy, ontology_dir=shapes, queries_dir=PROJECT.queries, store_path=store)
    assert current_store_path(store) == before
