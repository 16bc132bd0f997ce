"""The candidates of a similarity search as arrays: one row per published group, one column per fact.

Built once per graph from the stored query `similar-candidates` and the class hierarchy, so that a
search is a handful of vector operations over every group (kg.query.similar_score).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kg.errors import QueryError
from kg.iris import VSKG
from kg.query.phenopackets import Terms
from kg.query.similar_patient import SIDES, Patient, grade_step
from kg.query.similar_terms import Hierarchy, Similarity, hierarchies, similarity
from kg.store.results import QueryResult

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

CANDIDATES = "similar-candidates"  # the stored query
CONDITIONS = """PREFIX vskg: <https://w3id.org/vskg/ontology#>
SELECT ?condition WHERE { ?condition a vskg:Condition } ORDER BY ?condition"""
# labels and exact external matches of the vskg terms, read in the ontology's own graph: the labels
# of a million data triples need not be scanned for them
TERMS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?term ?label ?exact WHERE {
  GRAPH <https://w3id.org/vskg/graph/ontology> {
    ?term rdfs:label ?label .
    FILTER(STRSTARTS(STR(?term), "https://w3id.org/vskg/ontology#"))
    OPTIONAL { ?term skos:exactMatch ?exact }
  }
}
ORDER BY ?term ?exact"""
SIDE_CODES = tuple(sorted(set(SIDES.values())))
SEX_CODES = ("Female", "Male")
SITE, PRESENTATION, INTERVENTION, OUTCOME = (
    VSKG + r for r in ("AnatomicalSite", "Presentation", "Intervention", "Outcome")
)


@dataclass(frozen=True)
class CandidateIndex:
    """Every published group with the facts a search compares (missing: -1, NaN or no column)."""

    groups: tuple[str, ...]
    kinds: tuple[str, ...]
    patients: Ints
    source_labels: tuple[str, ...]
    locators: tuple[str, ...]
    site: Ints  # index into sites.hierarchy.classes
    laterality: Ints  # index into SIDE_CODES
    sex: Ints  # index into SEX_CODES
    age: Floats
    size: Floats
    grade: Floats  # on three steps
    presentations: Bools  # groups x presentation classes
    diagnoses: Bools  # groups x conditions
    treatments: Bools  # groups x intervention classes
    sites: Similarity
    presentation_terms: Similarity
    treatment_terms: Similarity
    conditions: tuple[str, ...]
    outcome_classes: Hierarchy
    terms: Terms

    def __len__(self) -> int:
        return len(self.groups)

    def label(self, iri: str) -> str:
        return self.terms.labels.get(iri, iri.removeprefix(VSKG))

    def check(self, patient: Patient) -> None:
        """Refuse a term the graph does not have where the patient names it, with what is valid."""
        choices = {
            "site": self.sites.hierarchy.classes,
            "presentations": self.presentation_terms.hierarchy.classes,
            "initial_diagnoses": self.conditions,
            "treatments": self.treatment_terms.hierarchy.classes,
        }
        for fact, valid in choices.items():
            value = getattr(patient, fact)
            for name in [value] if isinstance(value, str) else value or ():
                if VSKG + name not in valid:
                    names = sorted(v.removeprefix(VSKG) for v in valid)
                    close = difflib.get_close_matches(name, names, n=3)
                    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
                    raise QueryError(f"{fact}: unknown term {name!r}{hint}; valid: {', '.join(names)}")


def build_index(
    candidates: QueryResult, hierarchy: QueryResult, conditions: QueryResult, terms: QueryResult
) -> CandidateIndex:
    """The index from the answers of `similar-candidates`, HIERARCHY, CONDITIONS and TERMS."""
    branches = hierarchies(hierarchy)
    empty = Hierarchy("", (), np.zeros((0, 0), dtype=bool))
    sites, presentations, interventions = (branches.get(r, empty) for r in (SITE, PRESENTATION, INTERVENTION))
    condition_list = tuple(sorted(str(r["condition"]) for r in conditions.records()))
    cols = {name: i for i, name in enumerate(candidates.variables)}
    rows = candidates.rows
    n = len(rows)

    def text(row: tuple[object, ...], name: str) -> str | None:
        term = row[cols[name]]
        return None if term is None else str(getattr(term, "value", term))

    def number(row: tuple[object, ...], name: str) -> float:
        value = text(row, name)
        return float(value) if value is not None else np.nan

    def coded(values: list[str | None], codes: tuple[str, ...], prefix: str = "") -> Ints:
        index = {prefix + c: i for i, c in enumerate(codes)}
        return np.array([index.get(v or "", -1) for v in values], dtype=np.int64)

    def members(name: str, classes: tuple[str, ...]) -> Bools:
        index = {c: i for i, c in enumerate(classes)}
        table = np.zeros((n, len(classes)), dtype=bool)
        for g, row in enumerate(rows):
            for iri in (text(row, name) or "").split():
                if iri in index:
                    table[g, index[iri]] = True
        return table

    site_index = sites.index
    site_members = np.zeros((n, len(sites.classes)), dtype=bool)
    site = np.full(n, -1, dtype=np.int64)
    for g, row in enumerate(rows):
        where = site_index.get(text(row, "site") or "", -1)
        site[g] = where
        if where >= 0:
            site_members[g, where] = True
    grades = []
    for row in rows:
        value = text(row, "grade_value")
        step = grade_step(int(value) if value else None, text(row, "grading_system"), text(row, "grade_category"))
        grades.append(np.nan if step is None else float(step))
    presentation_members = members("presentations", presentations.classes)
    treatment_members = members("treatments", interventions.classes)
    return CandidateIndex(
        groups=tuple(text(r, "group") or "" for r in rows),
        kinds=tuple(text(r, "kind") or "" for r in rows),
        patients=np.array([int(number(r, "patients")) for r in rows], dtype=np.int64),
        source_labels=tuple(text(r, "source_label") or "" for r in rows),
        locators=tuple(text(r, "locator") or "" for r in rows),
        site=site,
        laterality=coded([text(r, "laterality") for r in rows], SIDE_CODES, VSKG),
        sex=coded([text(r, "sex") for r in rows], SEX_CODES, VSKG),
        age=np.array([number(r, "age") for r in rows]),
        size=np.array([number(r, "size_cm") for r in rows]),
        grade=np.array(grades),
        presentations=presentation_members,
        diagnoses=members("diagnoses", condition_list),
        treatments=treatment_members,
        sites=similarity(sites, site_members),
        presentation_terms=similarity(presentations, presentation_members),
        treatment_terms=similarity(interventions, treatment_members),
        conditions=condition_list,
        outcome_classes=branches.get(OUTCOME, empty),
        terms=read_terms(terms),
    )


def read_terms(result: QueryResult) -> Terms:
    """Labels and exact external matches of the vskg terms, from the answer of TERMS."""
    terms = Terms(labels={}, exact=defaultdict(list))
    for row in result.records():
        term = str(row["term"])
        terms.labels[term] = str(row["label"])
        if row["exact"]:
            terms.exact[term].append(str(row["exact"]))
    return terms


__all__ = ["CANDIDATES", "CONDITIONS", "TERMS", "CandidateIndex", "build_index"]
