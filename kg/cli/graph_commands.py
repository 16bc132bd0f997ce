"""Commands that build, check, count and export the graph: build, validate, audit, stats, export."""

from __future__ import annotations

import argparse

from kg.build.pipeline import build, compile_quads
from kg.build.validation import validate_graph
from kg.cli.common import paths, render
from kg.errors import ReasonerError
from kg.query.graph import KnowledgeGraph
from kg.records.identity import same_works
from kg.records.vocabulary import SHAPES_FILE
from kg.store.embedded import memory_store
from kg.store.results import QueryResult


def cmd_build(args: argparse.Namespace) -> int:
    from kg.build.pipeline import update

    data, onto, queries, store = paths(args)
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


REPORTED = (  # stored queries `vskg validate` lists, and what their rows are
    ("conflicts", "conflicts: {} value(s) that two sources state differently for the same patients"),
    ("possible-overlaps", "possible overlaps: {} pair(s) of groups that may share patients"),
    ("work-versus-review", "work versus review: {} value(s) a review states differently from the work itself"),
    ("citation-mismatches", "citation audit: {} printed number(s) name a different work than the one cited"),
)


def cmd_validate(args: argparse.Namespace) -> int:
    data, onto, queries, _ = paths(args)
    compiled = compile_quads(data, onto, keep_records=True)
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
    apart = {rec.id: [d.source for d in rec.distinct_from] for rec in compiled.records}
    pairs = same_works({rec.id: rec.citation.model_dump(exclude_none=True) for rec in compiled.records}, apart)
    titles = {
        "same": "same work: {} pair(s) of sources that are one publication (merge them into one record)",
        "possible": "possibly one work: {} pair(s) a curator must decide (merge them, or say why in distinct_from)",
        "look-alike": "look-alikes: {} pair(s) sharing only a title (two works; flag or rule out shared patients)",
    }
    for kind, title in titles.items():
        of_kind = [(a, b, v) for a, b, v in pairs if v.kind == kind]
        print(title.format(len(of_kind)))
        for a, b, verdict in of_kind:
            print(f"  data/{a}.yaml and data/{b}.yaml: {verdict.basis}")
    for rec in compiled.records:
        for d in rec.distinct_from:
            print(f"  kept apart: data/{rec.id}.yaml from data/{d.source}.yaml ({d.basis})")
    for name, what in REPORTED:
        found = graph.query(name)
        print(f"{what.format(len(found))}")
        if len(found):
            print(found.to_table())
    return 1 if problems else 0


def cmd_audit(args: argparse.Namespace) -> int:
    _, _, queries, store = paths(args)
    result = KnowledgeGraph.open(store, queries_dir=queries).query("citation-mismatches")
    print(render(result, args.format))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    _, _, queries, store = paths(args)
    graph = KnowledgeGraph.open(store, queries_dir=queries)
    rows = graph.query("patients-per-site").records()
    totals = rows[-1]
    counted = graph.sparql("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a vskg:Source }")
    sources = counted.records()[0]["n"] if isinstance(counted, QueryResult) else "?"
    print(
        f"sources: {sources}  cases: {totals['cases']}  cohorts: {totals['cohorts']}  "
        f"patients: {totals['patients']} (at risk of double counting: {totals['at_risk']})  triples: {len(graph)}"
    )
    print(_by_vessel_and_histology(graph, rows[:-1]))
    # per site: patients, from split series, at risk of double counting, site in doubt; then sources
    for name in ("patients-per-site", "stats-by-site", "stats-by-design", "incomplete-citations"):
        print(f"\n## {graph.stored(name).summary}")
        print(render(graph.query(name), args.format))
    return 0


def _by_vessel_and_histology(graph: KnowledgeGraph, rows: list[dict[str, str | None]]) -> str:
    """The total split by vessel kind and by histology, from the same rows as patients-per-site."""
    kinds = graph.sparql(
        "SELECT ?site ?kind WHERE { VALUES ?kind { vskg:Vein vskg:Artery } ?site rdfs:subClassOf* ?kind }"
    )
    kind_of = (
        {str(r["site"]): str(r["kind"]).rsplit("#", 1)[-1] for r in kinds.records()}
        if isinstance(kinds, QueryResult)
        else {}
    )
    vessel: dict[str, int] = {}
    histology: dict[str, int] = {}
    for r in rows:
        n = int(r["patients"] or 0)
        where = {"Vein": "veins", "Artery": "arteries"}.get(kind_of.get(str(r["site"]), ""), "vessel kind not stated")
        vessel[where] = vessel.get(where, 0) + n
        histology[str(r["histology"])] = histology.get(str(r["histology"]), 0) + n
    split = "; ".join(f"{k}: {n}" for k, n in sorted(vessel.items(), key=lambda kv: -kv[1]))
    types = "; ".join(f"{k}: {n}" for k, n in sorted(histology.items(), key=lambda kv: -kv[1]))
    return f"by vessel - {split}\nby histology - {types}"


def cmd_export(args: argparse.Namespace) -> int:
    _, _, queries, store = paths(args)
    formats = [f for part in args.format for f in part.split(",") if f] or None
    graph = KnowledgeGraph.open(store, queries_dir=queries)
    for path in graph.export(args.out, formats=formats, created=args.created):
        print(path)
    return 0
