"""`vskg import`: extraction sheets (JSON or CSV) to one YAML record per source.

Free text is mapped to ontology terms through `curation/synonyms.yaml`; every value that cannot
be mapped is reported and kept as a curator note. Each entry is placed on its own (see
`placement`): a new source, the work's own facts merged into a source held only from review rows,
or held back with the reason; one entry held back never stops the others, and every held-back
entry is written unchanged to a file the report names. The output for a sheet is deterministic,
and a file that already exists is left alone (it may have been curated by hand) unless
`overwrite` is set, so importing the same sheet twice changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from kg.curation.free_text import Synonyms
from kg.curation.merge import merge_entry, merged_groups_current, replace_groups
from kg.curation.placement import Held, Placement, Placer, read_held
from kg.curation.report import HeldBack, ImportReport
from kg.curation.sheet_records import RecordBuilder
from kg.curation.sheets import read_sheet
from kg.curation.supplements import read_supplements
from kg.errors import KGError, RecordError
from kg.records.loading import parse_record

HEADER = (
    "# yaml-language-server: $schema=../schema/record.schema.json\n"
    "# Imported by `vskg import` from {sheet} (record {id}); reviewed and curated by hand after import.\n"
)
MERGE_NOTE = "# Facts of its own added by `vskg import` from {sheet} (entry {entry}): {basis}.\n"


def render_record(record: dict[str, Any], sheet_name: str) -> str:
    return HEADER.format(sheet=sheet_name, id=record["id"]) + _body(record)


def _body(record: dict[str, Any]) -> str:
    return yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)


def import_sheet(
    sheet: Path,
    data_dir: Path,
    synonyms: Path,
    *,
    overwrite: bool = False,
    citations: Path | None = None,
    separate: frozenset[str] = frozenset(),
    same_as: dict[str, str] | None = None,
    held_back_file: Path | None = None,
) -> ImportReport:
    """Write one record per sheet entry, or merge it into the held source of the same work.

    `citations` is a citation supplement (like citation-supplement.json) applied to its entries;
    `separate` keeps entries apart from look-alike works; `same_as` (entry id -> source id) merges
    an entry into a named source. Entries held back are written, unchanged, to `held_back_file`
    (default: SHEET-NAME.held-back.json beside the data folder), a sheet that can be imported again."""
    same_as = dict(same_as or {})
    syn = Synonyms.load(synonyms)
    supplements = read_supplements(citations) if citations else {}
    entries = read_sheet(sheet)
    held = read_held(data_dir)
    _check_choices(sheet, entries, held, separate, same_as)
    report = ImportReport()
    kept_back: list[dict[str, Any]] = []
    built: dict[str, tuple[dict[str, Any], dict[str, Any], list[Any]]] = {}  # entry -> (raw, record, values)
    for raw in entries:
        entry = str(raw.get("id", ""))
        if entry in built:
            _hold(report, kept_back, raw, "the id is used twice in the sheet", "give each entry its own id")
            continue
        try:
            record, values = _build(raw, syn, sheet, supplements)
        except KGError as exc:
            _hold(report, kept_back, raw, f"refused value: {exc}", "correct the entry in the sheet and import again")
            continue
        built[entry] = (raw, record, values)
    placer = Placer(held, separate, same_as, {e: (r["citation"], _top_groups(r)) for e, (_, r, _) in built.items()})
    for entry, (raw, record, values) in built.items():
        placement = placer.place(entry, record["citation"])
        if placement.action == "held":
            _hold(report, kept_back, raw, placement.reason, placement.advice)
            continue
        try:
            if placement.action == "merge":
                target = held[placement.target]
                record, values = _build(raw, syn, sheet, supplements, as_id=target.id)
                _merge(report, data_dir, target, record, entry, sheet.name, placement, overwrite=overwrite)
            else:
                _flag_look_alikes(report, record, placement)
                _write_own(report, data_dir, record, sheet.name, placement, held.get(entry), overwrite=overwrite)
        except KGError as exc:
            _hold(report, kept_back, raw, f"refused value: {exc}", "correct the entry in the sheet and import again")
            continue
        report.values.extend(values)
    if kept_back:
        keep_in = held_back_file or data_dir.parent / f"{sheet.stem}.held-back.json"
        _write_if_changed(keep_in, json.dumps(kept_back, ensure_ascii=False, indent=2) + "\n")
        report.held_back_file = str(keep_in)
    return report


def _check_choices(
    sheet: Path, entries: list[dict[str, Any]], held: dict[str, Held], separate: frozenset[str], same_as: dict[str, str]
) -> None:
    """A choice naming no entry of the sheet, or no held source, is a mistake: stop before writing."""
    ids = {str(r.get("id", "")) for r in entries}
    for entry in sorted(separate | set(same_as)):
        if entry not in ids:
            option = "--separate" if entry in separate else "--same-as"
            raise RecordError(
                str(sheet), f"{option} {entry}", f"names no entry of the sheet; valid: {', '.join(sorted(ids))}"
            )
    for entry, source in sorted(same_as.items()):
        if entry in separate:
            raise RecordError(
                str(sheet), f"--same-as {entry}={source}", "the entry is also given --separate: choose one"
            )
        if source not in held:
            raise RecordError(
                str(sheet), f"--same-as {entry}={source}", f"there is no data/{source}.yaml to merge into"
            )


def _build(
    raw: dict[str, Any],
    syn: Synonyms,
    sheet: Path,
    supplements: dict[str, list[dict[str, Any]]],
    *,
    as_id: str | None = None,
) -> tuple[dict[str, Any], list[Any]]:
    builder = RecordBuilder(raw, syn, str(sheet), supplements.get(str(raw.get("id", ""))), as_id=as_id)
    record = builder.build()
    parse_record(Path(sheet.name) / f"{builder.id}.yaml", record)  # the model's limits, before anything is written
    return record, builder.values


def _top_groups(record: dict[str, Any]) -> tuple[str, ...]:
    return tuple(g["id"] for g in record.get("groups") or [] if not g.get("part_of"))


def _flag_look_alikes(report: ImportReport, record: dict[str, Any], placement: Placement) -> None:
    """A work that shares only a title with this one is another work whose patients may be the same:
    each of the entry's groups is linked to the groups reporting the look-alike as a possible overlap."""
    for alike in placement.look_alikes:
        where = f"sheet entry {alike.source}" if alike.in_sheet else f"data/{alike.source}.yaml"
        report.look_alikes.append((placement.target, where, alike.basis))
        for group in record.get("groups") or []:
            if group.get("part_of"):
                continue
            links = group.setdefault("links", [])
            for other in alike.groups:
                basis = (
                    f"may be the same patients: {where} shares only a title with this source ({alike.basis}); "
                    "not shown to be one work or two"
                )
                links.append({"group": other, "kind": "overlap", "basis": basis, "locator": group["locator"]})


def _hold(report: ImportReport, kept: list[dict[str, Any]], raw: dict[str, Any], reason: str, advice: str) -> None:
    report.held_back.append(HeldBack(str(raw.get("id", "")), reason, advice))
    kept.append(raw)


def _write_own(
    report: ImportReport,
    data_dir: Path,
    built: dict[str, Any],
    sheet_name: str,
    placement: Placement,
    held: Held | None,
    *,
    overwrite: bool,
) -> None:
    # what an earlier import or a curator decided (kept apart, possible overlaps) is decided the same way
    apart = [d for d in (held.data.get("distinct_from") or [] if held else []) if isinstance(d, dict)]
    apart += [d for d in placement.apart if d["source"] not in {a.get("source") for a in apart}]
    if apart:
        built["distinct_from"] = apart
    earlier_links = {g["id"]: g.get("links") for g in (held.groups() if held else []) if g.get("links")}
    for group in built.get("groups") or []:
        if earlier_links.get(group["id"]) and not group.get("links"):
            group["links"] = earlier_links[group["id"]]
    text = render_record(built, sheet_name)
    target = data_dir / f"{built['id']}.yaml"
    if target.exists():
        if target.read_text(encoding="utf-8") == text:
            report.unchanged.append(target.name)
            return
        if not overwrite:
            report.kept.append(target.name)
            return
    _write(target, text)
    report.written.append(target.name)


def _merge(
    report: ImportReport,
    data_dir: Path,
    target: Held,
    built: dict[str, Any],
    entry: str,
    sheet_name: str,
    placement: Placement,
    *,
    overwrite: bool,
) -> None:
    path = data_dir / f"{target.id}.yaml"
    if entry in target.merged:  # merged before: unchanged, or curated since (kept unless --overwrite)
        if merged_groups_current(target.data, built):
            report.unchanged.append(path.name)
            return
        if not overwrite:
            report.kept.append(path.name)
            return
        merged = dict(target.data)
        merged["groups"] = replace_groups(target.data.get("groups") or [], built.get("groups") or [])
        basis = next(str(m["basis"]) for m in target.data["merged_entries"] if m.get("entry") == entry)
    else:
        basis = placement.reason
        merged = merge_entry(target.data, built, entry=entry, sheet=sheet_name, basis=basis)
    parse_record(path, merged)
    comments = "".join(line for line in path.read_text(encoding="utf-8").splitlines(True) if line.startswith("#"))
    note = MERGE_NOTE.format(sheet=sheet_name, entry=entry, basis=basis)
    header = comments if note in comments else comments + note
    _write(path, header + _body(merged))
    report.merged.append((entry, path.name, basis))


def _write(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)


def _write_if_changed(target: Path, text: str) -> None:
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    _write(target, text)
