"""Labels people read: a patient group named by its source, its place in the source and its site
("Hong et al. (2016), Table 1 row 4 of Aalaoui et al. (2026) - femoral vein, 1 patient"), an
event by what happened ("initial diagnosis of deep vein thrombosis, suspected") - never by a slug."""

from __future__ import annotations

from collections.abc import Callable

from kg.records.model import Event, Group, SourceRecord

Label = Callable[[str], str]  # a term's local name -> its ontology label


def group_label(rec: SourceRecord, grp: Group, label: Label) -> str:
    site = label(grp.tumour.site.term) if grp.tumour is not None else "site not stated"
    n = grp.n_patients or 1
    return f"{_place(rec, grp)} \u2014 {site}, {n} patient{'s' if n != 1 else ''}"


def _place(rec: SourceRecord, grp: Group) -> str:
    row = next((r for r in rec.table_rows if r.group == grp.id), None)
    if row is not None and row.work != rec.id:
        return f"{row.author_year}, {row.table} row {row.row} of {rec.label}"
    if grp.part_of:
        return f"{rec.label}, {'case' if grp.kind == 'case' else 'sub-group'} of the series"
    if grp.kind == "cohort":
        return f"{rec.label}, {'literature review' if grp.literature_review else 'series'}"
    cases = [g.id for g in rec.groups if g.kind == "case" and not g.part_of]
    return f"{rec.label}, case" + (f" {cases.index(grp.id) + 1} of {len(cases)}" if len(cases) > 1 else "")


def event_label(ev: Event, label: Label) -> str:
    what = label(ev.term)
    if ev.condition:
        what += f" of {label(ev.condition)}"
    if ev.status:
        what += f", {label(ev.status)}"
    details = [" + ".join(label(a) for a in ev.agents)] if ev.agents else []
    details += [f"line {ev.line}"] if ev.line else []
    details += [ev.site.as_printed or label(ev.site.term)] if ev.site is not None else []
    return what + (f" ({', '.join(details)})" if details else "")
