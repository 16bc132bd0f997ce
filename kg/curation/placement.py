"""Where an extraction-sheet entry goes: a new source, its own file again, into a held source that
has no facts of its own (the same work, known so far only from other sources' review rows), or
held back (a duplicate, an ambiguous identity, an id taken by another work). The identity rule is
`kg.records.identity`; this module applies it to a sheet against data/."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from kg.records.identity import Verdict, compare

# the parts of a record that are the source's own statements; a record with none of them is a
# bibliographic record only (as the seed's reference list gives the works of its Table 1)
OWN_FACTS = ("groups", "claims", "table_rows", "citations", "references")


@dataclass(frozen=True)
class Held:
    """A record already in data/, as plain data."""

    id: str
    data: dict[str, Any]

    @property
    def citation(self) -> dict[str, Any]:
        cit = self.data.get("citation")
        return cit if isinstance(cit, dict) else {}

    @property
    def apart(self) -> set[str]:
        return {str(d.get("source")) for d in self.data.get("distinct_from") or [] if isinstance(d, dict)}

    @property
    def merged(self) -> set[str]:
        return {str(m.get("entry")) for m in self.data.get("merged_entries") or [] if isinstance(m, dict)}

    @property
    def has_own_facts(self) -> bool:
        return any(self.data.get(key) for key in OWN_FACTS)

    def groups(self) -> list[dict[str, Any]]:
        return [g for g in self.data.get("groups") or [] if isinstance(g, dict) and isinstance(g.get("id"), str)]


def read_held(data_dir: Path) -> dict[str, Held]:
    """Every readable record of data/ (an unreadable one is the build's to report, with its place)."""
    held: dict[str, Held] = {}
    for path in sorted(data_dir.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict):
            held[path.stem] = Held(path.stem, data)
    return held


@dataclass(frozen=True)
class LookAlike:
    """Another work that shares only a title with the entry: its id, why, and the groups that
    report it (the groups the entry's patients may overlap)."""

    source: str
    basis: str
    groups: tuple[str, ...]
    in_sheet: bool


@dataclass(frozen=True)
class Placement:
    """`new`: a new source; `own`: the entry's own file again (re-import); `merge`: into `target`,
    a held source of the same work; `held`: not written, for `reason`, and `advice` says what to do."""

    action: Literal["new", "own", "merge", "held"]
    target: str
    reason: str = ""
    advice: str = ""
    apart: list[dict[str, str]] = field(default_factory=list)  # distinct_from the entry's record gains
    look_alikes: list[LookAlike] = field(default_factory=list)


@dataclass
class Placer:
    """Decides each entry in sheet order. An entry placed as a new source is a candidate for later
    ones, so a sheet holding one work twice writes it once; an entry kept apart (`separate`) is
    compared with every other entry of the sheet (`sheet`: entry id -> (citation, top-level group
    ids)), and names each look-alike in its `distinct_from`, so the look-alike is not flagged for it."""

    held: Mapping[str, Held]
    separate: frozenset[str] = frozenset()
    same_as: Mapping[str, str] = field(default_factory=dict)
    sheet: Mapping[str, tuple[Mapping[str, Any], tuple[str, ...]]] = field(default_factory=dict)
    placed: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # entry id -> citation, new sources
    merged: dict[str, str] = field(default_factory=dict)  # held source id -> the entry merged into it

    def __post_init__(self) -> None:
        # the groups that report each work: its own top-level groups, or other sources' review rows
        self.reporting: dict[str, list[str]] = defaultdict(list)
        for h in self.held.values():
            for g in h.groups():
                if not g.get("part_of"):
                    self.reporting[str(g.get("reported_in") or h.id)].append(g["id"])

    def place(self, entry: str, citation: Mapping[str, Any]) -> Placement:
        decided = self._decide(entry, citation)
        if decided.action == "new":
            self.placed[entry] = citation
        if decided.action == "merge":
            earlier = self.merged.setdefault(decided.target, entry)
            if earlier != entry:
                return Placement(
                    "held",
                    entry,
                    f"duplicate: the same work as sheet entry {earlier}, merged into data/{decided.target}.yaml "
                    f"({decided.reason})",
                    f"merge the two entries in the sheet, or keep this one apart with --separate {entry}",
                )
        return decided

    def _decide(self, entry: str, citation: Mapping[str, Any]) -> Placement:
        if entry in self.same_as:
            return self._merge_into(self.held[self.same_as[entry]], entry, "named the same work at import (--same-as)")
        for h in self.held.values():
            if entry in h.merged:
                return Placement("merge", h.id, "merged at an earlier import")
        held = {i: h.citation for i, h in self.held.items() if i != entry and entry not in h.apart}
        held = {i: c for i, c in held.items() if i not in self.separate}
        if entry in self.separate:
            others = {i: c for i, (c, _) in self.sheet.items() if i != entry}
            apart = [
                {
                    "source": other,
                    "basis": f"looks like {self._where(other)} ({v.basis}); kept apart at import (--separate)",
                }
                for other, v in _kin(citation, held | others, ("same", "possible", "look-alike"))
            ]
            return Placement("own" if entry in self.held else "new", entry, apart=apart)
        if entry in self.held:
            verdict = compare(citation, self.held[entry].citation)
            if verdict.kind == "different":
                return Placement(
                    "held",
                    entry,
                    f"the id is taken by data/{entry}.yaml, another work ({verdict.basis})",
                    "give the entry another id in the sheet",
                )
            return Placement("own", entry)
        earlier = {i: c for i, c in self.placed.items() if i not in self.separate}
        found = _kin(citation, held | earlier, ("same", "possible", "look-alike"))
        same = [(o, v.basis) for o, v in found if v.kind == "same"]
        possible = [(o, v.basis) for o, v in found if v.kind == "possible"]
        if len(same) > 1:
            return Placement(
                "held",
                entry,
                f"ambiguous identity: the same work as each of {self._listed(same)}",
                f"name the one it is with --same-as {entry}=SOURCE, or keep it apart with --separate {entry}",
            )
        if same:
            other, basis = same[0]
            if other in self.placed:
                return Placement(
                    "held",
                    entry,
                    f"duplicate: the same work as sheet entry {other} ({basis})",
                    f"merge the two entries in the sheet, or keep them apart with --separate {entry}",
                )
            return self._merge_into(self.held[other], entry, basis)
        if possible:
            return Placement(
                "held",
                entry,
                f"ambiguous identity: may be the same work as {self._listed(possible)}",
                f"keep it apart with --separate {entry} if it is another work; if it is the same, import this "
                f"file again with --same-as {entry}={possible[0][0]}",
            )
        look_alikes = [
            LookAlike(other, v.basis, self._groups_of(other), other in self.placed)
            for other, v in found
            if v.kind == "look-alike"
        ]
        return Placement("new", entry, look_alikes=look_alikes)

    def _merge_into(self, target: Held, entry: str, basis: str) -> Placement:
        if target.has_own_facts and entry not in target.merged:
            return Placement(
                "held",
                entry,
                f"duplicate: the same work as data/{target.id}.yaml ({basis}), which already has facts of its own",
                f"add what the entry adds to data/{target.id}.yaml by hand, or keep it apart with --separate {entry} "
                "if it is another work",
            )
        return Placement("merge", target.id, basis)

    def _groups_of(self, source: str) -> tuple[str, ...]:
        if source in self.placed:
            return self.sheet[source][1]
        return tuple(self.reporting.get(source, ()))

    def _where(self, other: str) -> str:
        return f"sheet entry {other}" if other in self.sheet and other not in self.held else f"data/{other}.yaml"

    def _listed(self, pairs: list[tuple[str, str]]) -> str:
        return "; ".join(f"{self._where(o)} ({b})" for o, b in pairs)


def _kin(
    citation: Mapping[str, Any], candidates: Mapping[str, Mapping[str, Any]], kinds: tuple[str, ...]
) -> list[tuple[str, Verdict]]:
    """The candidates whose verdict against `citation` is one of `kinds`, by id."""
    found = [(other, compare(citation, cited)) for other, cited in sorted(candidates.items())]
    return [(other, v) for other, v in found if v.kind in kinds]
