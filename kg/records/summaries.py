"""What a build keeps of each record for checks across records and for the next build."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kg.records.model import SourceRecord


@dataclass(frozen=True)
class GroupSummary:
    """What other records' checks need to know of a group."""

    id: str
    kind: str
    n_patients: int | None
    part_of: str | None


@dataclass(frozen=True)
class RecordSummary:
    """What the checks across records need to know of a record; kept by a build for the next one."""

    id: str
    synthetic: bool
    taken_from: str | None
    groups: tuple[GroupSummary, ...]
    sources_named: frozenset[str]  # every source the record refers to
    groups_named: frozenset[str]  # every group of another record it refers to (part_of, links)


def summarize(rec: SourceRecord) -> RecordSummary:
    groups = tuple(GroupSummary(g.id, g.kind, g.n_patients, g.part_of) for g in rec.groups)
    sources = {rec.citation.taken_from, *(r.work for r in rec.references), *(t.work for t in rec.table_rows)}
    sources |= {w for c in rec.citations for w in c.works} | {g.reported_in for g in rec.groups}
    sources |= {d.source for d in rec.distinct_from}
    named = {g.part_of for g in rec.groups} | {link.group for g in rec.groups for link in g.links}
    return RecordSummary(
        rec.id,
        rec.synthetic,
        rec.citation.taken_from,
        groups,
        frozenset(x for x in sources if x is not None),
        frozenset(x for x in named if x is not None),
    )


def affected(known: Mapping[Path, RecordSummary], fresh: Mapping[Path, RecordSummary]) -> set[Path]:
    """Unchanged records whose checks or quads depend on a fresh one: they name a source that is
    gone, or a group that is gone or whose record changed."""
    every = {**known, **fresh}
    sources = {s.id for s in every.values()}
    groups = {g.id for s in every.values() for g in s.groups}
    touched = {g.id for s in fresh.values() for g in s.groups}
    return {
        path
        for path, s in known.items()
        if s.sources_named - sources or s.groups_named - groups or s.groups_named & touched
    }


@dataclass(frozen=True)
class Corpus:
    """What checking one record needs to know of every other: the source ids and every group."""

    source_ids: frozenset[str]
    groups: Mapping[str, GroupSummary]

    @classmethod
    def of(cls, summaries: Iterable[RecordSummary]) -> Corpus:
        every = list(summaries)
        return cls(frozenset(s.id for s in every), {g.id: g for s in every for g in s.groups})

    @property
    def kinds(self) -> dict[str, str]:
        return {gid: g.kind for gid, g in self.groups.items()}
