"""Patients like mine: the published groups closest to a described patient, and what happened to them.

Three steps, so that the command line, the Python API and the server (whose queries run in worker
processes) share every rule: read the candidates once per graph (`SimilaritySearch.from_answers`),
rank them against a patient in vectorised code (`rank`), then ask the graph what happened to the
top matches (`outcome_queries`, `finish`).
"""

from __future__ import annotations

from collections.abc import Callable

from kg.errors import QueryError
from kg.query.similar_index import CONDITIONS, TERMS, CandidateIndex, build_index
from kg.query.similar_outcomes import attach, outcome_queries
from kg.query.similar_patient import Patient, Scales, Weights
from kg.query.similar_result import Match, SimilarResult
from kg.query.similar_score import explain, patient_value, rank
from kg.query.similar_terms import HIERARCHY
from kg.store.results import QueryResult

# the queries besides the stored `similar-candidates` that an index is built from
AUXILIARY = {"hierarchy": HIERARCHY, "conditions": CONDITIONS, "terms": TERMS}
MAX_TOP = 1000


class SimilaritySearch:
    """Searches over one graph's candidate groups; build it once per graph and keep it."""

    def __init__(self, index: CandidateIndex) -> None:
        self.index = index

    @classmethod
    def from_answers(
        cls, candidates: QueryResult, hierarchy: QueryResult, conditions: QueryResult, terms: QueryResult
    ) -> SimilaritySearch:
        return cls(build_index(candidates, hierarchy, conditions, terms))

    def rank(
        self,
        patient: Patient,
        *,
        top: int = 10,
        weights: Weights | None = None,
        scales: Scales | None = None,
        min_facts: int = 1,
    ) -> list[Match]:
        """The `top` groups closest to the patient, each with the explanation of its score."""
        if not 1 <= top <= MAX_TOP:
            raise QueryError(f"top: {top!r} is out of range; give a whole number from 1 to {MAX_TOP}")
        if not 1 <= min_facts <= len(patient.described()):
            raise QueryError(
                f"min_facts: {min_facts!r} is out of range; give 1 to {len(patient.described())}, "
                "the number of facts the patient is described by"
            )
        weights, scales = weights or Weights(), scales or Scales()
        ranked = rank(self.index, patient, weights, scales, min_facts=min_facts)
        index = self.index
        return [
            Match(
                rank=position,
                group=index.groups[g],
                kind=index.kinds[g],
                patients=int(index.patients[g]),
                source_label=index.source_labels[g],
                locator=index.locators[g],
                score=round(float(ranked.score[g]), 4),
                facts_compared=int(ranked.facts[g]),
                facts=explain(index, patient, weights, scales, ranked, int(g)),
            )
            for position, g in enumerate(ranked.order[:top].tolist(), start=1)
        ]

    @staticmethod
    def outcome_queries(matches: list[Match]) -> tuple[str, str]:
        return outcome_queries([m.group for m in matches])

    def finish(
        self,
        patient: Patient,
        matches: list[Match],
        events: QueryResult,
        context: QueryResult,
        *,
        weights: Weights | None = None,
        notes: tuple[str, ...] = (),
    ) -> SimilarResult:
        """The result: matches with what happened to them, and the summary of them all."""
        full, summary, follow_up, at_risk = attach(self.index, matches, events, context)
        return SimilarResult(
            patient=patient,
            weights=weights or Weights(),
            candidates=len(self.index),
            matches=tuple(full),
            summary=tuple(summary),
            follow_up=follow_up,
            at_risk=at_risk,
            notes=notes,
            described={f: patient_value(self.index, patient, f) for f in patient.described()},
        )

    def search(
        self,
        select: Callable[[str], QueryResult],
        patient: Patient,
        *,
        top: int = 10,
        weights: Weights | None = None,
        scales: Scales | None = None,
        min_facts: int = 1,
        notes: tuple[str, ...] = (),
    ) -> SimilarResult:
        """All three steps at once, with `select` answering the two queries about the top matches."""
        matches = self.rank(patient, top=top, weights=weights, scales=scales, min_facts=min_facts)
        events, context = (select(text) for text in self.outcome_queries(matches))
        return self.finish(patient, matches, events, context, weights=weights, notes=notes)


def selecting(sparql: Callable[[str], object]) -> Callable[[str], QueryResult]:
    """A SELECT-only view of something that answers SPARQL (a store, a KnowledgeGraph)."""

    def select(text: str) -> QueryResult:
        result = sparql(text)
        if not isinstance(result, QueryResult):
            raise QueryError("expected the rows of a SELECT query")
        return result

    return select
