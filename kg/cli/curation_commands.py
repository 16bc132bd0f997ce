"""Commands that write records: import, new, schema, and synth (a synthetic literature)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.cli.common import paths
from kg.project import Project


def cmd_synth(args: argparse.Namespace) -> int:
    from kg.curation.synth import synthesize

    sources, patients = synthesize(args.patients, args.seed, Path(args.out), sources=args.sources)
    print(f"wrote {sources} synthetic sources with {patients} patients to {args.out} (seed {args.seed})")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from kg.curation.templates import new_record

    data, _, _, _ = paths(args)
    print(f"wrote {new_record(args.source_id, data)}: fill it in, then run `vskg validate`")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from kg.curation.templates import schema_text

    target = Path(args.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(schema_text(), encoding="utf-8")
    print(target)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from kg.curation.importer import import_sheet

    data, _, _, _ = paths(args)
    synonyms = Path(args.synonyms) if args.synonyms else Project.find().root / "curation" / "synonyms.yaml"
    citations = Path(args.citations) if args.citations else None
    report = import_sheet(
        Path(args.sheet),
        data,
        synonyms,
        overwrite=args.overwrite,
        citations=citations,
        separate=frozenset(args.separate),
        same_as=_pairs(args.same_as),
        held_back_file=Path(args.held_back) if args.held_back else None,
    )
    text = report.render()
    if args.report:
        Path(args.report).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 1 if report.held_back else 0


def _pairs(values: list[str]) -> dict[str, str]:
    """`--same-as ID=SOURCE` options as a mapping; a malformed one is an error naming it."""
    from kg.errors import KGError

    pairs: dict[str, str] = {}
    for value in values:
        entry, sep, source = value.partition("=")
        if not sep or not entry.strip() or not source.strip():
            raise KGError(
                f"--same-as {value!r}: expected ENTRY-ID=SOURCE-ID, e.g. --same-as dzsinich-1992=dzsinic-1992"
            )
        if pairs.get(entry.strip(), source.strip()) != source.strip():
            raise KGError(f"--same-as {entry.strip()}: given twice with different sources")
        pairs[entry.strip()] = source.strip()
    return pairs
