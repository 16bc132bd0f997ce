"""What a caller gives a similarity search - facts, a Patient, a phenopacket, weights - as the
Patient and Weights it searches with, checked against the graph's terms."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kg.errors import QueryError
from kg.query.similar_index import CandidateIndex
from kg.query.similar_patient import Patient, Weights, describe
from kg.query.similar_phenopacket import merge, patient_from_phenopacket, read_phenopacket

FACT_ARGUMENTS = (
    "site", "laterality", "age", "sex", "size_cm", "grade", "presentations", "initial_diagnoses", "treatments",
)  # fmt: skip


def patient_for(
    index: CandidateIndex,
    patient: Patient | None,
    phenopacket: str | Path | dict[str, Any] | None,
    facts: Mapping[str, Any],
) -> tuple[Patient, tuple[str, ...]]:
    """The patient to search for, and notes on what a phenopacket gave that was left out."""
    unknown = sorted(set(facts) - set(FACT_ARGUMENTS))
    if unknown:
        raise QueryError(f"unknown fact(s) {', '.join(unknown)}; facts: {', '.join(FACT_ARGUMENTS)}")
    given = describe(**facts) if any(v not in (None, (), []) for v in facts.values()) else None
    if patient is not None and given is not None:
        raise QueryError("give a Patient or facts, not both")
    notes: tuple[str, ...] = ()
    if phenopacket is not None:
        if isinstance(phenopacket, dict):
            packet, name = phenopacket, "phenopacket"
        else:
            packet, name = read_phenopacket(phenopacket), str(phenopacket)
        base, notes = patient_from_phenopacket(packet, index, name=name)
        chosen = merge(base, patient or given)
    else:
        described = patient or given
        if described is None:
            raise QueryError("describe the patient: give facts (site=..., age=...), a Patient, or a phenopacket")
        chosen = described
    index.check(chosen)
    return chosen, notes


def weights_from(weights: Mapping[str, float | str] | Weights | None) -> Weights:
    if weights is None:
        return Weights()
    if isinstance(weights, Weights):
        return weights
    return Weights().with_changes(weights)
