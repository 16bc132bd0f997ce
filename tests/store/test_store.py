"""On-disk store: atomic replacement and a single writer."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import StoreError
from kg.store.disk import current_store_path, open_store, write_store

Q = ox.Quad(
    ox.NamedNode("https://example.org/s"),
    ox.NamedNode("https://example.org/p"),
    ox.Literal("1"),
    ox.NamedNode("https://example.org/g"),
)
Q2 = ox.Quad(
    ox.NamedNode("https://example.org/s"),
    ox.NamedNode("https://example.org/p"),
    ox.Literal("2"),
    ox.NamedNode("https://example.org/g"),
)


def test_replacement_switches_whole_stores(tmp_path: Path) -> None:
    first = write_store(tmp_path, [Q])
    assert current_store_path(tmp_path) == first
    second = write_store(tmp_path, [Q2])
    assert current_store_path(tmp_path) == second and not first.exists()
    assert list(open_store(tmp_path)) == [Q2]


def test_leftover_of_a_killed_build_is_ignored_and_cleaned(tmp_path: Path) -> None:
    write_store(tmp_path, [Q])
    partial = tmp_path / "stores" / "build-killed"
    partial.mkdir()
    (partial / "garbage").write_text("half-written", encoding="utf-8")
    assert list(open_store(tmp_path)) == [Q]
    write_store(tmp_path, [Q2])
    assert not partial.exists()


def test_second_writer_is_refused(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    with open(tmp_path / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match="another build"):
            write_store(tmp_path, [Q])


def test_dangling_pointer_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "CURRENT").write_text("build-gone\n", encoding="utf-8")
    with pytest.raises(StoreError, match="missing"):
        open_store(tmp_path)
