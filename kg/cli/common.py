"""Shared by the commands: project paths, the graph to open (embedded or remote), result rendering."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.project import Project
from kg.query.graph import KnowledgeGraph
from kg.store.results import QueryResult

OUTPUT_FORMATS = ("table", "csv", "tsv", "json")


def paths(args: argparse.Namespace) -> tuple[Path, Path, Path, Path]:
    project = Project.find()
    return (
        Path(args.data) if args.data else project.data,
        Path(args.ontology) if args.ontology else project.ontology,
        Path(args.queries) if args.queries else project.queries,
        Path(args.store) if args.store else project.store,
    )


def remote_store(args: argparse.Namespace) -> Any:
    from kg.store.remote import RemoteStore

    password = None
    if args.password_file:
        try:
            password = Path(args.password_file).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError) as exc:
            raise KGError(f"{args.password_file}: cannot read a password from the first line ({exc})") from None
    if args.user and password is None:
        raise KGError("--user needs --password-file (a password on the command line would show in process listings)")
    return RemoteStore(
        args.endpoint,
        graph_store=getattr(args, "graph_store", None),
        update_endpoint=getattr(args, "update_endpoint", None),
        user=args.user,
        password=password,
        timeout=args.timeout,
    )


def open_graph(args: argparse.Namespace, queries: Path, store: Path) -> KnowledgeGraph:
    if getattr(args, "endpoint", None):
        return KnowledgeGraph(remote_store(args), queries_dir=queries)
    return KnowledgeGraph.open(store, queries_dir=queries)


def render(result: QueryResult, fmt: str) -> str:
    if fmt == "csv":
        return result.to_csv()
    if fmt == "tsv":
        return result.to_tsv()
    if fmt == "json":
        return result.to_json()
    return result.to_table()
