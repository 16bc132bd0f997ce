"""Free text to ontology terms through the curators' synonym table (`curation/synonyms.yaml`).

Every entry states how its term relates to the words (exact, broader, narrower, related) or is a
reviewed skip; the table is checked when it is loaded, so an entry without a strength, or an
approximate one where the record has no place to say so, stops the import before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from kg.errors import RecordError

Strength = Literal["exact", "broader", "narrower", "related"]
STRENGTHS: tuple[Strength, ...] = ("exact", "broader", "narrower", "related")

# sections whose record keeps a non-exact term with its words (`mapping` on an event, site or history item)
MAPPED_SECTIONS = frozenset(
    {"site", "histology", "presentation", "condition", "imaging", "treatment_kind", "treatment_detail", "outcome"}
)
# sections with nowhere to say "not exactly": exact entries or skips only
EXACT_SECTIONS = frozenset(
    {"study_design", "sex", "laterality", "growth", "grade", "setting", "agent", "marker", "time_reference"}
)
SECTIONS = MAPPED_SECTIONS | EXACT_SECTIONS
# sections where one phrase may stand for several terms ("CT and MRI"); elsewhere a phrase is one term
MULTIPLE_SECTIONS = frozenset({"presentation", "imaging", "treatment_kind", "treatment_detail"})
_TERM = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_GRADE_FIELDS = frozenset({"value", "system", "category"})
_REFERENCE_POINTS = frozenset({"surgery", "diagnosis"})


@dataclass(frozen=True)
class Target:
    """One term a phrase maps to, and how it relates to the phrase's words."""

    term: Any  # a term name; a grade's fields in `grade`; an event role in `time_reference`
    strength: Strength
    history: bool = False  # a condition of the patient's past (presentation only)
    branch_of: str | None = None  # a branch of this vein, placed at `term` (site only)

    @property
    def exact(self) -> bool:
        return self.strength == "exact"


@dataclass(frozen=True)
class Entry:
    """What the table says of a phrase: its terms, or that a curator found none (`skip`, with why)."""

    targets: tuple[Target, ...] = ()
    skip: str | None = None


def norm(text: str) -> str:
    return " ".join(text.lower().split())


class Synonyms:
    def __init__(self, table: dict[str, dict[str, Any]], *, source: str = "synonyms") -> None:
        self.table: dict[str, dict[str, Entry]] = {}
        for section, entries in table.items():
            if section not in SECTIONS:
                raise RecordError(source, str(section), f"unknown section; valid: {', '.join(sorted(SECTIONS))}")
            if entries is not None and not isinstance(entries, dict):
                raise RecordError(source, str(section), "must map phrases to entries")
            self.table[section] = {norm(str(k)): _entry(v, source, section, str(k)) for k, v in (entries or {}).items()}

    @classmethod
    def load(cls, path: Path) -> Synonyms:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise RecordError(str(path), "(file)", f"cannot read the synonym table: {exc}") from exc
        if not isinstance(data, dict):
            raise RecordError(str(path), "(document)", "must map sections (site, presentation, ...) to phrases")
        return cls(data, source=str(path))

    def lookup(self, section: str, phrase: str) -> Entry | None:
        entries = self.table.get(section, {})
        key = norm(phrase)
        if key in entries:
            return entries[key]
        stripped = norm(re.sub(r"\s*\([^()]*\)\s*$", "", phrase))
        return entries.get(stripped)

    def reference_point(self, text: str) -> str | None:
        """The event a stated time counts from ('7 months after the resection' -> 'surgery'), or None."""
        nouns = {k: e.targets[0].term for k, e in self.table.get("time_reference", {}).items() if e.targets}
        if not nouns:
            return None
        alternatives = "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True))
        found = re.search(rf"\b{_FROM}[\s-]+{_DETERMINERS}({alternatives})\b", norm(text))
        return str(nouns[found.group(1)]) if found else None


_FROM = r"(?:after|following|post|from)"
_DETERMINERS = r"(?:(?:the|her|his|their|its|initial|first|primary)\s+)*"
_FORMS = (
    "{exact: Term}, {broader: Term}, {narrower: Term}, {related: Term} (a term or a list of terms), "
    "a list of these, {history: {exact: Term}} (presentation), {exact: Term, branch_of: Vein} (site) "
    "or {skip: reason}"
)


def _entry(value: Any, source: str, section: str, phrase: str) -> Entry:
    where = f"{section}.{phrase!r}"
    if isinstance(value, dict) and "skip" in value:
        if set(value) != {"skip"} or not isinstance(value["skip"], str) or not value["skip"].strip():
            raise RecordError(source, where, "a skip is {skip: reason} with the curator's reason and nothing else")
        return Entry(skip=value["skip"])
    items = value if isinstance(value, list) else [value]
    if not items:
        raise RecordError(source, where, f"names no term; write one of {_FORMS}")
    targets = [t for item in items for t in _targets(item, source, section, where)]
    if len(targets) > 1 and section not in MULTIPLE_SECTIONS:
        raise RecordError(source, where, f"names {len(targets)} terms; a {section} phrase maps to one")
    return Entry(targets=tuple(targets))


def _targets(item: Any, source: str, section: str, where: str) -> list[Target]:
    if not isinstance(item, dict):
        raise RecordError(source, where, f"{item!r} states no strength; write one of {_FORMS}")
    if "history" in item:
        if section != "presentation" or set(item) != {"history"} or not isinstance(item["history"], dict):
            raise RecordError(source, where, "a history item is {history: {exact: Term}}, in presentation only")
        return [Target(t.term, t.strength, history=True) for t in _targets(item["history"], source, section, where)]
    strengths = [k for k in item if k in STRENGTHS]
    others = sorted(set(item) - set(strengths) - ({"branch_of"} if section == "site" else set()))
    if len(strengths) != 1 or others:
        raise RecordError(
            source, where, f"{item!r}: give exactly one strength ({', '.join(STRENGTHS)}); valid forms: {_FORMS}"
        )
    strength = cast(Strength, strengths[0])
    if strength != "exact" and section in EXACT_SECTIONS:
        raise RecordError(
            source,
            where,
            f"'{strength}' where the record has no place to say so: {section} takes exact entries or "
            "{skip: reason} only (keep the words as a note with a skip, or find an exact term)",
        )
    branch_of = item.get("branch_of")
    if branch_of is not None and not (isinstance(branch_of, str) and _TERM.match(branch_of)):
        raise RecordError(source, where, f"branch_of {branch_of!r} must be a term name")
    terms = item[strength] if isinstance(item[strength], list) else [item[strength]]
    if not terms:
        raise RecordError(source, where, f"{strength} names no term")
    for term in terms:
        _check_term(term, source, section, where)
    return [Target(term, strength, branch_of=branch_of) for term in terms]


def _check_term(term: Any, source: str, section: str, where: str) -> None:
    if section == "grade":
        if not (isinstance(term, dict) and term and set(term) <= _GRADE_FIELDS):
            raise RecordError(source, where, "a grade is {exact: {value: N, system: Term, category: Term}}")
    elif section == "time_reference":
        if term not in _REFERENCE_POINTS:
            raise RecordError(source, where, f"{term!r}: valid: {', '.join(sorted(_REFERENCE_POINTS))}")
    elif not (isinstance(term, str) and _TERM.match(term)):
        raise RecordError(source, where, f"{term!r} is not a term name (letters and digits, e.g. FemoralVein)")
