"""The store interface, and the embedded pyoxigraph store: in memory, or on disk with atomic replacement."""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from kg.catalog import bind_values
from kg.errors import QueryError, StoreError
from kg.iris import PREFIXES
from kg.results import QueryResult, Term

POINTER = "CURRENT"
STORES = "stores"


@dataclass(frozen=True)
class NQuads:
    """N-Quads text in chunks, loaded by pyoxigraph in Rust (and without the GIL)."""

    chunks: tuple[bytes, ...]

    @classmethod
    def of(cls, quads: Iterable[ox.Quad]) -> NQuads:
        text = ox.serialize(quads, None, ox.RdfFormat.N_QUADS)
        return cls((text or b"",))


def memory_store(quads: Iterable[ox.Quad] | NQuads) -> ox.Store:
    store = ox.Store()
    _fill(store, quads)
    return store


def _fill(store: ox.Store, quads: Iterable[ox.Quad] | NQuads) -> None:
    if isinstance(quads, NQuads):
        for chunk in quads.chunks:
            store.bulk_load(input=chunk, format=ox.RdfFormat.N_QUADS)
    else:
        store.bulk_extend(quads)


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
) -> Path:
    """Write a new on-disk store beside the current one, then switch to it atomically.

    `while_writing` runs in this thread while N-Quads load in another (the loader releases the GIL;
    Python quads, which may come from a pyoxigraph iterator bound to this thread, load here first);
    if it raises, the new store is deleted and the current one stays.
    """
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root):
        target = new_store_dir(root)
        failures: list[BaseException] = []

        def load() -> None:
            try:
                store = ox.Store(str(target))
                _fill(store, quads)
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


class Store(Protocol):
    """What the rest of vskg needs from a triple store: embedded pyoxigraph or a remote endpoint."""

    def select(self, text: str, bindings: Mapping[str, Term], *, graphs: list[str] | None = None) -> QueryResult:
        """Run a SELECT with typed parameter bindings, over the union of all graphs or of `graphs`."""
        ...

    def sparql(self, text: str) -> QueryResult | bool | list[ox.Triple]:
        """Run any read-only query over the union of all graphs."""
        ...

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]: ...

    def graphs(self) -> list[str]: ...

    def __len__(self) -> int: ...


class EmbeddedStore:
    """A pyoxigraph store; parameters become pyoxigraph substitutions."""

    def __init__(self, store: ox.Store) -> None:
        self.ox = store

    def select(
        self, text: str, bindings: Mapping[str, Term], *, graphs: list[str] | None = None, named_only: bool = False
    ) -> QueryResult:
        """`graphs` limits the default graph and GRAPH patterns to those graphs, or with `named_only`
        only the GRAPH patterns (the default graph stays the union of all)."""
        scope: dict[str, Any] = {"use_default_graph_as_union": True}
        if graphs is not None:
            named = [ox.NamedNode(g) for g in graphs]
            everything: dict[str, Any] = {"use_default_graph_as_union": True}
            scope = {"named_graphs": named} | (everything if named_only else {"default_graph": named})
        # The same VALUES binding as on a remote endpoint, so every store runs the same query text.
        try:
            result = self.ox.query(bind_values(text, dict(bindings)), prefixes=PREFIXES, **scope)
        except SyntaxError as exc:
            raise QueryError(f"the query does not parse: {exc}") from exc
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("a stored query must be a SELECT query")
        return QueryResult.from_solutions(result)

    def sparql(self, text: str) -> QueryResult | bool | list[ox.Triple]:
        try:
            result = self.ox.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            return QueryResult.from_solutions(result)
        return list(result)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        return self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph) if graph else None)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self.ox)
