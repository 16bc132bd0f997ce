"""`vskg similar`: the published cases and cohorts most like a described patient, and what happened to them."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from kg.cli.common import open_graph, paths
from kg.errors import QueryError
from kg.iris import compact
from kg.query.similar_result import Event, Match, SimilarResult

FORMATS = ("table", "csv", "json")
MATCH_COLUMNS = [
    "rank", "score", "facts", "group", "patients", "source", "locator", "agreed", "partly", "differed", "missing",
]  # fmt: skip


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register `vskg similar` with the command line's subparsers."""
    p = sub.add_parser(
        "similar",
        parents=[common],
        help="rank published cases and cohorts by similarity to a patient, with what happened to them",
        description="Describe a patient by any of the facts below (terms are vskg names such as FemoralVein), "
        "or by a GA4GH phenopacket; facts given beside a phenopacket replace its own.",
    )
    p.add_argument("--site", help="primary site, any term of the site hierarchy (e.g. FemoralVein)")
    p.add_argument("--laterality", help="left, right or bilateral")
    p.add_argument("--age", help="age in years at presentation")
    p.add_argument("--sex", help="female or male")
    p.add_argument("--size-cm", help="largest tumour size in centimetres")
    p.add_argument("--grade", help="1, 2, 3 (FNCLCC) or low, intermediate, high")
    p.add_argument("--presentation", action="append", default=[], metavar="TERM", help="e.g. LimbSwelling (repeatable)")
    p.add_argument("--initial-diagnosis", action="append", default=[], metavar="TERM", help="e.g. DeepVeinThrombosis")
    p.add_argument("--treatment", action="append", default=[], metavar="TERM", help="so far, e.g. SurgicalResection")
    p.add_argument("--phenopacket", metavar="FILE.json", help="a phenopacket (v2, JSON) describing the patient")
    p.add_argument("--top", type=int, default=10, help="how many matches (default 10)")
    p.add_argument("--min-facts", type=int, default=1, help="only matches resting on at least this many facts")
    p.add_argument("--weight", action="append", default=[], metavar="FACT=W", help="change a fact's weight")
    p.add_argument("--explain", action="store_true", help="print every fact of every match with its reason")
    p.add_argument("--events", action="store_true", help="print each match's treatments and outcomes")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(run=cmd_similar)


def _weights(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise QueryError(f"--weight {pair!r}: write it as FACT=NUMBER, e.g. site=3")
        out[name.strip()] = value
    return out


def cmd_similar(args: argparse.Namespace) -> int:
    _, _, queries, store = paths(args)
    graph = open_graph(args, queries, store)
    facts = {
        "site": args.site,
        "laterality": args.laterality,
        "age": args.age,
        "sex": args.sex,
        "size_cm": args.size_cm,
        "grade": args.grade,
        "presentations": args.presentation,
        "initial_diagnoses": args.initial_diagnosis,
        "treatments": args.treatment,
    }
    result = graph.similar(
        top=args.top,
        phenopacket=args.phenopacket,
        weights=_weights(args.weight) or None,
        min_facts=args.min_facts,
        **facts,
    )
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=1, ensure_ascii=False))
    elif args.format == "csv":
        print(result.to_pandas().to_csv(index=False), end="")
    else:
        print(render(result, explain=args.explain, events=args.events))
    return 0


def render(result: SimilarResult, *, explain: bool = False, events: bool = False) -> str:
    """The result as text for a terminal: the patient, the ranked list, the summary, the limits."""
    patient = "; ".join(f"{fact}: {value}" for fact, value in result.described.items())
    weights = ", ".join(f"{k}: {v:g}" for k, v in asdict(result.weights).items())
    lines = [
        f"Patient: {patient}",
        f"Weights: {weights}",
        f"{len(result.matches)} closest of {result.candidates} published groups (cases and cohorts):",
        "",
        _table(MATCH_COLUMNS, [_row(m) for m in result.matches]),
    ]
    for m in result.matches:
        if explain:
            lines += ["", f"{m.rank}. {compact(m.group)} - {m.source_label}, {m.locator}"]
            lines += [
                f"   {f.fact}: {f.status} (weight {f.weight:g}"
                + (f", similarity {f.similarity:.2f}" if f.similarity is not None else "")
                + f"): {f.patient_value} / {f.group_value or '-'}; {f.reason}"
                for f in m.facts
            ]
        if m.note:
            lines.append(f"   note on {compact(m.group)}: {m.note}")
    if events:
        lines += ["", "What happened to them (as stated, in order):", ""]
        lines.append(
            _table(
                ["rank", "event", "exposure", "setting", "time", "count", "source", "locator"],
                [[str(m.rank), *_event(e)] for m in result.matches for e in m.events],
                width=60,
            )
        )
    lines += ["", "The top matches by course of treatment before any relapse (patients; a cohort counts its n):", ""]
    summary = [
        [r.course, str(r.groups), str(r.patients), _of(r.recurred, r.recurrence_stated),
         _of(r.metastasised, r.metastasis_stated), _of(r.died, r.death_stated)]
        for r in result.summary
    ]  # fmt: skip
    lines.append(_table(["course", "groups", "patients", "recurred", "metastasised", "died"], summary))
    follow = result.follow_up
    spread = (
        f"{follow['min_months']:g} to {follow['max_months']:g} months, median {follow['median_months']:g}"
        if follow.get("groups_stating")
        else "none stated"
    )
    lines += [
        "",
        f"Follow-up stated for {follow.get('groups_stating', 0)} of {follow.get('groups', 0)} groups: {spread}.",
        f"Patients who may be counted in another report too: {result.at_risk}.",
        "Unknown for the matches: " + ", ".join(f"{k} {v} of {len(result.matches)}" for k, v in result.unknown.items()),
    ]
    lines += [f"On the input: {n}" for n in result.notes]
    lines += ["", result.limits]
    return "\n".join(lines)


def _row(m: Match) -> list[str]:
    return [
        str(m.rank), f"{m.score:.2f}", str(m.facts_compared), compact(m.group), str(m.patients), m.source_label,
        m.locator, *(", ".join(m.by_status(s)) for s in ("agreed", "partly", "differed", "missing")),
    ]  # fmt: skip


def _event(e: Event) -> list[str]:
    return [e.label_text(), e.exposure, e.setting or "", e.time_text(), e.count_text(), e.source_label, e.locator]


def _of(had: int, stated: int) -> str:
    return f"{had} of {stated}" if stated else "not stated"


def _table(header: list[str], rows: list[list[str]], width: int = 40) -> str:
    cells = [[c if len(c) <= width else c[: width - 1] + "…" for c in row] for row in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    out = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)
