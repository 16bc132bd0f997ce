"""The embedded pyoxigraph store: in memory, or on disk with atomic replacement."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError

POINTER = "CURRENT"
STORES = "stores"


def memory_store(quads: Iterable[ox.Quad]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(quads)
    return store


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreError(f"{root}: another build is writing this store; wait for it to finish") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_store(root: Path, quads: Iterable[ox.Quad]) -> Path:
    """Write a new on-disk store beside the current one, then switch to it atomically.

    The pointer file is replaced with os.replace, so a reader (or a build killed at any
    moment) sees either the old complete store or the new complete one, never a mix.
    """
    with _locked(root):
        stores = root / STORES
        stores.mkdir(exist_ok=True)
        name = f"build-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**9}"
        target = stores / name
        store = ox.Store(str(target))
        store.bulk_extend(quads)
        store.flush()
        store.optimize()
        del store
        tmp = root / f".{POINTER}.tmp"
        tmp.write_text(name + "\n", encoding="utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, root / POINTER)
        for old in stores.iterdir():
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
        return target


def current_store_path(root: Path) -> Path:
    pointer = root / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise StoreError(f"{root}: no built graph here; run `vskg build` first") from None
    path = root / STORES / name
    if not path.is_dir():
        raise StoreError(f"{root}: the pointer names {name}, which is missing; run `vskg build` again")
    return path


def open_store(root: Path) -> ox.Store:
    """Open the current on-disk store read-only."""
    path = current_store_path(root)
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the store: {exc}") from exc
