"""Commands that draw or write for people: timeline, network, report, synthesis, the vocabulary page."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.cli.common import open_graph, paths
from kg.errors import KGError
from kg.store.results import QueryResult


def cmd_timeline(args: argparse.Namespace) -> int:
    from kg.iris import expand
    from kg.views.timeline import draw_timeline, timeline_data

    _, _, queries, store = paths(args)
    graph = open_graph(args, queries, store)
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


def cmd_vocabulary(args: argparse.Namespace) -> int:
    from kg.project import Project
    from kg.views.vocabulary import vocabulary_markdown

    _, ontology, _, _ = paths(args)
    target = Path(args.out) if args.out else Project.find().root / "docs" / "vocabulary.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(vocabulary_markdown(ontology), encoding="utf-8")
    print(target)
    return 0


def cmd_network(args: argparse.Namespace) -> int:
    from kg.views.network import draw_network, write_graphml

    _, _, queries, store = paths(args)
    net = open_graph(args, queries, store).to_networkx()
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

    _, _, queries, store = paths(args)
    print(write_report(open_graph(args, queries, store), Path(args.output)))
    return 0


def cmd_synthesis(args: argparse.Namespace) -> int:
    from kg.query.graph import release_time
    from kg.views.synthesis import CHOICES
    from kg.views.synthesis_output import write_synthesis

    _, _, queries, store = paths(args)
    graph = open_graph(args, queries, store)
    for path in write_synthesis(graph, Path(args.output), created=args.created or release_time()):
        print(path)
    print("choices: " + "; ".join(CHOICES))
    return 0
