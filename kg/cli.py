"""The `vskg` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.build.pipeline import build, compile_quads
from kg.build.validation import validate_graph
from kg.errors import KGError, QueryError, ReasonerError
from kg.project import Project
from kg.query.catalog import load_catalog
from kg.query.graph import KnowledgeGraph
from kg.records.vocabulary import SHAPES_FILE
from kg.store.dumps import FORMATS
from kg.store.embedded import memory_store
from kg.store.results import QueryResult

OUTPUT_FORMATS = ("table", "csv", "tsv", "json")


def _paths(args: argparse.Namespace) -> tuple[Path, Path, Path, Path]:
    project = Project.find()
    return (
        Path(args.data) if args.data else project.data,
        Path(args.ontology) if args.ontology else project.ontology,
        Path(args.queries) if args.queries else project.queries,
        Path(args.store) if args.store else project.store,
    )


def _remote(args: argparse.Namespace) -> Any:
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


def _graph(args: argparse.Namespace, queries: Path, store: Path) -> KnowledgeGraph:
    if getattr(args, "endpoint", None):
        return KnowledgeGraph(_remote(args), queries_dir=queries)
    return KnowledgeGraph.open(store, queries_dir=queries)


def _render(result: QueryResult, fmt: str) -> str:
    if fmt == "csv":
        return result.to_csv()
    if fmt == "tsv":
        return result.to_tsv()
    if fmt == "json":
        return result.to_json()
    return result.to_table()


def cmd_build(args: argparse.Namespace) -> int:
    from kg.build.pipeline import update

    data, onto, queries, store = _paths(args)
    if args.full:
        graph = build(data, ontology_dir=onto, queries_dir=queries, store_path=store)
        print(f"built {len(graph)} quads in {len(graph.graphs())} named graphs from {data} into {store}")
        return 0
    report = update(data, ontology_dir=onto, queries_dir=queries, store_path=store)
    graph = KnowledgeGraph.open(store, queries_dir=queries)
    if report.full:
        print(f"built {len(graph)} quads in {len(graph.graphs())} named graphs from {data} into {store}")
    elif report.changed or report.removed:
        print(
            f"rebuilt {len(report.changed)} changed and removed {len(report.removed)} source graph(s): "
            f"{len(graph)} quads in {len(graph.graphs())} named graphs in {store}"
        )
    else:
        print(f"{store} is up to date ({len(graph)} quads)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    data, onto, queries, _ = _paths(args)
    compiled = compile_quads(data, onto)
    print(f"records: {len(compiled.records)} source files read and checked")
    graph = KnowledgeGraph(memory_store(compiled.nquads), queries_dir=queries)
    problems = validate_graph(graph, onto / SHAPES_FILE)
    for p in problems:
        print(f"ERROR {p}")
    print(f"shapes and QC checks: {'passed' if not problems else f'{len(problems)} problem(s)'}")
    if not args.no_reasoner:
        from kg.build.reasoning import hermit_types

        try:
            types = hermit_types(compiled.quads)
            print(f"HermiT: ontology and data consistent ({len(types)} classes and individuals classified)")
        except ReasonerError as exc:
            print(f"ERROR {exc}")
            problems.append(str(exc))
    conflicts = graph.query("conflicts")
    print(f"conflicts: {len(conflicts)} value(s) that two sources state differently for the same patients")
    if len(conflicts):
        print(conflicts.to_table())
    overlaps = graph.query("possible-overlaps")
    print(f"possible overlaps: {len(overlaps)} pair(s) of groups that may share patients")
    if len(overlaps):
        print(overlaps.to_table())
    audit = graph.query("citation-mismatches")
    print(f"citation audit: {len(audit)} printed number(s) name a different work than the one cited")
    if len(audit):
        print(audit.to_table())
    return 1 if problems else 0


def cmd_queries(args: argparse.Namespace) -> int:
    _, _, queries, _ = _paths(args)
    for name, q in sorted(load_catalog(queries).items()):
        if name.startswith("qc/") and not args.qc:
            continue
        if args.headline and not q.headline:
            continue
        params = ", ".join(f"{p.name}: {p.type}" + (f" = {p.default}" if p.default else "") for p in q.params)
        print(f"{q.name}{' *' if q.headline else ''}\n    {q.summary}" + (f"\n    params: {params}" if params else ""))
    return 0


def _parse_params(pairs: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise QueryError(f"--param {pair!r}: write it as NAME=VALUE")
        params[key.strip()] = value
    return params


def cmd_query(args: argparse.Namespace) -> int:
    _, _, queries, store = _paths(args)
    graph = _graph(args, queries, store)
    if args.sparql is not None or args.file is not None:
        if args.name:
            raise QueryError("give a stored query NAME or --sparql/--file, not both")
        text = args.sparql if args.sparql is not None else Path(args.file).read_text(encoding="utf-8")
        result = graph.sparql(text)
        if isinstance(result, bool):
            print("true" if result else "false")
        elif isinstance(result, QueryResult):
            print(_render(result, args.format))
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
        print(_render(graph.query(name, sources=sources, **_parse_params(args.param)), args.format))
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from collections import defaultdict

    from kg.store.remote import push

    if not args.endpoint:
        raise KGError("push needs --endpoint URL (and usually --graph-store URL, --user and --password-file)")
    _, _, queries, store = _paths(args)
    local = KnowledgeGraph.open(store, queries_dir=queries)
    by_graph: dict[str, list[Any]] = defaultdict(list)
    for quad in local.quads():
        if isinstance(quad.graph_name, ox.NamedNode):
            by_graph[quad.graph_name.value].append(quad)
    remote = _remote(args)
    report = push(by_graph, remote, on_graph=lambda name, n: print(f"pushed {name} ({n} triples)", flush=True))
    seconds = sum(p[3] for p in report.pushed)
    protocols = sorted({p[2] for p in report.pushed})
    print(
        f"pushed {len(report.pushed)} graphs, {sum(p[1] for p in report.pushed)} triples in {seconds:.2f} s "
        f"({', '.join(protocols)})"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from kg.store.disk import current_store_path
    from kg.web.app import create_app
    from kg.web.backend import Settings

    _, _, queries, store = _paths(args)
    dumps = Path(args.dumps) if args.dumps else Project.find().dist
    graph = KnowledgeGraph.open(store, queries_dir=queries)
    if not any(dumps.glob("vskg.*")):
        graph.export(dumps)
    report_dir = dumps / "report"
    if not (report_dir / "report.html").is_file():
        from kg.views.report import write_report

        write_report(graph, report_dir)
    del graph  # the server's workers open the store themselves
    settings = Settings(
        current_store_path(store),
        queries,
        dumps,
        timeout=args.timeout,
        max_results=args.max_results,
        max_request_bytes=args.max_request_bytes,
        workers=args.workers,
        report_dir=report_dir,
    )
    print(f"serving {store} at http://{args.host}:{args.port}/ (SPARQL endpoint /sparql, query page /query)")
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level="warning",
        limit_concurrency=args.max_connections,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=65536,
    )
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    from kg.iris import expand
    from kg.views.timeline import draw_timeline, timeline_data

    _, _, queries, store = _paths(args)
    graph = _graph(args, queries, store)
    case = expand(args.case) if ":" in args.case else f"https://w3id.org/vskg/id/case/{args.case}"

    def select(text: str) -> QueryResult:
        result = graph.sparql(text)
        assert isinstance(result, QueryResult)
        return result

    timeline = timeline_data(case, select)
    if not timeline.events:
        raise KGError(f"no events for {case}: give a case IRI or id (e.g. aalaoui-2026-present-case)")
    out = Path(args.output)
    if out.suffix.lower() not in (".png", ".svg"):
        raise KGError(f"{out}: the timeline is written as .png or .svg")
    print(draw_timeline(timeline, out))
    return 0


def cmd_network(args: argparse.Namespace) -> int:
    from kg.views.network import draw_network, write_graphml

    _, _, queries, store = _paths(args)
    net = _graph(args, queries, store).to_networkx()
    out = Path(args.output)
    if out.suffix.lower() == ".graphml":
        print(write_graphml(net, out))
    elif out.suffix.lower() in (".png", ".svg"):
        print(draw_network(net, out))
        print(write_graphml(net, out.with_suffix(".graphml")))
    else:
        raise KGError(f"{out}: write the network as .png, .svg or .graphml")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from kg.views.report import write_report

    _, _, queries, store = _paths(args)
    print(write_report(_graph(args, queries, store), Path(args.output)))
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from kg.curation.synth import synthesize

    sources, patients = synthesize(args.patients, args.seed, Path(args.out), sources=args.sources)
    print(f"wrote {sources} synthetic sources with {patients} patients to {args.out} (seed {args.seed})")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    _, _, queries, store = _paths(args)
    graph = KnowledgeGraph.open(store, queries_dir=queries)
    totals = graph.query("patients-per-site").records()[-1]
    counted = graph.sparql("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a vskg:Source }")
    sources = counted.records()[0]["n"] if isinstance(counted, QueryResult) else "?"
    print(
        f"sources: {sources}  cases: {totals['cases']}  cohorts: {totals['cohorts']}  "
        f"patients: {totals['patients']} (at risk of double counting: {totals['at_risk']})  triples: {len(graph)}"
    )
    for name in ("stats-by-site", "stats-by-design"):
        print(f"\n## {graph.stored(name).summary}")
        print(_render(graph.query(name), args.format))
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from kg.curation.templates import new_record

    data, _, _, _ = _paths(args)
    print(f"wrote {new_record(args.source_id, data)}: fill it in, then run `vskg validate`")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from kg.curation.templates import schema_text

    target = Path(args.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(schema_text(), encoding="utf-8")
    print(target)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    _, _, queries, store = _paths(args)
    result = KnowledgeGraph.open(store, queries_dir=queries).query("citation-mismatches")
    print(_render(result, args.format))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    _, _, queries, store = _paths(args)
    formats = [f for part in args.format for f in part.split(",") if f] or None
    for path in KnowledgeGraph.open(store, queries_dir=queries).export(args.out, formats=formats):
        print(path)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from kg.curation.importer import import_sheet

    data, _, _, _ = _paths(args)
    synonyms = Path(args.synonyms) if args.synonyms else Project.find().root / "curation" / "synonyms.yaml"
    report = import_sheet(Path(args.sheet), data, synonyms, overwrite=args.overwrite)
    text = report.render()
    if args.report:
        Path(args.report).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", help="folder of YAML records (default: data/)")
    common.add_argument("--ontology", help="folder holding vskg.ttl and shapes.ttl (default: ontology/)")
    common.add_argument("--queries", help="folder of stored queries (default: queries/)")
    common.add_argument("--store", help="on-disk store folder (default: .vskg/)")

    remote_query = argparse.ArgumentParser(add_help=False)
    remote_query.add_argument("--endpoint", help="a SPARQL 1.1 query endpoint to use instead of the embedded store")
    remote_query.add_argument("--user", help="user name for the endpoint")
    remote_query.add_argument("--password-file", help="file whose first line is the password (never pass it inline)")
    remote_query.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    remote = argparse.ArgumentParser(add_help=False, parents=[remote_query])
    remote.add_argument(
        "--graph-store", help="Graph Store Protocol endpoint for loads (e.g. Virtuoso's .../sparql-graph-crud-auth)"
    )
    remote.add_argument("--update-endpoint", help="SPARQL Update endpoint, used where there is no graph store")

    top = argparse.ArgumentParser(prog="vskg", description="Knowledge graph of vascular sarcoma evidence.")
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", parents=[common], help="build and validate the graph, then replace the store")
    p.add_argument("--full", action="store_true", help="rebuild everything, not only the sources whose files changed")
    p.set_defaults(run=cmd_build)

    p = sub.add_parser("validate", parents=[common], help="check records, shapes, QC, HermiT and citations")
    p.add_argument("--no-reasoner", action="store_true", help="skip the HermiT consistency check")
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("queries", parents=[common], help="list the stored queries")
    p.add_argument("--headline", action="store_true", help="only the headline queries")
    p.add_argument("--qc", action="store_true", help="include the QC checks")
    p.set_defaults(run=cmd_queries)

    p = sub.add_parser("query", parents=[common, remote_query], help="run a stored query, or raw SPARQL")
    p.add_argument("name", nargs="?", help="stored query name (see `vskg queries`)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="query parameter")
    p.add_argument("--sparql", help="raw SPARQL text")
    p.add_argument("--file", help="file holding raw SPARQL")
    p.add_argument("--headline", action="store_true", help="run every headline query")
    p.add_argument("--source", action="append", metavar="ID", help="restrict to these sources' graphs (repeatable)")
    p.add_argument("--format", choices=OUTPUT_FORMATS, default="table")
    p.set_defaults(run=cmd_query)

    p = sub.add_parser("push", parents=[common, remote], help="replace every named graph on a SPARQL server")
    p.set_defaults(run=cmd_push)

    p = sub.add_parser("audit", parents=[common], help="list citation numbers that name the wrong work")
    p.add_argument("--format", choices=OUTPUT_FORMATS, default="table")
    p.set_defaults(run=cmd_audit)

    p = sub.add_parser("serve", parents=[common], help="serve the built graph over HTTP (SPARQL, REST, linked data)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--dumps", help="folder of dump files to offer (default: dist/, written if empty)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default 10)")
    p.add_argument("--max-results", type=int, default=10_000, help="rows or triples per answer (default 10000)")
    p.add_argument("--max-request-bytes", type=int, default=1_000_000, help="largest request body (default 1 MB)")
    p.add_argument("--workers", type=int, default=2, help="query worker processes (default 2)")
    p.add_argument("--max-connections", type=int, default=200, help="concurrent connections before 503 (default 200)")
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("timeline", parents=[common], help="draw one case's timeline (PNG or SVG)")
    p.add_argument("case", help="case IRI, prefixed name or id, e.g. aalaoui-2026-present-case")
    p.add_argument("-o", "--output", required=True, help="FILE.png or FILE.svg")
    p.set_defaults(run=cmd_timeline)

    p = sub.add_parser("network", parents=[common], help="draw the evidence network and export GraphML")
    p.add_argument("-o", "--output", required=True, help="FILE.png, FILE.svg (GraphML beside it) or FILE.graphml")
    p.set_defaults(run=cmd_network)

    p = sub.add_parser("report", parents=[common], help="write a self-contained HTML report")
    p.add_argument("-o", "--output", default="dist/report", help="output folder (default dist/report)")
    p.set_defaults(run=cmd_report)

    p = sub.add_parser("synth", help="write a synthetic literature (for benchmarks; never into data/)")
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--patients", type=int, help="at least this many patients")
    size.add_argument("--sources", type=int, help="exactly this many sources (about 190 triples each)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True, help="an empty folder outside data/")
    p.set_defaults(run=cmd_synth)

    p = sub.add_parser("stats", parents=[common], help="sources, cases, cohorts, patients and triples")
    p.add_argument("--format", choices=OUTPUT_FORMATS, default="table")
    p.set_defaults(run=cmd_stats)

    p = sub.add_parser("new", parents=[common], help="write a commented template for a new source record")
    p.add_argument("source_id", help="the new source's id, e.g. smith-2025")
    p.set_defaults(run=cmd_new)

    p = sub.add_parser("schema", help="write the JSON Schema of record files")
    p.add_argument("--out", default="schema/record.schema.json")
    p.set_defaults(run=cmd_schema)

    p = sub.add_parser("import", parents=[common], help="write one YAML record per source of an extraction sheet")
    p.add_argument("sheet", help="extraction sheet: JSON (like published-cases.json) or CSV with the same columns")
    p.add_argument("--synonyms", help="synonym table (default: curation/synonyms.yaml)")
    p.add_argument("--overwrite", action="store_true", help="replace records that differ from the import")
    p.add_argument("--report", help="also write the report of unmapped values to this file")
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("export", parents=[common], help="write dumps and ontology release files")
    p.add_argument("--format", action="append", default=[], help=f"one or more of {', '.join(FORMATS)} (default: all)")
    p.add_argument("--out", default="dist", help="output folder (default: dist/)")
    p.set_defaults(run=cmd_export)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except KGError as exc:
        print(f"vskg: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("vskg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
