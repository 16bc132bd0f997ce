"""`vskg import`: extraction sheets (JSON or CSV) to one YAML record per source.

Free text is mapped to ontology terms through `curation/synonyms.yaml`; every value that
cannot be mapped is reported and kept as a curator note. The output for a sheet is
deterministic, and a file that already exists is left alone (it may have been curated by hand)
unless `overwrite` is set, so importing the same sheet twice changes nothing.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.errors import RecordError
from kg.iris import SLUG

ANNOTATION = re.compile(r"\s*\(([^()]*(?:URL|text read|truncated|slug|per URL)[^()]*)\)\s*$", re.IGNORECASE)
INITIALS = re.compile(r"\s+[A-Z]{1,4}$")
LIST_FIELDS = ("presenting_findings", "imaging", "ihc_positive", "ihc_negative")
JSON_FIELDS = ("treatments", "outcomes")
CITATION_FIELDS = ("authors", "year", "title", "journal", "doi", "pmid", "pmcid", "url")
PATIENT_FIELDS = (
    "age",
    "sex",
    "vein",
    "side",
    "growth",
    "presenting_findings",
    "initial_diagnosis",
    "anticoagulated",
    "imaging",
    "tumour_size_cm",
    "grade",
    "ihc_positive",
    "ihc_negative",
    "ki67_percent",
    "treatments",
    "outcomes",
    "follow_up_months",
)
CSV_COLUMNS = (
    "id",
    *(f"citation.{f}" for f in CITATION_FIELDS),
    "study_type",
    "n_patients",
    "series_summary",
    "locator",
    *(f"patient.{f}" for f in PATIENT_FIELDS),
)


@dataclass(frozen=True)
class Unmapped:
    file: str
    record: str
    field: str
    value: str
    status: str  # "unmapped" (no synonym) or "reviewed" (a curator marked it as having no term)


@dataclass
class ImportReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    values: list[Unmapped] = field(default_factory=list)

    @property
    def unmapped(self) -> list[Unmapped]:
        return [v for v in self.values if v.status == "unmapped"]

    def render(self) -> str:
        lines = [
            f"written: {len(self.written)}, unchanged: {len(self.unchanged)}, "
            f"kept (differs from import, not overwritten): {len(self.kept)}"
        ]
        for name in self.kept:
            lines.append(f"  kept {name} (use --overwrite to replace it with the import)")
        for status in ("unmapped", "reviewed"):
            rows = [v for v in self.values if v.status == status]
            title = (
                "values with no synonym (add them to curation/synonyms.yaml)"
                if status == "unmapped"
                else ("values reviewed as having no term (kept as curator notes)")
            )
            lines.append(f"{title}: {len(rows)}")
            lines += [f"  {v.file}\t{v.record}\t{v.field}\t{v.value}" for v in rows]
        return "\n".join(lines)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


class Synonyms:
    def __init__(self, table: dict[str, dict[str, Any]]) -> None:
        self.table = {section: {_norm(k): v for k, v in (entries or {}).items()} for section, entries in table.items()}

    @classmethod
    def load(cls, path: Path) -> Synonyms:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise RecordError(str(path), "(file)", f"cannot read the synonym table: {exc}") from exc
        if not isinstance(data, dict):
            raise RecordError(str(path), "(document)", "must map sections (site, presentation, ...) to phrases")
        return cls(data)

    def lookup(self, section: str, phrase: str) -> Any:
        entries = self.table.get(section, {})
        key = _norm(phrase)
        if key in entries:
            return entries[key]
        stripped = _norm(re.sub(r"\s*\([^()]*\)\s*$", "", phrase))
        return entries.get(stripped)


class _RecordBuilder:
    """Converts one sheet record, noting every value it cannot map."""

    def __init__(self, raw: dict[str, Any], synonyms: Synonyms, sheet: str) -> None:
        self.raw = raw
        self.syn = synonyms
        self.sheet = sheet
        self.id = str(raw.get("id", ""))
        self.values: list[Unmapped] = []

    def miss(self, fld: str, value: Any, status: str = "unmapped") -> None:
        self.values.append(Unmapped(f"data/{self.id}.yaml", self.id, fld, str(value), status))

    def term(self, section: str, fld: str, value: Any) -> Any:
        if value in (None, ""):
            return None
        found = self.syn.lookup(section, str(value))
        if found is None:
            self.miss(fld, value)
        elif isinstance(found, dict) and "skip" in found:
            self.miss(fld, f"{value} [{found['skip']}]", "reviewed")
            return None
        return found

    # ------------------------------------------------------------------ source
    def build(self) -> dict[str, Any]:
        raw = self.raw
        if not SLUG.match(self.id):
            raise RecordError(self.sheet, f"record {self.id!r}.id", "must be lower-case words joined by hyphens")
        locator = str(raw.get("locator") or "").strip() or "extraction sheet (part read not stated)"
        citation, notes = self.citation(raw.get("citation") or {}, locator)
        out: dict[str, Any] = {"id": self.id, "label": self.label(raw.get("citation") or {}), "citation": citation}
        design = self.term("study_design", "study_type", raw.get("study_type"))
        if design:
            out["study_design"] = design
            out["design_basis"] = f"extraction sheet study_type '{raw['study_type']}'"
        groups = self.groups(locator)
        if groups:
            out["groups"] = groups
        if raw.get("series_summary") and not any(g["kind"] == "cohort" for g in groups):
            notes.append(f"series summary as extracted: {raw['series_summary']}")
        if notes:
            out["note"] = " ".join(notes)
        return out

    def label(self, cit: dict[str, Any]) -> str:
        authors = ANNOTATION.sub("", str(cit.get("authors") or "")).strip()
        year = cit.get("year")
        when = f"({year})" if year else "(n.d.)"
        if not authors:
            return f"{self.id} {when}"
        names = [a.strip() for a in authors.split(",") if a.strip()]
        surnames = [INITIALS.sub("", name) for name in names]
        if len(names) == 1:
            return f"{surnames[0]} {when}"
        if len(names) == 2:
            return f"{surnames[0]} & {surnames[1]} {when}"
        return f"{surnames[0]} et al. {when}"

    def citation(self, cit: dict[str, Any], locator: str) -> tuple[dict[str, Any], list[str]]:
        out: dict[str, Any] = {}
        notes: list[str] = []
        for key, target in (("authors", "authors"), ("title", "title"), ("journal", "container")):
            value = cit.get(key)
            if not value:
                continue
            text = str(value)
            match = ANNOTATION.search(text)
            if match:
                notes.append(f"{key}: {match.group(1)}.")
                text = ANNOTATION.sub("", text)
            out[target] = text.strip()
        if cit.get("year"):
            out["year"] = int(cit["year"])
        for key in ("doi", "pmid", "pmcid", "url"):
            if cit.get(key):
                out[key] = str(cit[key])
        out["locator"] = locator
        return out, notes

    # ------------------------------------------------------------------ groups
    def groups(self, locator: str) -> list[dict[str, Any]]:
        patients = list(self.raw.get("patients") or [])
        n = self.raw.get("n_patients")
        n = int(n) if isinstance(n, int | str) and str(n).isdigit() else None
        groups: list[dict[str, Any]] = []
        series_id = f"{self.id}-series"
        needs_series = n is not None and n > max(len(patients), 1)
        if needs_series:
            series: dict[str, Any] = {"id": series_id, "kind": "cohort", "n_patients": n, "locator": locator}
            if self.raw.get("series_summary"):
                series["note"] = f"series summary as extracted: {self.raw['series_summary']}"
                self.miss("series_summary", "aggregates to be curated by hand from the summary", "reviewed")
            groups.append(series)
        for i, patient in enumerate(patients, start=1):
            case_id = f"{self.id}-case" if len(patients) == 1 else f"{self.id}-case-{i}"
            groups.append(self.case(case_id, patient, locator, series_id if needs_series else None))
        return groups

    def case(self, case_id: str, p: dict[str, Any], locator: str, part_of: str | None) -> dict[str, Any]:
        case: dict[str, Any] = {"id": case_id, "kind": "case", "locator": locator}
        if part_of:
            case["part_of"] = part_of
        if isinstance(p.get("age"), int):
            case["age"] = p["age"]
        sex = self.term("sex", "sex", p.get("sex"))
        if sex:
            case["sex"] = sex
        if p.get("follow_up_months") is not None:
            case["follow_up_months"] = p["follow_up_months"]
        history: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        ids: Counter[str] = Counter()

        def add(prefix: str, event: dict[str, Any]) -> dict[str, Any]:
            ids[prefix] += 1
            event_id = prefix if ids[prefix] == 1 else f"{prefix}-{ids[prefix]}"
            event = {"id": event_id, **event, "locator": locator}
            events.append(event)
            return event

        tumour = self.tumour(p, locator)
        if tumour:
            case["tumour"] = tumour
        for finding in p.get("presenting_findings") or []:
            mapped = self.term("presentation", "presenting_findings", finding) or []
            for item in mapped if isinstance(mapped, list) else [mapped]:
                if isinstance(item, dict) and "history" in item:
                    history.append({"term": item["history"], "note": f"as extracted: {finding}", "locator": locator})
                elif isinstance(item, dict) and "skip" in item:
                    self.miss("presenting_findings", f"{finding} [{item['skip']}]", "reviewed")
                else:
                    add("presentation", {"term": item, "note": f"as extracted: {finding}"})
        for text in p.get("imaging") or []:
            name, _, _ = str(text).partition(":")
            mapped = self.term("imaging", "imaging", name if self.syn.lookup("imaging", name) is not None else text)
            for item in mapped if isinstance(mapped, list) else ([mapped] if mapped else []):
                add("imaging", {"term": item, "note": f"as extracted: {text}"})
        diagnosis = p.get("initial_diagnosis")
        if diagnosis:
            condition = self.term("condition", "initial_diagnosis", diagnosis)
            if condition:
                add(
                    "initial-diagnosis",
                    {
                        "term": "InitialDiagnosis",
                        "condition": condition,
                        "status": "Misdiagnosed",
                        "note": f"as extracted: {diagnosis}",
                    },
                )
        treatments = list(p.get("treatments") or [])
        if p.get("anticoagulated") and not any(t.get("kind") == "anticoagulation" for t in treatments):
            add("anticoagulation", {"term": "Anticoagulation", "note": "as extracted: anticoagulated"})
        surgery_id: str | None = None
        for t in treatments:
            for event in self.treatment(t):
                made = add(_slug(event["term"]), event)
                if event["term"] == "SurgicalResection" and surgery_id is None:
                    surgery_id = made["id"]
        for o in p.get("outcomes") or []:
            self.outcome(o, add, events, surgery_id, locator)
        if history:
            case["history"] = history
        if events:
            case["events"] = events
        return case

    def tumour(self, p: dict[str, Any], locator: str) -> dict[str, Any] | None:
        vein = p.get("vein")
        if not vein:
            self.miss("vein", "not stated for this patient: no tumour site recorded", "reviewed")
            return None
        site_term = self.term("site", "vein", vein)
        if not site_term:
            return None
        site: dict[str, Any] = {"term": site_term, "as_printed": str(vein)}
        side = self.term("laterality", "side", p.get("side"))
        if side:
            site["laterality"] = side
        tumour: dict[str, Any] = {"histology": "Leiomyosarcoma", "site": site}
        growth = self.term("growth", "growth", p.get("growth"))
        if growth:
            tumour["growth"] = growth
        if p.get("grade"):
            grade = self.term("grade", "grade", p["grade"])
            tumour["grade"] = {**(grade or {}), "as_printed": str(p["grade"])}
        size = p.get("tumour_size_cm")
        if size is not None:
            numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", str(size))]
            if numbers:
                tumour["size_cm"] = max(numbers)
            if not isinstance(size, int | float):
                tumour["size_as_printed"] = f"{size} cm"
        if p.get("ki67_percent") is not None:
            tumour["ki67_percent"] = {"value": p["ki67_percent"]}
        markers = []
        for key, result in (("ihc_positive", "Positive"), ("ihc_negative", "Negative")):
            for marker in p.get(key) or []:
                term = self.term("marker", key, marker)
                if term:
                    markers.append({"marker": term, "result": result})
        if markers:
            tumour["markers"] = markers
        tumour["locator"] = locator
        return tumour

    def treatment(self, t: dict[str, Any]) -> list[dict[str, Any]]:
        kind, detail = t.get("kind"), t.get("detail")
        terms = self.syn.lookup("treatment_detail", str(detail)) if detail else None
        if terms is None:
            terms = self.syn.lookup("treatment_kind", str(kind)) if kind != "other" else None
        if terms is None:
            self.miss("treatments", f"{kind}: {detail}")
            return []
        events = []
        for term in terms:
            event: dict[str, Any] = {
                "term": term,
                "note": f"as extracted: {kind}; {detail}" if detail else f"as extracted: {kind}",
            }
            agents = [self.term("agent", "treatments.agents", a) for a in t.get("agents") or []]
            if agents and term in ("SystemicTherapy", "Anticoagulation"):
                event["agents"] = [a for a in agents if a]
            if term == "SystemicTherapy":
                for key in ("line", "cycles"):
                    if t.get(key):
                        event[key] = t[key]
            setting = self.term("setting", "treatments.setting", t.get("setting"))
            if setting and term not in ("Biopsy", "OtherSurgery"):
                event["setting"] = setting
            events.append(event)
        if t.get("time_months") is not None:
            self.miss(
                "treatments.time_months", f"{t['time_months']} months ({detail}): reference point to curate", "reviewed"
            )
        return events

    def outcome(
        self, o: dict[str, Any], add: Any, events: list[dict[str, Any]], surgery_id: str | None, locator: str
    ) -> None:
        term = self.term("outcome", "outcomes.kind", o.get("kind"))
        if not term:
            return
        detail = o.get("detail")
        base: dict[str, Any] = {"term": term}
        if detail:
            base["note"] = f"as extracted: {detail}"
        months = o.get("time_months")
        if months is not None:
            reference = next(
                (
                    ref
                    for phrase, ref in self.syn.table.get("time_reference", {}).items()
                    if phrase in _norm(str(detail))
                ),
                None,
            )
            if reference == "surgery" and surgery_id:
                base["at"] = {"months": months, "after": surgery_id}
            elif reference == "diagnosis":
                if not any(e["id"] == "diagnosis" for e in events):
                    events.insert(
                        0,
                        {
                            "id": "diagnosis",
                            "term": "Diagnosis",
                            "note": "reference point for times stated from diagnosis",
                            "locator": locator,
                        },
                    )
                base["at"] = {"months": months, "after": "diagnosis"}
            else:
                self.miss("outcomes.time_months", f"{months} months ({detail}): no reference point stated", "reviewed")
        sites = [s.strip() for s in str(o.get("site") or "").split(",") if s.strip()]
        if not sites:
            add(_slug(term), base)
            return
        for site in sites:
            site_term = self.term("site", "outcomes.site", site)
            event = dict(base)
            if site_term:
                event["site"] = {"term": site_term, "as_printed": site}
            add(f"{_slug(term)}-{_slug(site_term or site)}", event)


def _slug(text: str) -> str:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", text)
    return re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-") or "event"


def read_sheet(path: Path) -> list[dict[str, Any]]:
    """Sheet records from JSON (a list of records) or CSV (one row per patient, see CSV_COLUMNS)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(str(path), "(file)", f"cannot be read as UTF-8 text: {exc}") from exc
    if path.suffix.lower() == ".csv":
        return _from_csv(path, text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(str(path), f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}") from exc
    if not isinstance(data, list) or not all(isinstance(r, dict) and "id" in r for r in data):
        raise RecordError(str(path), "(document)", "must be a list of records, each with an id")
    return data


def _from_csv(path: Path, text: str) -> list[dict[str, Any]]:
    rows = list(csv.DictReader(text.splitlines()))
    missing = [c for c in CSV_COLUMNS if rows and c not in rows[0]]
    if missing:
        raise RecordError(str(path), "(header)", f"missing columns: {', '.join(missing)}")
    records: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(rows, start=2):
        rid = row["id"].strip()
        record = records.setdefault(rid, {"id": rid, "citation": {}, "patients": []})
        for f in CITATION_FIELDS:
            value = row[f"citation.{f}"].strip()
            record["citation"][f] = (int(value) if f == "year" and value.isdigit() else value) or None
        record["study_type"] = row["study_type"].strip() or None
        n = row["n_patients"].strip()
        record["n_patients"] = int(n) if n.isdigit() else None
        record["series_summary"] = row["series_summary"].strip() or None
        record["locator"] = row["locator"].strip() or None
        if not any(row[f"patient.{f}"].strip() for f in PATIENT_FIELDS):
            continue
        patient: dict[str, Any] = {}
        for f in PATIENT_FIELDS:
            cell = row[f"patient.{f}"].strip()
            try:
                patient[f] = _cell(f, cell)
            except ValueError as exc:
                raise RecordError(str(path), f"line {line}, column patient.{f}", str(exc)) from exc
        record["patients"].append(patient)
    return list(records.values())


def _cell(name: str, cell: str) -> Any:
    if name in LIST_FIELDS:
        return [part.strip() for part in cell.split(" | ") if part.strip()]
    if name in JSON_FIELDS:
        return json.loads(cell) if cell else []
    if not cell:
        return None
    if name in ("age", "follow_up_months", "ki67_percent"):
        return int(cell) if cell.isdigit() else float(cell)
    if name == "anticoagulated":
        if cell.lower() not in ("true", "false"):
            raise ValueError(f"{cell!r} is not true or false")
        return cell.lower() == "true"
    if name == "tumour_size_cm":
        try:
            return float(cell)
        except ValueError:
            return cell
    return cell


def write_csv(records: list[dict[str, Any]], path: Path) -> None:
    """The same sheet as CSV: one row per patient, a single row for a series without patients."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CSV_COLUMNS))
        writer.writeheader()
        for r in records:
            base = {
                "id": r["id"],
                "study_type": r.get("study_type") or "",
                "n_patients": r.get("n_patients") or "",
                "series_summary": r.get("series_summary") or "",
                "locator": r.get("locator") or "",
            }
            for f in CITATION_FIELDS:
                base[f"citation.{f}"] = (r.get("citation") or {}).get(f) or ""
            for p in r.get("patients") or [None]:
                row = dict(base)
                for f in PATIENT_FIELDS:
                    value = None if p is None else p.get(f)
                    if f in LIST_FIELDS:
                        row[f"patient.{f}"] = " | ".join(value or [])
                    elif f in JSON_FIELDS:
                        row[f"patient.{f}"] = json.dumps(value, ensure_ascii=False) if value else ""
                    else:
                        row[f"patient.{f}"] = (
                            "" if value is None else str(value).lower() if isinstance(value, bool) else value
                        )
                writer.writerow(row)


HEADER = (
    "# yaml-language-server: $schema=../schema/record.schema.json\n"
    "# Imported by `vskg import` from {sheet} (record {id}); reviewed and curated by hand after import.\n"
)


def render_record(record: dict[str, Any], sheet_name: str) -> str:
    body = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return HEADER.format(sheet=sheet_name, id=record["id"]) + body


def import_sheet(sheet: Path, data_dir: Path, synonyms: Path, *, overwrite: bool = False) -> ImportReport:
    syn = Synonyms.load(synonyms)
    report = ImportReport()
    seen: set[str] = set()
    for raw in read_sheet(sheet):
        builder = _RecordBuilder(raw, syn, str(sheet))
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
