"""The `vskg` command line: the parser of every command, and the entry point."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from kg.cli.common import OUTPUT_FORMATS
from kg.cli.similar_command import add_parser as add_similar
from kg.errors import KGError
from kg.query.describe import DESCRIBE_FORMATS
from kg.query.graph import EXPORT_FORMATS

Command = Callable[[argparse.Namespace], int]


def _command(module: str, name: str) -> Command:
    """A command whose module is imported when it runs. Every process the server and its query
    workers start imports this module again (multiprocessing's spawn re-imports the main module),
    so it must not pull in the build, the report or the server's own code for every other command."""

    def run(args: argparse.Namespace) -> int:
        chosen: Command = getattr(importlib.import_module(f"kg.cli.{module}"), name)
        return chosen(args)

    run.__name__ = name
    return run


cmd_import, cmd_new, cmd_schema, cmd_synth = (
    _command("curation_commands", n) for n in ("cmd_import", "cmd_new", "cmd_schema", "cmd_synth")
)
cmd_audit, cmd_build, cmd_export, cmd_stats, cmd_validate = (
    _command("graph_commands", n) for n in ("cmd_audit", "cmd_build", "cmd_export", "cmd_stats", "cmd_validate")
)
cmd_describe, cmd_queries, cmd_query = (
    _command("query_commands", n) for n in ("cmd_describe", "cmd_queries", "cmd_query")
)
cmd_release = _command("release_command", "cmd_release")
cmd_push, cmd_serve = (_command("server_commands", n) for n in ("cmd_push", "cmd_serve"))
cmd_network, cmd_report, cmd_synthesis, cmd_timeline, cmd_vocabulary = (
    _command("view_commands", n)
    for n in ("cmd_network", "cmd_report", "cmd_synthesis", "cmd_timeline", "cmd_vocabulary")
)


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


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
    add_similar(sub, common)

    p = sub.add_parser(
        "describe", parents=[common, remote_query], help="print one resource and the nodes it owns as RDF"
    )
    p.add_argument(
        "iri", help="case:hong-2016-table-1, hong-2016-table-1, vskg:FemoralVein or a full IRI (<> optional)"
    )
    p.add_argument("--format", choices=list(DESCRIBE_FORMATS), default="ttl", help="RDF format (default ttl)")
    p.set_defaults(run=cmd_describe)

    p = sub.add_parser("push", parents=[common, remote], help="replace every named graph on a SPARQL server")
    p.set_defaults(run=cmd_push)

    p = sub.add_parser("audit", parents=[common], help="list citation numbers that name the wrong work")
    p.add_argument("--format", choices=OUTPUT_FORMATS, default="table")
    p.set_defaults(run=cmd_audit)

    p = sub.add_parser("serve", parents=[common], help="serve the built graph over HTTP (SPARQL, REST, linked data)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--dumps", help="folder of dump files to offer (default: dist/; written on first request if empty)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default 10)")
    p.add_argument("--max-results", type=int, default=10_000, help="rows or triples per answer (default 10000)")
    p.add_argument("--max-request-bytes", type=int, default=1_000_000, help="largest request body (default 1 MB)")
    p.add_argument("--workers", type=_at_least_one, default=2, help="query worker processes (default 2)")
    p.add_argument(
        "--processes", type=_at_least_one, default=None,
        help="HTTP processes sharing the port, each with its own query workers (default: one per core, at most 4)",
    )  # fmt: skip
    p.add_argument(
        "--cache-bytes", type=int, default=64_000_000, help="answers kept in memory (default 64 MB; 0: none)"
    )
    memory = p.add_mutually_exclusive_group()
    memory.add_argument(
        "--in-memory", dest="in_memory", action="store_const", const=True, default=None,
        help="each query worker copies the store into memory at start (default: when it holds at most 100,000 quads)",
    )  # fmt: skip
    memory.add_argument(
        "--on-disk", dest="in_memory", action="store_const", const=False, help="query workers read the store from disk"
    )
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

    p = sub.add_parser(
        "vocabulary", parents=[common], help="write the vocabulary for query writers (docs/vocabulary.md)"
    )
    p.add_argument("-o", "--out", help="output file (default docs/vocabulary.md)")
    p.set_defaults(run=cmd_vocabulary)

    p = sub.add_parser("synthesis", parents=[common], help="pooled proportions, forest plot and Kaplan-Meier curves")
    p.add_argument("-o", "--output", default="dist/synthesis", help="output folder (default dist/synthesis)")
    p.add_argument("--created", help="build date written beside the tables (default: SOURCE_DATE_EPOCH, or today)")
    p.set_defaults(run=cmd_synthesis)

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
    p.add_argument(
        "--citations", help="citation supplement (like citation-supplement.json): fields read on other pages"
    )
    p.add_argument("--report", help="also write the report of unmapped values to this file")
    p.add_argument(
        "--separate",
        action="append",
        default=[],
        metavar="ID",
        help="keep this sheet entry apart from a held work it looks like (repeatable)",
    )
    p.add_argument(
        "--same-as",
        action="append",
        default=[],
        metavar="ID=SOURCE",
        help="merge this sheet entry into the held source SOURCE (the same work, where the data cannot tell)",
    )
    p.add_argument(
        "--held-back",
        metavar="FILE",
        help="file for the entries not written, kept unchanged (default: SHEET-NAME.held-back.json beside data/)",
    )
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("export", parents=[common], help="write dumps and ontology release files")
    p.add_argument(
        "--format", action="append", default=[], help=f"one or more of {', '.join(EXPORT_FORMATS)} (default: all)"
    )
    p.add_argument("--created", help="timestamp of the phenopackets (default: SOURCE_DATE_EPOCH, or today)")
    p.add_argument("--out", default="dist", help="output folder (default: dist/)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser(
        "release", parents=[common], help="write a citable release: every export, the report, VoID, RO-Crate"
    )
    p.add_argument("--out", default="dist", help="output folder (default: dist/)")
    p.add_argument("--host", default="http://127.0.0.1:8000", help="where `vskg serve` answers the w3id.org IRIs")
    p.add_argument("--created", help="release timestamp (default: SOURCE_DATE_EPOCH, or today)")
    p.set_defaults(run=cmd_release)
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
