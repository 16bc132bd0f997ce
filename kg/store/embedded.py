"""The store interface, and the embedded pyoxigraph store (filled in memory or from N-Quads)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pyoxigraph as ox

from kg.errors import QueryError
from kg.iris import PREFIXES
from kg.store.results import QueryResult, Term
from kg.store.sparql_text import bind_values


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
    fill(store, quads)
    return store


def memory_copy(store: ox.Store) -> ox.Store:
    """A copy of a store (an on-disk one, say) in memory: every lookup without a RocksDB seek."""
    return memory_store(NQuads((store.dump(format=ox.RdfFormat.N_QUADS) or b"",)))


def fill(store: ox.Store, quads: Iterable[ox.Quad] | NQuads, *, lenient: bool = False) -> None:
    """`lenient` skips the parser's IRI and language-tag checks: only for text parsed strictly elsewhere."""
    if isinstance(quads, NQuads):
        for chunk in quads.chunks:
            store.bulk_load(input=chunk, format=ox.RdfFormat.N_QUADS, lenient=lenient)
    else:
        store.bulk_extend(quads)


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
