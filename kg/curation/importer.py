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

HEADER = (
    "# yaml-language-server: $schema=../schema/record.schema.json\n"
    "# Imported by `vskg import` from {sheet} (record {id}); reviewed and curated by hand after import.\n"
)


def render_record(record: dict[str, Any], sheet_name: str) -> str:
    body = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return HEADER.format(sheet=sheet_name, id=record["id"]) + body


def import_sheet(
    sheet: Path, data_dir: Path, synonyms: Path, *, overwrite: bool = False, citations: Path | None = None
) -> ImportReport:
    """`citations` is a citation supplement (like citation-supplement.json) applied to its records."""
    syn = Synonyms.load(synonyms)
    supplements = read_supplements(citations) if citations else {}
    report = ImportReport()
    seen: set[str] = set()
    for raw in read_sheet(sheet):
        builder = RecordBuilder(raw, syn, str(sheet), supplements.get(str(raw.get("id", ""))))
        if builder.id in seen:
            raise RecordError(str(sheet), f"record {builder.id}", "the id is used twice in the sheet")
        seen.add(builder.id)
        text = render_record(builder.build(), sheet.name)
        report.values.extend(builder.values)
        target = data_dir / f"{builder.id}.yaml"
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
