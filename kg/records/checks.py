"""Checks records against the ontology's vocabulary and against each other."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path

from kg.errors import RecordError, RecordErrors
from kg.records.model import EVENT_ONLY_FIELDS, Event, Group, Site, SourceRecord
from kg.records.order import order_circle
from kg.records.summaries import Corpus, GroupSummary, RecordSummary, summarize
from kg.records.vocabulary import Vocabulary


class _Checker:
    def __init__(self, vocab: Vocabulary | None, corpus: Corpus) -> None:
        self._vocab = vocab
        self.source_ids = corpus.source_ids
        self.groups = corpus.groups
        self.errors: list[RecordError] = []
        self.file = ""

    @property
    def vocab(self) -> Vocabulary:
        assert self._vocab is not None, "checking a record needs the vocabulary (checks across records do not)"
        return self._vocab

    def fail(self, field: str, problem: str) -> None:
        self.errors.append(RecordError(self.file, field, problem))

    @staticmethod
    def _options(name: str, valid: list[str]) -> str:
        close = difflib.get_close_matches(name, valid, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        shown = ", ".join(valid[:200]) + (" ..." if len(valid) > 200 else "")
        return f"{hint}; valid: {shown}"

    def member(self, field: str, name: str | None, value_class: str) -> None:
        if name is None:
            return
        if name not in self.vocab.individuals.get(value_class, ()):
            self.fail(field, f"unknown {value_class} '{name}'{self._options(name, self.vocab.members(value_class))}")

    def subclass(self, field: str, name: str, root: str) -> None:
        if not self.vocab.is_a(name, root):
            valid = self.vocab.subclasses(root)
            self.fail(field, f"unknown {root} term '{name}'{self._options(name, valid)}")

    def source(self, field: str, slug: str | None) -> None:
        if slug is not None and slug not in self.source_ids:
            self.fail(field, f"names source '{slug}', which has no file data/{slug}.yaml")

    def record(self, path: Path, rec: SourceRecord) -> None:
        self.file = str(path)
        self.member("study_design", rec.study_design, "StudyDesign")
        self.member("evidence_level", rec.evidence_level, "EvidenceLevel")
        if rec.study_design and not rec.design_basis:
            self.fail("design_basis", "is required with study_design: say where the design is stated")
        self.source("citation.taken_from", rec.citation.taken_from)
        for i, other in enumerate(rec.distinct_from):
            self.source(f"distinct_from[{i}].source", other.source)
        numbers: set[int] = set()
        for i, ref in enumerate(rec.references):
            where = f"references[{i}]"
            if ref.number in numbers:
                self.fail(f"{where}.number", f"reference number {ref.number} is listed twice")
            numbers.add(ref.number)
            self.source(f"{where}.work", ref.work)

        citation_ids = self._unique("citations", (c.id for c in rec.citations))
        for i, cit in enumerate(rec.citations):
            where = f"citations[{i}]({cit.id})"
            for n in cit.numbers:
                if n not in numbers:
                    self.fail(f"{where}.numbers", f"number {n} is not in this source's reference list")
            for w in cit.works:
                self.source(f"{where}.works", w)

        rows: set[tuple[str, int]] = set()
        group_ids = {g.id for g in rec.groups}
        for i, row in enumerate(rec.table_rows):
            where = f"table_rows[{i}]"
            if (row.table, row.row) in rows:
                self.fail(f"{where}.row", f"{row.table} row {row.row} is given twice")
            rows.add((row.table, row.row))
            self.source(f"{where}.work", row.work)
            if row.group not in group_ids:
                self.fail(
                    f"{where}.group",
                    f"'{row.group}' is not a group of this file; valid: {', '.join(sorted(group_ids))}",
                )
            if row.number_printed is not None and row.number_printed not in numbers:
                self.fail(
                    f"{where}.number_printed", f"number {row.number_printed} is not in this source's reference list"
                )

        for i, group in enumerate(rec.groups):
            self.group(f"groups[{i}]({group.id})", group)

        self._unique("claims", (c.id for c in rec.claims))
        for i, claim in enumerate(rec.claims):
            where = f"claims[{i}]({claim.id})"
            self.member(f"{where}.topic", claim.topic, "ClaimTopic")
            for agent in claim.agents:
                self.member(f"{where}.agents", agent, "Agent")
            cited: set[str] = set()
            for c in claim.citations:
                if c not in citation_ids:
                    self.fail(
                        f"{where}.citations",
                        f"'{c}' is not a citation id of this file; valid: {', '.join(sorted(citation_ids))}",
                    )
                cited.update(w for cit in rec.citations if cit.id == c for w in cit.works)
            for w in claim.supported_by:
                if w not in cited:
                    self.fail(
                        f"{where}.supported_by",
                        f"'{w}' is not a work of the claim's citations; valid: {', '.join(sorted(cited))}",
                    )

    def _unique(self, field: str, ids: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if ident in seen:
                self.fail(f"{field}[{i}].id", f"id '{ident}' is used twice")
            seen.add(ident)
        return seen

    def site(self, where: str, site: Site) -> None:
        self.subclass(f"{where}.term", site.term, "AnatomicalSite")
        self.member(f"{where}.laterality", site.laterality, "Laterality")
        if site.branch_of:
            self.subclass(f"{where}.branch_of", site.branch_of, "Vein")
        for j, inc in enumerate(site.includes):
            if not self.vocab.is_a(inc, site.term) or inc == site.term:
                below = f"'{inc}' must be a site strictly below '{site.term}' in the site hierarchy"
                self.fail(f"{where}.includes[{j}]", below)

    def group(self, where: str, g: Group) -> None:
        self.source(f"{where}.reported_in", g.reported_in)
        if g.literature_review and g.kind != "cohort":
            self.fail(f"{where}.literature_review", "only a cohort can gather cases from the literature")
        if g.kind == "case":
            if g.n_patients not in (None, 1):
                self.fail(f"{where}.n_patients", f"a case is one patient; got {g.n_patients} (use kind: cohort)")
        else:
            if g.n_patients is None or g.n_patients < 2:
                self.fail(f"{where}.n_patients", "a cohort needs its number of patients (2 or more)")
            if g.age is not None or g.sex is not None:
                self.fail(f"{where}.age", "age and sex belong to a single case, not a cohort")
        self.member(f"{where}.sex", g.sex, "Sex")
        if g.part_of is not None:
            parent = self.groups.get(g.part_of)
            if parent is None or parent.kind != "cohort" or parent.id == g.id:
                self.fail(f"{where}.part_of", f"'{g.part_of}' is not another cohort in data/")
            elif (parent.n_patients or 0) < (g.n_patients or 1):
                self.fail(f"{where}.part_of", f"'{g.part_of}' has fewer patients than this group")
        if g.period is not None and g.period.start > g.period.end:
            self.fail(f"{where}.period", f"starts ({g.period.start}) after it ends ({g.period.end})")
        for j, link in enumerate(g.links):
            if link.group not in self.groups or link.group == g.id:
                self.fail(f"{where}.links[{j}].group", f"'{link.group}' is not another group in data/")
        for j, h in enumerate(g.history):
            self.subclass(f"{where}.history[{j}].term", h.term, "MedicalHistoryItem")
        if g.tumour is not None:
            t = g.tumour
            self.member(f"{where}.tumour.histology", t.histology, "HistologicType")
            self.site(f"{where}.tumour.site", t.site)
            self.member(f"{where}.tumour.growth", t.growth, "GrowthPattern")
            if t.grade is not None:
                self.member(f"{where}.tumour.grade.system", t.grade.system, "GradingSystem")
                self.member(f"{where}.tumour.grade.category", t.grade.category, "GradeCategory")
                if t.grade.value is None and t.grade.category is None and t.grade.as_printed is None:
                    self.fail(f"{where}.tumour.grade", "give a value (with its system), a category or as_printed")
                if t.grade.system is not None and t.grade.value is None:
                    self.fail(f"{where}.tumour.grade.value", "a grading system needs the grade's value")
            for j, m in enumerate(t.markers):
                self.member(f"{where}.tumour.markers[{j}].marker", m.marker, "Marker")
                self.member(f"{where}.tumour.markers[{j}].result", m.result, "StainResult")
        event_ids = self._unique(f"{where}.events", (e.id for e in g.events))
        for j, e in enumerate(g.events):
            self.event(f"{where}.events[{j}]({e.id})", e, g, event_ids)
        circle = order_circle(g)
        if circle:
            self.fail(f"{where}.events", circle)

    def event(self, where: str, e: Event, g: Group, event_ids: set[str]) -> None:
        self.subclass(f"{where}.term", e.term, "ClinicalEvent")
        if e.exposure != "all" and g.kind == "case":
            self.fail(f"{where}.exposure", f"'{e.exposure}' applies to cohorts only; a case's events are 'all'")
        # a count or a percentage of patients (not a survival proportion) says who had the event
        share = (e.count, g.n_patients or 1) if e.count is not None else (e.percent, 100.0)
        if share[0] is not None and not self.vocab.is_a(e.term, "SurvivalEstimate"):
            expected = "none" if share[0] == 0 else "all" if share[0] == share[1] else "some"
            if e.exposure != expected:
                said = f"count {e.count} of the group's {share[1]}" if e.count is not None else f"{e.percent} %"
                self.fail(f"{where}.exposure", f"with {said} patients it must be '{expected}'")
        if e.site is not None:
            self.site(f"{where}.site", e.site)
        for f, kinds in EVENT_ONLY_FIELDS.items():
            if getattr(e, f) not in (None, []) and not any(self.vocab.is_a(e.term, kind) for kind in kinds):
                self.fail(f"{where}.{f}", f"only a {' or '.join(kinds)} event may have '{f}' (this is {e.term})")
        for agent in e.agents:
            self.member(f"{where}.agents", agent, "Agent")
        self.member(f"{where}.setting", e.setting, "Setting")
        if e.count is not None and e.of is not None and e.count > e.of:
            self.fail(f"{where}.count", f"{e.count} is more than its denominator {e.of}")
        if (e.count is not None or e.percent is not None) and e.of is None:
            self.fail(f"{where}.of", "a count or percentage needs the number of patients it refers to")
        if e.of is not None and e.of > (g.n_patients or 1):
            self.fail(f"{where}.of", f"{e.of} is more than the group's {g.n_patients or 1} patients")
        self.member(f"{where}.condition", e.condition, "Condition")
        self.member(f"{where}.status", e.status, "DiagnosisStatus")
        refs: list[tuple[str, str]] = [(f"{where}.follows", f) for f in e.follows]
        refs += [(f"{where}.at.after", e.at.after)] if e.at else []
        refs += [(f"{where}.reasons", r) for r in e.reasons]
        refs += [(f"{where}.refuted_by", e.refuted_by)] if e.refuted_by else []
        for k, lesion in enumerate(e.lesions):
            refs.append((f"{where}.lesions[{k}].lesion", lesion.lesion))
            self.member(f"{where}.lesions[{k}].trend", lesion.trend, "ResponseTrend")
        for field, target in refs:
            if target == e.id:
                self.fail(field, "an event cannot refer to itself")
            elif target not in event_ids:
                self.fail(field, f"'{target}' is not an event of group {g.id}; valid: {', '.join(sorted(event_ids))}")


def check_across(summaries: Mapping[Path, RecordSummary]) -> tuple[list[RecordError], list[RecordError]]:
    """Problems between records, from their summaries alone: (ids used twice; loops and mixing),
    reported before and after the problems of each record, as a reader expects them."""
    ordered = dict(sorted(summaries.items()))
    corpus = Corpus.of(ordered.values())
    checker = _Checker(None, corpus)
    seen: dict[str, Path] = {}
    owners: dict[str, str] = {}
    for path, summary in ordered.items():
        checker.file = str(path)
        if summary.id in seen:
            checker.fail("id", f"source id '{summary.id}' is also used by {seen[summary.id]}")
        seen[summary.id] = path
        for i, group in enumerate(summary.groups):
            if group.id in owners:
                where, owner = f"groups[{i}]({group.id}).id", owners[group.id]
                checker.fail(where, f"group id '{group.id}' is already used in data/{owner}.yaml")
            owners.setdefault(group.id, summary.id)
    first, checker.errors = checker.errors, []
    _check_cycles(checker, ordered, corpus.groups)
    synthetic = [str(p) for p, s in ordered.items() if s.synthetic]
    if synthetic and len(synthetic) != len(ordered):
        checker.file = synthetic[0]
        checker.fail(
            "synthetic",
            f"{len(synthetic)} synthetic record(s) mixed with curated ones: keep `vskg synth` output in its own folder",
        )
    return first, checker.errors


def check_each(records: Mapping[Path, SourceRecord], vocab: Vocabulary, corpus: Corpus) -> list[RecordError]:
    """Each record against the vocabulary and against the corpus it is part of, in file order."""
    checker = _Checker(vocab, corpus)
    for path, rec in sorted(records.items()):
        checker.record(path, rec)
    return checker.errors


def raise_all(errors: list[RecordError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise RecordErrors(errors)


def check_records(
    records: dict[Path, SourceRecord], vocab: Vocabulary, known: Mapping[Path, RecordSummary] | None = None
) -> None:
    """Raise every vocabulary and cross-reference problem of a set of records at once.

    `known` are records checked by an earlier build against the same ontology, of which only their
    summaries are needed: `records` are checked in full, and everything across records again.
    """
    summaries = {**(known or {}), **{p: summarize(r) for p, r in records.items()}}
    before, after = check_across(summaries)
    raise_all(before + check_each(records, vocab, Corpus.of(summaries.values())) + after)


def _check_cycles(
    checker: _Checker, summaries: Mapping[Path, RecordSummary], groups: Mapping[str, GroupSummary]
) -> None:
    """Provenance (`taken_from`) and `part_of` chains must end, never loop back."""
    by_id = {s.id: s for s in summaries.values()}
    for path, summary in summaries.items():
        seen = [summary.id]
        current = summary.taken_from
        while current is not None and current in by_id:
            if current in seen:
                checker.file = str(path)
                checker.fail("citation.taken_from", f"provenance loops back: {' -> '.join([*seen, current])}")
                break
            seen.append(current)
            current = by_id[current].taken_from
    owner = {g.id: path for path, s in summaries.items() for g in s.groups}
    for gid, group in groups.items():
        seen = [gid]
        current = group.part_of
        while current is not None and current in groups:
            if current in seen:
                checker.file = str(owner[gid])
                checker.fail(f"groups({gid}).part_of", f"part_of loops back: {' -> '.join([*seen, current])}")
                break
            seen.append(current)
            current = groups[current].part_of
