"""Extraction sheets: read from JSON or CSV (one row per patient), and written back as CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from kg.errors import RecordError

OPTIONAL = ("vein", "vessel", "vessel_kind", "histology")  # the first two sheets name a vein, the third a vessel
LIST_FIELDS = ("presenting_findings", "imaging", "ihc_positive", "ihc_negative")
JSON_FIELDS = ("treatments", "outcomes")
CITATION_FIELDS = ("authors", "year", "title", "journal", "doi", "pmid", "pmcid", "url")
PATIENT_FIELDS = (
    "age",
    "sex",
    "vein",
    "vessel",
    "vessel_kind",
    "histology",
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
    missing = [c for c in CSV_COLUMNS if rows and c not in rows[0] and c.removeprefix("patient.") not in OPTIONAL]
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
        if not any((row.get(f"patient.{f}") or "").strip() for f in PATIENT_FIELDS):
            continue
        patient: dict[str, Any] = {}
        for f in PATIENT_FIELDS:
            if f"patient.{f}" not in row:
                continue
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
    used = {f for r in records for p in r.get("patients") or [] for f in p}
    unused = {f"patient.{f}" for f in OPTIONAL if f not in used}  # a vein sheet has no vessel columns
    fields = [c for c in CSV_COLUMNS if c not in unused]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
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
                    if f"patient.{f}" in unused:
                        continue
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
