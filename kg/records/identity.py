"""One work, one source: the keys that identify a publication however it is reached (DOI, PMID,
PMCID, title, or first author and year), compared with case and diacritics folded."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

_INITIALS = re.compile(r"\s+[A-Z]{1,4}$")


def fold(text: str) -> str:
    """Lower case, no diacritics, words only: 'Dzsinič' and 'Dzsinic' fold alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def work_keys(citation: Mapping[str, Any]) -> dict[str, str]:
    """The identifying keys a citation gives (absent fields give none)."""
    keys: dict[str, str] = {}
    for field in ("doi", "pmid", "pmcid"):
        if citation.get(field):
            keys[field] = str(citation[field]).strip().lower()
    title = fold(str(citation.get("title") or "").rstrip(". "))
    if len(title) >= 20 and not title.endswith("..."):  # a cut-off title identifies nothing
        keys["title"] = title
    authors = [a.strip() for a in str(citation.get("authors") or "").split(",") if a.strip()]
    if authors and citation.get("year"):
        keys["first author and year"] = f"{fold(_INITIALS.sub('', authors[0]))} {citation['year']}"
    return keys


# Identifiers name one work each: a shared one makes two citations one work, whatever else differs
# (an author list printed another way); a differing one makes them two, whatever else they share (a
# title such as "Leiomyosarcoma of the inferior vena cava: a case report" is common). First author and
# year is not decisive: names are printed in too many ways to rule a match out.
_IDENTIFIERS = ("doi", "pmid", "pmcid")


def matching_keys(a: Mapping[str, str], b: Mapping[str, str]) -> list[str]:
    """The kinds of key on which two citations agree; none when an identifier differs and none is shared."""
    shared = [kind for kind, value in a.items() if b.get(kind) == value]
    if not any(kind in shared for kind in _IDENTIFIERS) and any(
        kind in a and kind in b and a[kind] != b[kind] for kind in _IDENTIFIERS
    ):
        return []
    return shared


def same_works(
    citations: Mapping[str, Mapping[str, Any]], apart: Mapping[str, Iterable[str]] | None = None
) -> list[tuple[str, str, list[str]]]:
    """Every pair of sources (by id) that look like one work, with the keys they share; a pair a
    record declares distinct (`apart`: id -> the ids it names in `distinct_from`) is left out."""
    declared = {frozenset((sid, other)) for sid, others in (apart or {}).items() for other in others}
    keyed = {sid: work_keys(c) for sid, c in sorted(citations.items())}
    found = []
    ids = sorted(keyed)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            shared = matching_keys(keyed[a], keyed[b])
            if shared and frozenset((a, b)) not in declared:
                found.append((a, b, shared))
    return found
