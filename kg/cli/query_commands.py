"""Commands that ask questions: queries (the catalogue) and query (stored or raw SPARQL)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kg.cli.common import open_graph, paths, render
from kg.errors import QueryError
from kg.query.catalog import load_catalog
from kg.store.results import QueryResult


def _parse_params(pairs: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise QueryError(f"--param {pair!r}: write it as NAME=VALUE")
        params[key.strip()] = value
    return params


def cmd_queries(args: argparse.Namespace) -> int:
    _, _, queries, _ = paths(args)
    for name, q in sorted(load_catalog(queries).items()):
        if name.startswith("qc/") and not args.qc:
            continue
        if args.headline and not q.headline:
            continue
        params = ", ".join(
            f"{p.name}: {p.type}"
            + (f" ({p.range.describe()})" if p.range else "")
            + (f" = {p.default}" if p.default else "")
            for p in q.params
        )
        print(f"{q.name}{' *' if q.headline else ''}\n    {q.summary}" + (f"\n    params: {params}" if params else ""))
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    _, _, queries, store = paths(args)
    graph = open_graph(args, queries, store)
    if args.sparql is not None or args.file is not None:
        if args.name:
            raise QueryError("give a stored query NAME or --sparql/--file, not both")
        text = args.sparql if args.sparql is not None else Path(args.file).read_text(encoding="utf-8")
        result = graph.sparql(text)
        if isinstance(result, bool):
            print("true" if result else "false")
        elif isinstance(result, QueryResult):
            print(render(result, args.format))
        else:
            for triple in result:
                print(f"{triple} .")
        return 0
    names = [q.name for q in graph.stored_queries() if q.headline] if args.headline else [args.name]
    if not names or names == [None]:
        raise QueryError("name a stored query (see `vskg queries`), or give --sparql, --file or --headline")
    sources = args.source or None
    for name in names:
        if args.headline:
            print(f"\n## {name}: {graph.stored(name).summary}")
        print(render(graph.query(name, sources=sources, **_parse_params(args.param)), args.format))
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    from kg.query.describe import serialize

    _, _, queries, store = paths(args)
    graph = open_graph(args, queries, store)
    sys.stdout.buffer.write(serialize(graph.describe(args.iri), args.format))
    sys.stdout.flush()
    return 0
