"""A work's own extraction-sheet entry merged into the source that held it only bibliographically:
same id and IRI, its groups and facts added with their locators, citation fields filled only where
the held record lacked them (each filled field with where it was read), the merge's basis kept."""

from __future__ import annotations

import copy
from typing import Any

CITATION_ORDER = ("authors", "title", "container", "year", "volume", "issue", "pages", "doi", "pmid", "pmcid", "url")


def merge_entry(held: dict[str, Any], built: dict[str, Any], *, entry: str, sheet: str, basis: str) -> dict[str, Any]:
    """`held` with the entry's own facts (`built`, made with the held id) added; neither is changed."""
    out = copy.deepcopy(held)
    citation = out.setdefault("citation", {})
    incoming = built.get("citation") or {}
    filled = [k for k in CITATION_ORDER if incoming.get(k) not in (None, "") and citation.get(k) in (None, "")]
    for key in filled:
        citation[key] = incoming[key]
    if filled:
        supplement = {
            "fields": filled,
            "locator": f"{sheet}, entry {entry}" + (f" ({incoming['url']})" if incoming.get("url") else ""),
            "quote": "; ".join(f"{k}: {incoming[k]}" for k in filled),
            "confidence": basis,
            "note": f"from the work's own extraction-sheet entry, read at: {incoming.get('locator', 'not stated')}",
        }
        citation.setdefault("supplements", []).append(supplement)
    if not out.get("study_design") and built.get("study_design"):
        out["study_design"] = built["study_design"]
        out["design_basis"] = built.get("design_basis")
    out["groups"] = replace_groups(out.get("groups") or [], built.get("groups") or [])
    if built.get("note"):
        out["note"] = " ".join(n for n in (out.get("note"), f"From the work's own entry: {built['note']}") if n)
    merged = [m for m in out.get("merged_entries") or [] if m.get("entry") != entry]
    out["merged_entries"] = [*merged, {"entry": entry, "sheet": sheet, "basis": basis}]
    return out


def replace_groups(current: list[dict[str, Any]], incoming: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The current groups with those of the same ids replaced by `incoming`, the rest appended."""
    by_id = {g.get("id"): g for g in incoming}
    out = [by_id.pop(g.get("id")) if g.get("id") in by_id else g for g in current]
    return out + list(by_id.values())


def merged_groups_current(held: dict[str, Any], built: dict[str, Any]) -> bool:
    """Whether the held record still holds the entry's groups exactly as a fresh import makes them."""
    current = {g.get("id"): g for g in held.get("groups") or [] if isinstance(g, dict)}
    return all(current.get(g["id"]) == g for g in built.get("groups") or [])
