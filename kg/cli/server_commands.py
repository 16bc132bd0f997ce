"""Commands that put the graph on a server: serve (vskg's own) and push (a SPARQL server)."""

from __future__ import annotations

import argparse
import importlib.util
import os
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.cli.common import paths, remote_store
from kg.errors import KGError
from kg.project import Project
from kg.query.graph import KnowledgeGraph


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from kg.store.disk import current_store_path
    from kg.web.settings import SETTINGS_VARIABLE, Settings, settings_to_json
    from kg.web.startup import start_app

    _, _, queries, store = paths(args)
    dumps = Path(args.dumps) if args.dumps else Project.find().dist
    # nothing is written here: missing dumps and the report are written when first asked for
    # (kg.web.artefacts), so that the server answers queries within a second or two of starting
    settings = Settings(
        current_store_path(store),
        queries,
        dumps,
        timeout=args.timeout,
        max_results=args.max_results,
        max_request_bytes=args.max_request_bytes,
        workers=args.workers,
        report_dir=dumps / "report",
        in_memory=args.in_memory,
        cache_bytes=args.cache_bytes,
        watch_root=store,
    )
    print(f"serving {store} at http://{args.host}:{args.port}/ (SPARQL endpoint /sparql, query page /query)")
    fast = _fast_http()
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": "warning",
        "limit_concurrency": args.max_connections,
        "timeout_keep_alive": 5,
        **fast,
    }
    if "http" not in fast:
        options["h11_max_incomplete_event_size"] = 65536
    processes = args.processes if args.processes is not None else min(os.cpu_count() or 1, 4)
    if processes > 1:  # several HTTP processes share the port, each with its own query workers
        os.environ[SETTINGS_VARIABLE] = settings_to_json(settings)
        uvicorn.run("kg.web.startup:create_app_from_environment", factory=True, workers=processes, **options)
    else:
        uvicorn.run(start_app(settings), **options)
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from collections import defaultdict

    from kg.store.remote import push

    if not args.endpoint:
        raise KGError("push needs --endpoint URL (and usually --graph-store URL, --user and --password-file)")
    _, _, queries, store = paths(args)
    local = KnowledgeGraph.open(store, queries_dir=queries)
    by_graph: dict[str, list[Any]] = defaultdict(list)
    for quad in local.quads():
        if isinstance(quad.graph_name, ox.NamedNode):
            by_graph[quad.graph_name.value].append(quad)
    remote = remote_store(args)
    report = push(by_graph, remote, on_graph=lambda name, n: print(f"pushed {name} ({n} triples)", flush=True))
    seconds = sum(p[3] for p in report.pushed)
    protocols = sorted({p[2] for p in report.pushed})
    print(
        f"pushed {len(report.pushed)} graphs, {sum(p[1] for p in report.pushed)} triples in {seconds:.2f} s "
        f"({', '.join(protocols)})"
    )
    return 0


def _fast_http() -> dict[str, str]:
    """uvicorn's C HTTP parser and event loop where they are installed (uvicorn[standard])."""
    found = {}
    if importlib.util.find_spec("httptools") is not None:
        found["http"] = "httptools"
    if importlib.util.find_spec("uvloop") is not None:
        found["loop"] = "uvloop"
    return found
