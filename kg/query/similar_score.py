"""Scores every candidate group against a described patient at once, and explains one score.

A group's score is the weighted mean of the similarities of the facts that both the patient and
the group state: a fact either side leaves out is neither rewarded nor punished, it only leaves
the mean resting on fewer facts (the count goes with every score, and breaks ties). Sites,
presentations and treatments are compared through the class hierarchy by Lin's similarity with
the literature's own information content (kg.query.similar_terms); numbers by their difference
over a scale; sex, side and initial diagnosis by equality.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kg.iris import VSKG
from kg.query.similar_index import SEX_CODES, SIDE_CODES, CandidateIndex
from kg.query.similar_patient import FACTS, Patient, Scales, Weights
from kg.query.similar_result import FactComparison
from kg.query.similar_terms import Similarity, best_match

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
NUMBERS = {
    "age": ("age", "age_years", "years"),
    "size": ("size", "size_cm", "cm"),
    "grade": ("grade", "grade_steps", "steps"),
}


@dataclass(frozen=True)
class Ranked:
    order: Ints  # group indices, best first: every group with at least `min_facts` facts compared
    score: Floats  # per group (NaN where nothing could be compared)
    facts: Ints  # per group: the facts compared
    similarity: dict[str, Floats]  # per described fact, per group
    present: dict[str, Bools]  # per described fact, per group: stated by the group (and comparable)


def fact_similarities(
    index: CandidateIndex, patient: Patient, scales: Scales
) -> tuple[dict[str, Floats], dict[str, Bools]]:
    """Each described fact's similarity to every group, and where the group states it."""
    sims: dict[str, Floats] = {}
    present: dict[str, Bools] = {}
    if patient.site is not None:
        q = index.sites.hierarchy.index[VSKG + patient.site]
        present["site"] = index.site >= 0
        sims["site"] = np.where(present["site"], index.sites.lin[q][np.maximum(index.site, 0)], 0.0)
    for fact, codes, column in (("laterality", SIDE_CODES, index.laterality), ("sex", SEX_CODES, index.sex)):
        value = getattr(patient, fact)
        if value is not None:
            present[fact] = column >= 0
            sims[fact] = (column == codes.index(value)).astype(float)
    for fact, (attribute, scale, _) in NUMBERS.items():
        value = getattr(patient, fact)
        if value is not None:
            column = getattr(index, attribute)
            present[fact] = ~np.isnan(column)
            distance = np.abs(np.nan_to_num(column, nan=float(value)) - float(value))
            sims[fact] = np.clip(1.0 - distance / getattr(scales, scale), 0.0, 1.0)
    for fact, terms, members in (
        ("presentations", index.presentation_terms, index.presentations),
        ("treatments", index.treatment_terms, index.treatments),
    ):
        wanted = getattr(patient, fact)
        if wanted:
            where = terms.hierarchy.index
            sims[fact], present[fact] = best_match(terms, [where[VSKG + w] for w in wanted], members)
    if patient.initial_diagnoses:
        where = {c: i for i, c in enumerate(index.conditions)}
        columns = [where[VSKG + d] for d in patient.initial_diagnoses]
        sims["initial_diagnoses"] = index.diagnoses[:, columns].mean(axis=1)
        present["initial_diagnoses"] = np.asarray(index.diagnoses.any(axis=1), dtype=bool)
    return sims, present


def rank(index: CandidateIndex, patient: Patient, weights: Weights, scales: Scales, *, min_facts: int = 1) -> Ranked:
    """Every group scored, then ordered: score, then the number of facts compared (more first),
    then the group's IRI, so that equal answers always come in the same order."""
    index.check(patient)
    sims, present = fact_similarities(index, patient, scales)
    n = len(index)
    weight = np.zeros(n)
    total = np.zeros(n)
    facts = np.zeros(n, dtype=np.int64)
    for fact, similarity in sims.items():
        w = weights.of(fact)
        if w <= 0:
            continue  # a fact of weight 0 is not compared
        weight += w * present[fact]
        total += w * similarity * present[fact]
        facts += present[fact]
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(weight > 0, total / weight, np.nan)
    eligible = (weight > 0) & (facts >= min_facts)
    rounded = np.round(np.nan_to_num(score, nan=-1.0), 9)  # equal scores tie, whatever the float noise
    order = np.lexsort((np.arange(n), -facts, -rounded))
    return Ranked(order[eligible[order]], score, facts, sims, present)


def explain(
    index: CandidateIndex, patient: Patient, weights: Weights, scales: Scales, ranked: Ranked, g: int
) -> tuple[FactComparison, ...]:
    """Each described fact against group `g`: status, similarity, weight, share of the score, why."""
    compared = sum(weights.of(f) for f in ranked.similarity if ranked.present[f][g] and weights.of(f) > 0)
    out = []
    for fact in FACTS:
        if fact not in ranked.similarity:
            continue
        w = weights.of(fact)
        mine = patient_value(index, patient, fact)
        if not ranked.present[fact][g] or w <= 0:
            why = "weight 0: not compared" if w <= 0 else _missing_reason(index, fact, g)
            out.append(FactComparison(fact, "missing", w, None, None, mine, None, why))
            continue
        s = float(ranked.similarity[fact][g])
        status = "agreed" if s >= 1 - 1e-9 else "differed" if s <= 1e-9 else "partly"
        theirs, reason = _compare(index, patient, scales, fact, g, s)
        out.append(FactComparison(fact, status, w, round(s, 4), round(w * s / compared, 4), mine, theirs, reason))
    return tuple(out)


def _missing_reason(index: CandidateIndex, fact: str, g: int) -> str:
    if index.kinds[g] == "cohort" and fact in ("age", "sex", "size", "grade"):
        return "a cohort: the source gives no value that holds for each of its patients"
    if index.kinds[g] == "cohort" and fact in ("presentations", "treatments", "initial_diagnoses"):
        return "not stated for all the cohort's patients"
    return f"not stated for this {index.kinds[g]}"


def patient_value(index: CandidateIndex, patient: Patient, fact: str) -> str:
    value = getattr(patient, fact)
    if isinstance(value, tuple):
        return ", ".join(index.label(VSKG + v) for v in value)
    if fact in ("site", "laterality", "sex"):
        return index.label(VSKG + str(value))
    return _number(fact, float(value))


def _number(fact: str, value: float) -> str:
    shown = f"{value:g}"
    return {"age": f"{shown} years", "size": f"{shown} cm", "grade": f"{shown} (of 3 steps)"}.get(fact, shown)


def _pair(index: CandidateIndex, sim: Similarity, a: str, b: str) -> str:
    common, bits, ic_a, ic_b, lin = sim.pair(a, b)
    if a == b:
        return f"the same class ({ic_a:.2f} bits)"
    if common in (a, b):
        relation = "is a broader class above" if common == b else "lies below"
        return f"{index.label(b)} ({ic_b:.2f} bits) {relation} {index.label(a)} ({ic_a:.2f} bits): Lin {lin:.2f}"
    return (
        f"{index.label(a)} ({ic_a:.2f} bits) and {index.label(b)} ({ic_b:.2f} bits) meet at "
        f"{index.label(common)} ({bits:.2f} bits): Lin {lin:.2f}"
    )


def _compare(index: CandidateIndex, patient: Patient, scales: Scales, fact: str, g: int, s: float) -> tuple[str, str]:
    """The group's value of a fact, and why it is as similar as it is."""
    if fact == "site":
        site = index.sites.hierarchy.classes[int(index.site[g])]
        return index.label(site), _pair(index, index.sites, VSKG + str(patient.site), site)
    if fact in ("laterality", "sex"):
        codes = SIDE_CODES if fact == "laterality" else SEX_CODES
        value = index.label(VSKG + codes[int(getattr(index, fact)[g])])
        return value, "the same" if s >= 1 else "not the same"
    if fact in NUMBERS:
        attribute, scale, unit = NUMBERS[fact]
        number = float(getattr(index, attribute)[g])
        apart = abs(number - float(getattr(patient, fact)))
        return _number(fact, number), f"{apart:g} {unit} apart on a scale of {getattr(scales, scale):g}: {s:.2f}"
    if fact == "initial_diagnoses":
        theirs = [c for c, has in zip(index.conditions, index.diagnoses[g], strict=True) if has]
        found = [d for d in patient.initial_diagnoses if VSKG + d in theirs]
        shown = ", ".join(index.label(c) for c in theirs)
        return shown, f"{len(found)} of {len(patient.initial_diagnoses)} described initial diagnoses stated"
    terms, members = (
        (index.presentation_terms, index.presentations)
        if fact == "presentations"
        else (index.treatment_terms, index.treatments)
    )
    classes = terms.hierarchy.classes
    theirs = [c for c, has in zip(classes, members[g], strict=True) if has]
    reasons = []
    for wanted in getattr(patient, fact):
        iri = VSKG + wanted
        best = max(theirs, key=lambda c: (terms.lin[terms.hierarchy.index[iri], terms.hierarchy.index[c]], c))
        reasons.append(_pair(index, terms, iri, best))
    return ", ".join(index.label(c) for c in theirs), "; ".join(reasons) + f" (mean {s:.2f})"
