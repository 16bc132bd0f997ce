"""Citation supplements: bibliographic fields an extraction sheet lacked, each read on a public page
that becomes the locator of those fields (`citation-supplement.json`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.errors import RecordError

SAME = ("authors", "title", "year", "container", "volume", "issue", "pages", "doi", "pmid", "pmcid")
FIELDS = {**{name: name for name in SAME}, "journal": "container"}  # sheet key -> citation field
REQUIRED = ("id", "found", "evidence_url", "evidence_quote", "confidence")


def read_supplements(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The supplements by sheet record id; a malformed entry is an error naming its place."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(str(path), "(file)", f"cannot be read as JSON: {exc}") from exc
    if not isinstance(data, list):
        raise RecordError(str(path), "(document)", "must be a list of supplements")
    out: dict[str, list[dict[str, Any]]] = {}
    for i, entry in enumerate(data):
        missing = [k for k in REQUIRED if not isinstance(entry, dict) or not entry.get(k)]
        if missing:
            raise RecordError(
                str(path), f"[{i}]", f"needs {', '.join(missing)} (valid keys: {', '.join(REQUIRED)}, notes)"
            )
        unknown = sorted(set(entry["found"]) - set(FIELDS))
        if unknown:
            raise RecordError(
                str(path), f"[{i}].found", f"unknown field(s) {', '.join(unknown)}; valid: {', '.join(FIELDS)}"
            )
        out.setdefault(str(entry["id"]), []).append(entry)
    return out


def apply_supplements(citation: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    """Fill the citation from its supplements and record each one with its page as locator."""
    for entry in entries:
        fields = []
        for key, value in entry["found"].items():
            name = FIELDS[key]
            citation[name] = int(value) if name == "year" else str(value)
            fields.append(name)
        supplement: dict[str, Any] = {
            "fields": fields,
            "locator": entry["evidence_url"],
            "quote": entry["evidence_quote"],
            "confidence": entry["confidence"],
        }
        if entry.get("notes"):
            supplement["note"] = entry["notes"]
        citation.setdefault("supplements", []).append(supplement)
