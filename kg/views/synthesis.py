"""The synthesis a reviewer does next: pooled proportions over cohorts with random effects, single
cases counted apart, and time-to-event curves (lifelines), from the stored queries' counts and times.

Choices, also written beside every result:
* only cohorts are pooled (a figure over more than one patient); a single case is listed and
  counted, never pooled as a proportion: a published case is chosen for being unusual, so a
  "proportion" of cases says more about publication than about the disease;
* the model is the binomial-normal random-effects model (`kg.views.meta.glmm`), which needs no
  continuity correction; the logit/Paule-Mandel model is a sensitivity line beside it;
* a series split into sub-groups counts at the sub-groups' sites, each patient once (`allocate`);
* strata are site families per histology: leiomyosarcoma is the family alone ("inferior vena
  cava"), any other histology is named with it ("pulmonary artery, intimal sarcoma"), so tumours
  of different kinds are never pooled or counted together;
* a group whose patients may be counted in another source too is left out: literature-review
  cohorts, and the smaller group of each possible overlap (with their sub-groups);
* Kaplan-Meier curves use only times stated from the index resection; a case without such a time
  is listed, never imputed; a case is censored at its last stated follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import product
from typing import TYPE_CHECKING

from kg.views.meta import NotEstimable, exact_interval, glmm, paule_mandel

if TYPE_CHECKING:
    from collections.abc import Mapping

    from kg.query.graph import KnowledgeGraph

MODELS = {  # the codes of the `model` column, and what each means
    "glmm": "binomial-normal GLMM: maximum likelihood, logit link, random intercept per cohort, no continuity "
    "correction (metafor: rma.glmm(measure='PLO'))",
    "paule-mandel": "logit-transformed proportions, Paule-Mandel tau2, 0.5 added to events and non-events only "
    "where a cohort has 0 or all events (metafor: rma(measure='PLO', method='PM'))",
    "clopper-pearson": "one cohort: its own proportion with the exact (Clopper-Pearson) interval; nothing pooled",
}
CHOICES = (
    "only cohorts are pooled; single cases are listed and counted apart, never pooled as proportions: "
    "published single cases are selected for being unusual (publication bias)",
    f"primary model: {MODELS['glmm']}; sensitivity line: {MODELS['paule-mandel']}; "
    "95 % Wald intervals on the logit scale, back-transformed",
    "a series split into sub-groups counts at the sub-groups' sites with their figures; the series' own "
    "figure only for the patients no sub-group with a figure holds; each patient once",
    "sub-groups of one series in one stratum (treatment arms) enter together, as one study",
    "left out as possibly counted twice: literature-review cohorts and the smaller group of each possible "
    "overlap, with their sub-groups",
)


@dataclass(frozen=True)
class Figure:
    """One group's count of an outcome after resection: a row of `outcomes-after-resection`."""

    group: str
    source: str
    outcome: str
    site_family: str
    events: int
    patients: int
    part_of: str | None = None
    series: str | None = None
    left_out: str | None = None  # why the group may be counted in another source too
    note: str = ""


@dataclass(frozen=True)
class Pooled:
    outcome: str
    site_family: str
    model: str  # a key of MODELS
    role: str  # "primary", "sensitivity" or "single cohort"
    studies: int
    events: int
    patients: int
    proportion: float | None
    low: float | None
    high: float | None
    tau2: float | None
    note: str = ""


@dataclass(frozen=True)
class CaseCount:
    """Single cases of one outcome and site family: how many, and how many had the outcome."""

    outcome: str
    site_family: str
    cases: int
    with_event: int


@dataclass
class Synthesis:
    pooled: list[Pooled] = field(default_factory=list)
    cohorts: dict[tuple[str, str], list[Figure]] = field(default_factory=dict)
    cases: dict[tuple[str, str], list[Figure]] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    choices: tuple[str, ...] = CHOICES

    def case_counts(self) -> list[CaseCount]:
        return [
            CaseCount(outcome, family, len(cases), sum(c.events for c in cases))
            for (outcome, family), cases in sorted(self.cases.items())
        ]


def allocate(figures: list[Figure]) -> tuple[list[Figure], list[str]]:
    """The figures that enter, each patient once, and notes on what was left out and why.

    Within one series and outcome, a sub-group's figure stands for its patients and the group it is
    part of keeps only the rest (its count less its sub-groups'), at its own site. Sub-groups of one
    group are taken to be disjoint (a split by site); figures that do not subtract are not used."""
    trees: dict[tuple[str, str], list[Figure]] = {}
    for f in figures:
        trees.setdefault((f.outcome, f.series or f.group), []).append(f)
    entered: list[Figure] = []
    notes: list[str] = []
    for (_, root), tree in sorted(trees.items()):
        rows = {f.group: f for f in tree}
        parent: dict[str, str] = {}
        unplaced = []
        for f in tree:
            if f.group == root:
                continue
            if f.part_of == root or f.part_of in rows:
                parent[f.group] = str(f.part_of)
            else:
                unplaced.append(f)
        for f in unplaced:
            # its parent states nothing of the outcome and the chain above it is not in the rows:
            # only safe to place under the series when no other figure could be above it
            if all(g == root or g == f.group or _inside(g, f.group, parent) for g in rows):
                parent[f.group] = root
            else:
                notes.append(f"{_name(f)} and its sub-groups: not placed in their series for {f.outcome} (a group "
                             "between states nothing of it); the figures above them count their patients")  # fmt: skip
        children: dict[str, list[str]] = {}
        for child, above in sorted(parent.items()):
            children.setdefault(above, []).append(child)
        entered += _walk(root, rows, children, notes)
    kept = []
    for f in entered:
        if f.left_out is None:
            kept.append(f)
        elif (note := f"{_name(f)}: {f.left_out}") not in notes:
            notes.append(note)
    return kept, notes


def _inside(group: str, ancestor: str, parent: dict[str, str]) -> bool:
    while group in parent:
        group = parent[group]
        if group == ancestor:
            return True
    return False


def _walk(node: str, rows: dict[str, Figure], children: dict[str, list[str]], notes: list[str]) -> list[Figure]:
    out = [f for child in children.get(node, []) for f in _walk(child, rows, children, notes)]
    own = rows.get(node)
    if own is None:
        return out
    kids = [rows[c] for c in children.get(node, [])]
    if not kids:
        return [own]
    events, patients = own.events - sum(k.events for k in kids), own.patients - sum(k.patients for k in kids)
    taken = f"{sum(k.events for k in kids)}/{sum(k.patients for k in kids)}"
    if patients > 0 and 0 <= events <= patients:
        note = f"rest of the group outside its sub-groups: {own.events}/{own.patients} less {taken}"
        out.append(replace(own, events=events, patients=patients, note=note))
    elif (events, patients) != (0, 0):  # (0, 0): the sub-groups hold every patient
        notes.append(f"{_name(own)}: its {own.outcome} figure {own.events}/{own.patients} and its sub-groups' "
                     f"{taken} do not subtract; the sub-groups' figures are used")  # fmt: skip
    return out


def _name(f: Figure) -> str:
    return f"{f.source} ({f.group.rsplit('/', 1)[-1]})"


def pool_stratum(outcome: str, family: str, cohorts: list[Figure]) -> list[Pooled]:
    """The primary and the sensitivity line over two or more cohorts; one cohort's own proportion."""
    counts = [(c.events, c.patients) for c in cohorts]
    events, patients = sum(c.events for c in cohorts), sum(c.patients for c in cohorts)
    if len(cohorts) == 1:
        p, low, high = exact_interval(*counts[0])
        return [Pooled(outcome, family, "clopper-pearson", "single cohort", 1, events, patients, p, low, high, None)]
    lines = []
    for model, role, fit in (("glmm", "primary", glmm), ("paule-mandel", "sensitivity", paule_mandel)):
        try:
            e = fit(counts)
        except NotEstimable as why:
            lines.append(Pooled(outcome, family, model, role, len(cohorts), events, patients, None, None, None, None,
                                f"not estimable: {why}"))  # fmt: skip
            continue
        lines.append(Pooled(outcome, family, model, role, len(cohorts), events, patients, e.proportion, e.low, e.high,
                            e.tau2))  # fmt: skip
    return lines


def _figures(graph: KnowledgeGraph) -> list[Figure]:
    figures = []
    for r in graph.query("outcomes-after-resection").records():
        reason = None
        if r["literature_review"] == "yes":
            reason = "literature review (or part of one)"
        elif r["smaller_of_overlap"] == "yes":
            reason = "smaller group of a possible overlap (or part of one)"
        figures.append(
            Figure(
                str(r["group"]), str(r["source_label"]), str(r["outcome"]), _stratum(r),
                int(str(r["events"])), int(str(r["denominator"])),
                None if r["part_of"] is None else str(r["part_of"]), None if r["series"] is None else str(r["series"]),
                reason,
            )
        )  # fmt: skip
    return figures


def _one_per_series(figures: list[Figure]) -> list[Figure]:
    """Sub-groups of one series in one stratum (treatment arms, say) enter as that series: one study."""
    merged: dict[tuple[str, str, str], Figure] = {}
    for f in figures:
        key = (f.series or f.group, f.outcome, f.site_family)
        if key in merged:
            m = merged[key]
            merged[key] = replace(m, group=key[0], events=m.events + f.events, patients=m.patients + f.patients)
        else:
            merged[key] = f
    return list(merged.values())


def _stratum(row: Mapping[str, object]) -> str:
    family, histology = str(row["site_family"]), str(row["histology"])
    return family if histology == "leiomyosarcoma" else f"{family}, {histology}"


def pooled_proportions(graph: KnowledgeGraph) -> Synthesis:
    """Local recurrence, distant metastasis and death after resection by site family: cohorts
    pooled, single cases counted."""
    out = Synthesis()
    entered, out.left_out = allocate(_figures(graph))
    entered = _one_per_series(entered)
    for f in entered:
        target = out.cohorts if f.patients > 1 else out.cases
        target.setdefault((f.outcome, f.site_family), []).append(f)
    for (outcome, family), cohorts in sorted(out.cohorts.items()):
        out.pooled += pool_stratum(outcome, family, cohorts)
    return out


@dataclass(frozen=True)
class Curve:
    name: str
    times: list[float]
    survival: list[float]
    at_risk: list[int]
    durations: list[float]
    observed: list[bool]
    unusable: list[str]


def kaplan_meier(graph: KnowledgeGraph) -> list[Curve]:
    """Time from the index resection to first recurrence or metastasis (censored at the last time
    stated without disease), and to death (censored at the last time stated alive, with or without
    disease: "alive at 36 months after resection" counts here, not in the relapse curve); one curve
    of each per histology, leiomyosarcoma's unqualified."""
    from lifelines import KaplanMeierFitter

    by_histology: dict[str, list[dict[str, str | None]]] = {}
    for row in graph.query("times-after-resection").records():
        by_histology.setdefault(str(row["histology"]), []).append(row)
    curves = []
    for (base, column, censor), (histology, rows) in product(
        (("recurrence or metastasis", "relapse_months", "followup_months"), ("death", "death_months", "alive_months")),
        sorted(by_histology.items(), key=lambda item: (item[0] != "leiomyosarcoma", item[0])),
    ):
        name = base if histology == "leiomyosarcoma" else f"{base} ({histology})"  # one curve per histology
        durations: list[float] = []
        observed: list[bool] = []
        unusable: list[str] = []
        for r in rows:
            event, followup = r[column], r[censor]
            if event is not None:
                durations.append(float(event))
                observed.append(True)
            elif followup is not None:
                durations.append(float(followup))
                observed.append(False)
            else:
                unusable.append(f"{r['source_label']} ({r['group']})")
        if not durations:
            curves.append(Curve(name, [], [], [], [], [], unusable))
            continue
        fitter = KaplanMeierFitter().fit(durations, event_observed=observed, label=name)
        table = fitter.event_table
        times = [float(t) for t in fitter.survival_function_.index]
        survival = [float(s) for s in fitter.survival_function_[name]]
        curves.append(Curve(name, times, survival, [int(n) for n in table["at_risk"]], durations, observed, unusable))
    return curves
