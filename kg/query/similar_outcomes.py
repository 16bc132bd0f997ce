"""What happened to the top matches: their treatments and outcomes as stated, the course of
treatment each had, and a summary counted in patients with denominators (a cohort as its n).

The course is read as `femoral-recurrence-after-surgery-alone` reads it: "resection alone" when all
patients had the tumour resected and no radiotherapy or systemic therapy is placed before the first
relapse (adjuvant or neoadjuvant, stated or derived from the order); "not placed in time" when one
was given to some patients only, or its setting is not stated (a table cell "Surgery + CT").
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import replace

from kg.iris import VSKG, compact
from kg.query.similar_index import CandidateIndex
from kg.query.similar_result import Event, Match, SummaryRow
from kg.store.results import QueryResult

COURSES = (
    "resection alone",
    "resection with adjuvant or neoadjuvant therapy",
    "resection, other cancer treatment not placed in time",
    "no resection of all patients reported",
)
OUTCOMES = ("recurrence", "metastasis", "death")
_KINDS = {"recurrence": "Recurrence", "metastasis": "DistantMetastasis", "death": "Death"}
_NONE_SINCE = {  # a reported state that says the outcome had not happened (silence says nothing)
    "recurrence": ("NoEvidenceOfDisease",),
    "metastasis": ("NoEvidenceOfDisease",),
    "death": ("NoEvidenceOfDisease", "Alive", "AliveWithDisease"),
}
EXPOSURES = {
    VSKG + "AllPatients": "all patients",
    VSKG + "SomePatients": "some patients",
    VSKG + "NoPatients": "no patients",
}
PREFIXES = "PREFIX vskg: <https://w3id.org/vskg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
# every event of the groups: which are treatments and which outcomes is read from the index's class
# hierarchies, as a class check here lets pyoxigraph start from all events of those classes (100
# times slower at 1M triples)
EVENTS = """SELECT ?group ?event ?class ?position ?exposure ?setting ?months ?after ?where ?affected
       ?denominator ?percent ?horizon ?as_printed ?summary_measure ?summary_months ?locator WHERE {
  VALUES ?group { GROUPS }
  ?group vskg:hasEvent ?event .
  ?event a ?class ; vskg:timelinePosition ?position ; vskg:locator ?locator ; vskg:exposure ?exposure .
  OPTIONAL { ?event vskg:setting ?setting }
  OPTIONAL { ?event vskg:months ?months }
  OPTIONAL { ?event vskg:timeReference/rdfs:label ?after }
  OPTIONAL { ?event vskg:eventSite/rdfs:label ?where }
  OPTIONAL { ?event vskg:patientsAffected ?affected }
  OPTIONAL { ?event vskg:denominator ?denominator }
  OPTIONAL { ?event vskg:percent ?percent }
  OPTIONAL { ?event vskg:horizonYears ?horizon }
  OPTIONAL { ?event vskg:frequencyAsPrinted ?as_printed }
  OPTIONAL { ?event vskg:summaryMeasure/rdfs:label ?summary_measure }
  OPTIONAL { ?event vskg:summaryMonths ?summary_months }
}
ORDER BY ?group ?position ?event"""
CONTEXT = """SELECT ?group ?relation ?value WHERE {
  VALUES ?group { GROUPS }
  { ?group vskg:partOf ?value . BIND("part of" AS ?relation) }
  UNION { ?group vskg:possibleOverlap ?value . BIND("possible overlap" AS ?relation) }
  UNION { ?value vskg:possibleOverlap ?group . BIND("possible overlap" AS ?relation) }
  UNION { ?group vskg:sameGroupAs ?value . BIND("same patients" AS ?relation) }
  UNION { ?value vskg:sameGroupAs ?group . BIND("same patients" AS ?relation) }
  UNION { ?group a vskg:LiteratureReviewCohort . BIND("literature review" AS ?relation) BIND("yes" AS ?value) }
  UNION { ?group vskg:followUpMonths ?value . BIND("follow-up months" AS ?relation) }
}
ORDER BY ?group ?relation ?value"""


def outcome_queries(groups: list[str]) -> tuple[str, str]:
    """The two queries for the top matches (their events; their sub-group, overlap and follow-up
    facts). The groups are IRIs from the graph's own answer, written as IRIs of the query."""
    values = " ".join(f"<{g}>" for g in groups if "<" not in g and ">" not in g and " " not in g) or "<urn:none>"
    return PREFIXES + EVENTS.replace("GROUPS", values), PREFIXES + CONTEXT.replace("GROUPS", values)


def _number(value: str | None) -> float | None:
    return float(value) if value is not None else None


def _events(index: CandidateIndex, result: QueryResult, sources: dict[str, str]) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = defaultdict(list)
    treatments, outcomes = set(index.treatment_terms.hierarchy.classes), set(index.outcome_classes.classes)
    for r in result.records():
        cls, group = str(r["class"]), str(r["group"])
        if cls not in treatments and cls not in outcomes:
            continue  # a presentation, an imaging, an assessment: not what happened after
        out[group].append(
            Event(
                group=group,
                event=str(r["event"]),
                kind="treatment" if cls in treatments else "outcome",
                term=cls,
                label=index.label(cls),
                site=r["where"],
                position=int(str(r["position"])),
                exposure=EXPOSURES.get(str(r["exposure"]), str(r["exposure"])),
                setting=index.label(str(r["setting"])) if r["setting"] else None,
                months=_number(r["months"]),
                after=r["after"],
                patients_affected=int(str(r["affected"])) if r["affected"] else None,
                denominator=int(str(r["denominator"])) if r["denominator"] else None,
                percent=_number(r["percent"]),
                horizon_years=_number(r["horizon"]),
                as_printed=r["as_printed"],
                locator=str(r["locator"]),
                source_label=sources.get(group, ""),
                summary_measure=str(r["summary_measure"]) if r["summary_measure"] else None,
                summary_months=_number(r["summary_months"]),
            )
        )
    return out


def course(index: CandidateIndex, events: list[Event]) -> str:
    """The course of treatment before any relapse, in the words of COURSES."""
    treatments = index.treatment_terms.hierarchy

    def is_a(e: Event, name: str) -> bool:
        return e.kind == "treatment" and treatments.is_a(e.term, VSKG + name)

    resected = any(is_a(e, "SurgicalResection") and e.exposure == "all patients" for e in events)
    others = [e for e in events if is_a(e, "NonSurgicalCancerTreatment") and e.exposure != "no patients"]
    early = {index.label(VSKG + s) for s in ("Adjuvant", "Neoadjuvant")}
    late = {index.label(VSKG + s) for s in ("ForRecurrentOrMetastaticDisease", "Palliative")}
    if not resected:
        return COURSES[3]
    if any(e.exposure == "all patients" and e.setting in early for e in others):
        return COURSES[1]
    if any(e.exposure == "some patients" or e.setting not in late | early for e in others):
        return COURSES[2]
    return COURSES[0]


def outcome_counts(index: CandidateIndex, match: Match, events: list[Event]) -> dict[str, tuple[int, int]]:
    """Per outcome: (patients with it, patients for whom it or its absence is stated). A case
    counts 1 of 1 or 0 of 1; a cohort its stated count and denominator, or all/none of its n."""
    outcomes = index.outcome_classes
    counts = {}
    for outcome, kind in _KINDS.items():
        found = [e for e in events if e.kind == "outcome" and outcomes.is_a(e.term, VSKG + kind)]
        if outcome == "death":  # operative mortality is not death over follow-up
            found = [e for e in found if not e.term.endswith("#PostoperativeDeath")]
        said_none = any(e.term in {VSKG + t for t in _NONE_SINCE[outcome]} for e in events)
        if match.kind == "case":
            happened = any(e.exposure != "no patients" for e in found)
            counts[outcome] = (1, 1) if happened else (0, 1) if said_none or found else (0, 0)
            continue
        stated = [e for e in found if e.patients_affected is not None and e.denominator and e.site is None]
        if stated:
            counts[outcome] = (stated[0].patients_affected or 0, stated[0].denominator or 0)
        elif any(e.exposure == "all patients" for e in found):
            counts[outcome] = (match.patients, match.patients)
        elif found and all(e.exposure == "no patients" for e in found):
            counts[outcome] = (0, match.patients)
        else:
            counts[outcome] = (0, 0)
    return counts


def attach(
    index: CandidateIndex, matches: list[Match], events: QueryResult, context: QueryResult
) -> tuple[list[Match], list[SummaryRow], dict[str, float | int | None], int]:
    """The matches with their events, course and sub-group notes; the summary by course; the
    follow-up spread; and the patients at risk of being counted twice."""
    sources = {m.group: m.source_label for m in matches}
    by_group = _events(index, events, sources)
    relations: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in context.records():
        relations[str(r["group"])][str(r["relation"])].append(str(r["value"]))
    shown = {m.group: m for m in matches}
    out: list[Match] = []
    for m in matches:
        rel = relations[m.group]
        note = None
        parents = [p for p in rel["part of"] if p in shown]
        same = [o for o in rel["same patients"] if o in shown and _larger(shown[o], m)]
        if parents:
            note = f"part of {compact(parents[0])}, also a match: its patients are counted there"
        elif same:
            note = f"the same patients as {compact(same[0])}, also a match: counted there"
        follow = rel["follow-up months"]
        out.append(
            replace(
                m,
                events=tuple(by_group.get(m.group, [])),
                course=course(index, by_group.get(m.group, [])),
                follow_up_months=float(follow[0]) if follow else None,
                part_of=rel["part of"][0] if rel["part of"] else None,
                overlaps=tuple(sorted(set(rel["possible overlap"] + rel["same patients"]))),
                literature_review=bool(rel["literature review"]),
                counted=note is None,
                note=note,
            )
        )
    return out, _summary(index, out), _follow_up(out), _at_risk(out)


def _larger(other: Match, m: Match) -> bool:
    return (other.patients, m.group) > (m.patients, other.group)


def _summary(index: CandidateIndex, matches: list[Match]) -> list[SummaryRow]:
    rows = []
    for name in COURSES:
        these = [m for m in matches if m.counted and m.course == name]
        if not these:
            continue
        totals = {o: [0, 0] for o in OUTCOMES}
        for m in these:
            for outcome, (had, of) in outcome_counts(index, m, list(m.events)).items():
                totals[outcome][0] += had
                totals[outcome][1] += of
        counts = (*totals["recurrence"], *totals["metastasis"], *totals["death"])
        rows.append(SummaryRow(name, len(these), sum(m.patients for m in these), *counts))
    return rows


def _follow_up(matches: list[Match]) -> dict[str, float | int | None]:
    months = sorted(m.follow_up_months for m in matches if m.counted and m.follow_up_months is not None)
    return {
        "groups": sum(1 for m in matches if m.counted),
        "groups_stating": len(months),
        "min_months": months[0] if months else None,
        "median_months": statistics.median(months) if months else None,
        "max_months": months[-1] if months else None,
    }


def _at_risk(matches: list[Match]) -> int:
    """Patients who may be counted in another report too: literature-review cohorts, and the
    smaller side of each possible overlap between two counted matches (as `patients-per-site`)."""
    counted = {m.group: m for m in matches if m.counted}
    risky = {m.group for m in counted.values() if m.literature_review}
    for m in counted.values():
        for other in m.overlaps:
            if other in counted and _larger(counted[other], m):
                risky.add(m.group)
    return sum(counted[g].patients for g in risky)
