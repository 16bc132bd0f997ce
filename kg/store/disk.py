"""The on-disk store: each build in a fresh folder, switched to atomically through a pointer file."""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store.embedded import NQuads, fill

POINTER = "CURRENT"
STORES = "stores"


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


def new_store_dir(root: Path) -> Path:
    """A fresh, unused folder for the next store under root/stores."""
    stores = root / STORES
    stores.mkdir(parents=True, exist_ok=True)
    name = f"build-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**9}"
    return stores / name


def switch_to(root: Path, target: Path) -> None:
    """Make target the current store: the pointer file is replaced with os.replace, so a reader (or a
    build killed at any moment) sees either the old complete store or the new complete one."""
    with _locked(root):
        tmp = root / f".{POINTER}.tmp"
        tmp.write_text(target.name + "\n", encoding="utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, root / POINTER)
        for old in (root / STORES).iterdir():
            if old.name not in (target.name, f"{target.name}.state"):
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)


def write_store(
    root: Path,
    quads: Iterable[ox.Quad] | NQuads,
    *,
    while_writing: Callable[[], None] | None = None,
    before_switch: Callable[[Path], None] | None = None,
    lenient: bool = False,
) -> Path:
    """Write a new on-disk store beside the current one, then switch to it atomically.

    `while_writing` runs in this thread while N-Quads load in another (the loader releases the GIL;
    Python quads, which may come from a pyoxigraph iterator bound to this thread, load here first);
    if it raises, the new store is deleted and the current one stays. `lenient` N-Quads skip the
    parser's IRI checks: for text that `while_writing` parses strictly, so that a bad IRI still fails.
    """
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root):
        target = new_store_dir(root)
        failures: list[BaseException] = []

        def load() -> None:
            try:
                store = ox.Store(str(target))
                fill(store, quads, lenient=lenient)
                store.flush()
                store.optimize()
            except BaseException as exc:  # re-raised in the calling thread
                failures.append(exc)

        writer = threading.Thread(target=load, name="vskg-store-writer")
        if isinstance(quads, NQuads):
            writer.start()
        else:
            load()
        checked = False
        try:
            if while_writing is not None:
                while_writing()
            checked = True
        finally:
            if writer.ident is not None:  # started
                writer.join()
            if failures or not checked:
                shutil.rmtree(target, ignore_errors=True)
        if failures:
            raise StoreError(f"{target}: cannot write the store: {failures[0]}") from failures[0]
    if before_switch is not None:
        before_switch(target)
    switch_to(root, target)
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
