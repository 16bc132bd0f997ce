"""Rebuilding after records changed: only the changed sources are redone, and the result is
exactly what a full build gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import KGError, build
from kg.build import update
from kg.store import current_store_path, open_store
from tests.conftest import PROJECT


def _quads(store: Path) -> list[str]:
    return sorted(str(q) for q in open_store(store))


def _full(data: Path) -> list[str]:
    return sorted(str(q) for q in build(data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries).quads())


def _update(data: Path, store: Path, ontology: Path = PROJECT.ontology) -> object:
    return update(data, ontology_dir=ontology, queries_dir=PROJECT.queries, store_path=store)


def test_changed_added_and_removed_sources(data_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert _update(data_copy, store).full  # type: ignore[attr-defined]
    assert not _update(data_copy, store).changed  # type: ignore[attr-defined]
    valle = data_copy / "valle-2014.yaml"
    valle.write_text(valle.read_text(encoding="utf-8").replace("  age: 77", "  age: 78"), encoding="utf-8")
    shutil.copy(data_copy / "reddy-2010.yaml", data_copy / "reddy-2010-copy.yaml")
    copy = data_copy / "reddy-2010-copy.yaml"
    copy.write_text(copy.read_text(encoding="utf-8").replace("reddy-2010", "reddy-2010-copy"), encoding="utf-8")
    (data_copy / "braun-2013.yaml").unlink()
    report = _update(data_copy, store)
    assert report.changed == ["reddy-2010-copy", "valle-2014"] and report.removed == ["braun-2013"]  # type: ignore[attr-defined]
    assert _quads(store) == _full(data_copy)


def test_a_broken_change_leaves_the_store(data_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    _update(data_copy, store)
    before = (current_store_path(store), _quads(store))
    valle = data_copy / "valle-2014.yaml"
    valle.write_text(
        valle.read_text(encoding="utf-8").replace("term: SurgicalResection", "term: Surgery"), encoding="utf-8"
    )
    with pytest.raises(KGError, match="Surgery"):
        _update(data_copy, store)
    assert (current_store_path(store), _quads(store)) == before
    # removing a source other records refer to is caught by the checks of every record
    valle.write_text((PROJECT.data / "valle-2014.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (data_copy / "hong-2016.yaml").unlink()
    with pytest.raises(KGError, match="hong-2016"):
        _update(data_copy, store)
    assert (current_store_path(store), _quads(store)) == before


def test_ontology_change_means_a_full_build(data_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    _update(data_copy, store)
    ontology = tmp_path / "ontology"
    shutil.copytree(PROJECT.ontology, ontology)
    with open(ontology / "vskg.ttl", "a", encoding="utf-8") as handle:
        handle.write("\n# a comment changes the file, so the ontology is rebuilt\n")
    assert _update(data_copy, store, ontology).full  # type: ignore[attr-defined]
