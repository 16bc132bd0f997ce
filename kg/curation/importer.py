"""`vskg import`: extraction sheets (JSON or CSV) to one YAML record per source.

Free text is mapped to ontology terms through `curation/synonyms.yaml`; every value that
cannot be mapped is reported and kept as a curator note. The output for a sheet is
deterministic, and a file that already exists is left alone (it may have been curated by hand)
unless `overwrite` is set, so importing the same sheet twice changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kg.curation.free_text import Synonyms
from kg.curation.report import ImportReport
from kg.curation.sheet_records import RecordBuilder
from kg.curation.sheets import read_sheet
from kg.curation.supplements import read_supplements
from kg.errors import RecordError
from kg.records.identity import matching_keys, work_keys

HEADER = (
    "# yaml-language-server: $schema=../schema/record.schema.json\n"
    "# Imported by `vskg import` from {sheet} (record {id}); reviewed and curated by hand after import.\n"
)


def render_record(record: dict[str, Any], sheet_name: str) -> str:
    body = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return HEADER.format(sheet=sheet_name, id=record["id"]) + body


def import_sheet(
    sheet: Path,
    data_dir: Path,
    synonyms: Path,
    *,
    overwrite: bool = False,
    citations: Path | None = None,
    separate: frozenset[str] = frozenset(),
) -> ImportReport:
    """Write one record per sheet entry. `citations` is a citation supplement (like
    citation-supplement.json) applied to its entries. An entry for a work that data/ already holds
    under another id stops the import before anything is written, unless its id is in `separate`."""
    syn = Synonyms.load(synonyms)
    supplements = read_supplements(citations) if citations else {}
    report = ImportReport()
    built: dict[str, dict[str, Any]] = {}
    for raw in read_sheet(sheet):
        builder = RecordBuilder(raw, syn, str(sheet), supplements.get(str(raw.get("id", ""))))
        if builder.id in built:
            raise RecordError(str(sheet), f"record {builder.id}", "the id is used twice in the sheet")
        built[builder.id] = builder.build()
        report.values.extend(builder.values)
    _refuse_second_copies(sheet, data_dir, built, separate)
    for rid, record in built.items():
        text = render_record(record, sheet.name)
        target = data_dir / f"{rid}.yaml"
        if target.exists():
            current = target.read_text(encoding="utf-8")
            if current == text:
                report.unchanged.append(target.name)
                continue
            if not overwrite:
                report.kept.append(target.name)
                continue
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        report.written.append(target.name)
    return report


def _refuse_second_copies(
    sheet: Path, data_dir: Path, built: dict[str, dict[str, Any]], separate: frozenset[str]
) -> None:
    """One work is one source: an entry matching a source already in data/ (or another entry) stops.
    An entry in `separate` is kept apart: its record names each look-alike in `distinct_from`."""
    known: dict[str, dict[str, Any]] = {}
    declared: set[frozenset[str]] = set()
    for path in sorted(data_dir.glob("*.yaml")):
        try:
            held = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # the build reports unreadable records with their place
        if isinstance(held, dict) and isinstance(held.get("citation"), dict):
            known[path.stem] = held["citation"]
            for apart in held.get("distinct_from") or []:
                if isinstance(apart, dict):
                    declared.add(frozenset((path.stem, str(apart.get("source")))))
    # a sheet entry already held in data/ is compared once, as the sheet states it
    candidates = known | {i: r["citation"] for i, r in built.items()}
    for rid, record in sorted(built.items(), key=lambda item: item[0] not in separate):
        mine = work_keys(record["citation"])
        for other, citation in candidates.items():
            shared = matching_keys(mine, work_keys(citation))
            if other == rid or not shared:
                continue
            where = f"sheet record {other}" if other in built else f"data/{other}.yaml"
            if rid in separate:
                basis = f"same {', '.join(shared)} as {where}; kept apart at import (--separate)"
                record["distinct_from"] = [*record.get("distinct_from", []), {"source": other, "basis": basis}]
                declared.add(frozenset((rid, other)))
            if frozenset((rid, other)) in declared:
                continue
            raise RecordError(
                str(sheet),
                f"record {rid}",
                f"is the same work as {where} (same {', '.join(shared)}); add this entry's facts to that "
                f"source, or import with --separate {rid} to keep them apart",
            )
