"""A sheet entry's citation and locator as a record holds them: annotations the sheet added to a
field ("(title from URL slug)") kept as notes, a locator longer than a record allows cut at a
sentence with the rest kept apart."""

from __future__ import annotations

import re
from typing import Any

ANNOTATION = re.compile(r"\s*\(([^()]*(?:URL|text read|truncated|slug|per URL)[^()]*)\)\s*$", re.IGNORECASE)


def sheet_citation(cit: dict[str, Any], locator: str) -> tuple[dict[str, Any], list[str]]:
    """The citation as the sheet prints it, page annotations ("title from URL slug") moved to notes."""
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


def short_locator(text: str, limit: int = 300) -> tuple[str, str]:
    """A locator within the record limit: whole sentences of the sheet's text, the rest kept apart."""
    if not text:
        return "extraction sheet (part read not stated)", ""
    if len(text) <= limit:
        return text, ""
    cut = max(text.rfind(". ", 0, limit), text.rfind("; ", 0, limit))
    if cut <= 0:
        cut = text.rfind(" ", 0, limit - 3)
        return text[:cut] + " ...", text[cut:].strip()
    return text[: cut + 1], text[cut + 2 :].strip()
