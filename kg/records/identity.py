"""One work, one source: whether two citations name the same publication, and why.

The rule (docs/records.md, "One work, one source"):

1. A shared DOI, PMID or PMCID makes two citations one work, whatever else differs; a differing
   one (and none shared) makes them two, whatever else they share.
2. Without identifiers to decide, the same title is one work only when the first author or the
   year also agrees; another first author *and* another year make two works, whatever the title.
3. Case reports of this disease share a handful of titles, so a title alone never makes one work:
   with the first author or the year unknown on a side, the two are look-alikes - two works whose
   patients may be the same (flagged as a possible overlap until a curator says otherwise).
4. The same first author and year with a title not known on both sides may be one work: a curator
   decides.

Names and titles are compared with case and diacritics folded, and a name's letters are also
compared transliterated ("Dzsinich" = "Dzsinič", "Koepnick" = "Köpnick").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

IDENTIFIERS = ("doi", "pmid", "pmcid")

# letters NFKD does not take apart, folded to their plain Latin form
_PLAIN = str.maketrans(
    {
        "\u0131": "i",  # dotless i
        "ł": "l",
        "đ": "d",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "þ": "th",
        "ð": "d",
    }
)
# the same letters as names are commonly transliterated into English or German print
_TRANSLIT = str.maketrans(
    {"č": "ch", "š": "sh", "ž": "zh", "ć": "ch", "ö": "oe", "ü": "ue", "ä": "ae", "ø": "oe", "å": "aa", "ñ": "ny"}
)
_PARENTHESES = re.compile(r"\([^()]*\)")
_INITIALS = re.compile(r"^(?:[A-Z]\.?){1,4}$|^(?:[A-Z]\.){1,4}$")
_ET_AL = re.compile(r"\bet al\.?.*$", re.IGNORECASE)
# an author named on the page only as corresponding author may not be the first
_NOT_FIRST = ("corresponding author",)
MIN_TITLE = 20  # a shorter title identifies nothing


def fold(text: str) -> str:
    """Lower case, no diacritics, words only: 'Dzsinič' and 'Dzsinic' fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_PLAIN))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def title_key(citation: Mapping[str, Any]) -> str | None:
    """The folded title, or None when there is none or it is cut off ('...')."""
    text = str(citation.get("title") or "").strip()
    if text.endswith("...") or text.endswith("…"):
        return None
    title = fold(text)
    return title if len(title) >= MIN_TITLE else None


Name = list[frozenset[str]]  # one position per word: its spellings (folded, and transliterated)


def first_author(citation: Mapping[str, Any]) -> list[Name] | None:
    """The first author's name as printed and without trailing initials ('Di Pilla MA' -> 'Di
    Pilla'; 'Weihao LI' is kept whole too, as the capitals may be a surname); None when not known."""
    authors = str(citation.get("authors") or "")
    first = re.split(r"[,;]", authors, maxsplit=1)[0]
    if any(marker in first.casefold() for marker in _NOT_FIRST):
        return None
    words = _ET_AL.sub("", _PARENTHESES.sub(" ", first)).replace("—", " ").split()
    bare = list(words)
    while len(bare) > 1 and _INITIALS.match(bare[-1]):
        bare.pop()
    forms = [_spellings(w) for w in (words, bare) if w]
    forms = [f for i, f in enumerate(forms) if f and f not in forms[:i]]
    return forms or None


def _spellings(words: list[str]) -> Name:
    name = [frozenset({fold(w), fold(w.casefold().translate(_TRANSLIT))}) - {""} for w in words]
    return [w for w in name if w]


def _same_person(a: list[Name], b: list[Name]) -> bool:
    """One name is the other, or its start or end (a surname printed with or without given names)."""

    def agree(x: Name, y: Name) -> bool:
        return all(p & q for p, q in zip(x, y, strict=True))

    for x in a:
        for y in b:
            short, long = (x, y) if len(x) <= len(y) else (y, x)
            if agree(short, long[: len(short)]) or agree(short, long[-len(short) :]):
                return True
    return False


def identifiers(citation: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(citation[k]).strip().lower() for k in IDENTIFIERS if citation.get(k)}


@dataclass(frozen=True)
class Verdict:
    """How two citations relate: the `same` work; `different` works; a `look-alike` (the same title
    only: two works that may share patients); `possible` (a curator decides); or `unrelated`."""

    kind: Literal["same", "different", "look-alike", "possible", "unrelated"]
    basis: str


def compare(a: Mapping[str, Any], b: Mapping[str, Any]) -> Verdict:
    """Whether two citations (dicts with authors, title, year, doi, pmid, pmcid) name one work."""
    ids_a, ids_b = identifiers(a), identifiers(b)
    shared = [k for k in IDENTIFIERS if k in ids_a and ids_a[k] == ids_b.get(k)]
    if shared:
        return Verdict("same", f"same {' and '.join(shared)}")
    differing = [k for k in IDENTIFIERS if k in ids_a and k in ids_b]
    if differing:
        return Verdict("different", f"another {' and '.join(differing)}")
    title_a, title_b = title_key(a), title_key(b)
    author_a, author_b = first_author(a), first_author(b)
    authors_known = author_a is not None and author_b is not None
    same_author = authors_known and _same_person(author_a or [], author_b or [])
    years_known = bool(a.get("year")) and bool(b.get("year"))
    same_year = years_known and str(a.get("year")) == str(b.get("year"))
    if title_a and title_a == title_b:
        agreeing = [what for what, agrees in (("first author", same_author), ("year", same_year)) if agrees]
        if agreeing:
            return Verdict("same", f"same title and {' and '.join(agreeing)}")
        if authors_known and years_known:
            return Verdict("different", "same title, but another first author and another year")
        return Verdict("look-alike", "same title only; first author or year not known on both sides")
    if same_author and same_year:
        if title_a and title_b:
            return Verdict("unrelated", "same first author and year, another title")
        return Verdict("possible", "same first author and year; title not known on both sides")
    return Verdict("unrelated", "")


def same_works(
    citations: Mapping[str, Mapping[str, Any]], apart: Mapping[str, Iterable[str]] | None = None
) -> list[tuple[str, str, Verdict]]:
    """Every pair of sources (by id) that are one work, may be one, or only share a title, with the
    verdict; a pair a record declares distinct (`apart`: id -> the ids in its `distinct_from`) is left out."""
    declared = {frozenset((sid, other)) for sid, others in (apart or {}).items() for other in others}
    ids = sorted(citations)
    found = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            verdict = compare(citations[a], citations[b])
            if verdict.kind in ("same", "possible", "look-alike") and frozenset((a, b)) not in declared:
                found.append((a, b, verdict))
    return found
