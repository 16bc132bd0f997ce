"""The order of a group's events as its record states it: which came before which, on what basis,
the group's index event, and the setting of each cancer treatment (stated, or derived from order).

Only statements establish order: a time with its reference event (`at`), `follows`, `reasons`, a
diagnosis `refuted_by` a later event, a response assessed for a lesion found earlier, and the
list order where the record says the source narrates one course (`narrated_course`). The order
of a list alone never does: a review-table row lists "Surgery + CT" and "Pulmonary metastases"
without saying which came first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.records.model import Event, Group
from kg.records.vocabulary import Vocabulary

RELAPSE = ("Recurrence", "DistantMetastasis", "DiseaseProgression")


@dataclass(frozen=True)
class GroupOrder:
    """What the build writes about a group's order; all event references are event ids."""

    precedes: frozenset[tuple[str, str]]
    bases: frozenset[str]
    index_event: str | None
    positions: dict[str, int] = field(default_factory=dict)  # id -> place in a display order
    settings: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (setting, basis)

    def before(self, a: str, b: str) -> bool:
        return (a, b) in self.precedes


class OrderCycle(ValueError):
    """The stated order says an event came before itself; `path` names the events in the cycle."""

    def __init__(self, path: list[str]) -> None:
        super().__init__(" -> ".join(path))
        self.path = path


def stated_edges(group: Group) -> dict[tuple[str, str], str]:
    """Direct 'a came before b' statements of one group, each with the basis it rests on."""
    edges: dict[tuple[str, str], str] = {}
    ids = {e.id for e in group.events}

    def add(a: str, b: str, basis: str) -> None:
        if a in ids and b in ids and a != b:
            edges.setdefault((a, b), basis)

    timed: dict[str, list[Event]] = {}
    for ev in group.events:
        if ev.at is not None:
            if ev.at.months > 0:
                add(ev.at.after, ev.id, "StatedTime")
            timed.setdefault(ev.at.after, []).append(ev)
        for f in ev.follows:
            add(f, ev.id, "StatedSequence")
        for r in ev.reasons:
            add(r, ev.id, "StatedReason")
        if ev.refuted_by:
            add(ev.id, ev.refuted_by, "StatedSequence")
        for lesion in ev.lesions:
            add(lesion.lesion, ev.id, "StatedSequence")
    for same_reference in timed.values():
        for a in same_reference:
            for b in same_reference:
                if a.at is not None and b.at is not None and a.at.months < b.at.months:
                    add(a.id, b.id, "StatedTime")
    if group.narrated_course:
        for a, b in zip(group.events, group.events[1:], strict=False):
            add(a.id, b.id, "NarratedCourse")
    return edges


def order_circle(group: Group) -> str | None:
    """What is wrong when the group's stated order makes an event come before itself, else None."""
    try:
        closure(stated_edges(group))
    except OrderCycle as cycle:
        return f"the stated order makes a circle: {cycle}; check follows, reasons and at"
    return None


def closure(pairs: Iterable[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    """The transitive closure; raises OrderCycle when an event would come before itself."""
    after: dict[str, set[str]] = {}
    for a, b in pairs:
        after.setdefault(a, set()).add(b)
    result: set[tuple[str, str]] = set()
    for start in sorted(after):
        seen: set[str] = set()
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(after.get(node, ())):
                if nxt == start:
                    raise OrderCycle([*path, nxt])
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
        result |= {(start, b) for b in seen}
    return frozenset(result)


def group_order(group: Group, vocab: Vocabulary) -> GroupOrder:
    edges = stated_edges(group)
    precedes = closure(edges)
    live = [e for e in group.events if e.exposure != "none"]
    resections = [e.id for e in live if vocab.is_a(e.term, "SurgicalResection")]
    relapses = [e.id for e in live if any(vocab.is_a(e.term, r) for r in RELAPSE)]
    index = _first(resections, precedes)
    if index is None and not resections:
        index = _first([e.id for e in live if vocab.is_a(e.term, "Diagnosis")], precedes)
    bases = frozenset(edges.values()) or frozenset({"NoOrderStated"})
    order = GroupOrder(precedes, bases, index, display_positions([e.id for e in group.events], precedes))
    for ev in live:
        if vocab.is_a(ev.term, "CancerTreatment"):
            order.settings[ev.id] = _setting(ev, vocab, order, relapses, resections)
    return order


def display_positions(ids: list[str], precedes: frozenset[tuple[str, str]]) -> dict[str, int]:
    """1, 2, ... in an order that keeps every stated 'before'; events nothing orders keep list order."""
    waiting = {i: {a for a, b in precedes if b == i} for i in ids}
    placed: dict[str, int] = {}
    while len(placed) < len(ids):
        ready = next(i for i in ids if i not in placed and waiting[i] <= placed.keys())
        placed[ready] = len(placed) + 1
    return placed


def _first(candidates: list[str], precedes: frozenset[tuple[str, str]]) -> str | None:
    """The one candidate that comes before every other, if the stated order tells."""
    for c in candidates:
        if all(c == o or (c, o) in precedes for o in candidates):
            return c
    return None


def _setting(
    ev: Event, vocab: Vocabulary, order: GroupOrder, relapses: list[str], resections: list[str]
) -> tuple[str, str | None]:
    if ev.setting:
        return ev.setting, "StatedSetting"
    if any(order.before(r, ev.id) for r in relapses):
        return "ForRecurrentOrMetastaticDisease", "DerivedSetting"
    index = order.index_event if order.index_event in resections else None
    before_any_relapse = all(order.before(ev.id, r) for r in relapses)
    if index is not None and before_any_relapse:
        if ev.id == index:
            return "Primary", "DerivedSetting"
        if vocab.is_a(ev.term, "NonSurgicalCancerTreatment"):
            if order.before(ev.id, index):
                return "Neoadjuvant", "DerivedSetting"
            if order.before(index, ev.id):
                return "Adjuvant", "DerivedSetting"
    return "SettingNotStated", None
