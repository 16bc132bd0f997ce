"""What a similarity search answers, typed: the ranked groups, why each scored as it did, what
happened to them, and the summary of the top matches; as pandas DataFrames or plain JSON data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from kg.query.similar_patient import FACTS, Patient, Weights

LIMITS = (
    "Similarity in a case literature is not prognosis: published cases are chosen for being unusual, "
    "cohorts report what their authors chose to, and a fact a report leaves out is unknown, not absent. "
    "The matches say what happened to published patients like this one, not what will happen to this one."
)


@dataclass(frozen=True)
class FactComparison:
    """One described fact against one group: agreed (similarity 1), partly, differed (0), or missing."""

    fact: str
    status: str
    weight: float
    similarity: float | None
    contribution: float | None  # weight x similarity over the weight of every fact compared
    patient_value: str
    group_value: str | None
    reason: str


@dataclass(frozen=True)
class Event:
    """A treatment or outcome of a matched group, with its time as stated and where it is stated."""

    group: str
    event: str
    kind: str  # "treatment" or "outcome"
    term: str
    label: str
    site: str | None  # where the event was (a metastasis in the lung)
    position: int
    exposure: str  # "all patients", "some patients", "no patients"
    setting: str | None
    months: float | None
    after: str | None
    patients_affected: int | None
    denominator: int | None
    percent: float | None
    horizon_years: float | None
    as_printed: str | None
    locator: str
    source_label: str
    summary_measure: str | None = None  # a series' median or mean time to this outcome
    summary_months: float | None = None

    def time_text(self) -> str:
        """The time as stated, with the event it is counted from, or a series' summary of it with its
        measure ("median 49 months"); empty when none is stated."""
        if self.months is not None:
            return f"{self.months:g} months after {self.after}"
        if self.summary_months is not None:
            return f"{self.summary_measure} {self.summary_months:g} months"
        return ""

    def count_text(self) -> str:
        """A cohort's count with its denominator, or a stated percentage at its horizon."""
        if self.percent is not None:
            return f"{self.percent:g} %" + (f" at {self.horizon_years:g} years" if self.horizon_years else "")
        if self.patients_affected is not None and self.denominator:
            return f"{self.patients_affected} of {self.denominator}"
        return ""

    def label_text(self) -> str:
        return self.label + (f" ({self.site})" if self.site else "")


@dataclass(frozen=True)
class Match:
    """A published group ranked against the patient."""

    rank: int
    group: str
    kind: str  # "case" or "cohort"
    patients: int
    source_label: str
    locator: str
    score: float
    facts_compared: int
    facts: tuple[FactComparison, ...]
    course: str = ""  # resection alone / with adjuvant therapy / ... (kg.query.similar_outcomes)
    events: tuple[Event, ...] = ()
    follow_up_months: float | None = None
    part_of: str | None = None
    overlaps: tuple[str, ...] = ()
    literature_review: bool = False
    counted: bool = True  # in the summary's totals (not when its patients are counted in another match)
    note: str | None = None

    def by_status(self, status: str) -> list[str]:
        return [f.fact for f in self.facts if f.status == status]


@dataclass(frozen=True)
class SummaryRow:
    """The top matches of one course of treatment, counted in patients (a cohort as its n)."""

    course: str
    groups: int
    patients: int
    recurred: int
    recurrence_stated: int  # patients whose recurrence or its absence is stated (the denominator)
    metastasised: int
    metastasis_stated: int
    died: int
    death_stated: int


@dataclass(frozen=True)
class SimilarResult:
    patient: Patient
    weights: Weights
    candidates: int  # groups searched
    matches: tuple[Match, ...]
    summary: tuple[SummaryRow, ...] = ()
    follow_up: dict[str, float | int | None] = field(default_factory=dict)
    at_risk: int = 0  # patients of the top matches who may be counted in another report too
    notes: tuple[str, ...] = ()  # what could not be read from the input, and was left out
    described: dict[str, str] = field(default_factory=dict)  # each described fact in words
    limits: str = LIMITS

    def __len__(self) -> int:
        return len(self.matches)

    @property
    def unknown(self) -> dict[str, int]:
        """For each fact the patient gives: how many of the matches do not state it (or, for a
        cohort, state it only as a summary of its patients)."""
        return {
            fact: sum(1 for m in self.matches if fact in m.by_status("missing")) for fact in self.patient.described()
        }

    def groups(self) -> list[str]:
        return [m.group for m in self.matches]

    def to_pandas(self) -> Any:
        """One row per match: rank, group, score, how many facts it rests on, and each described
        fact's status and similarity; typed columns (Int64, float64, boolean, string)."""
        import pandas as pd

        described = self.patient.described()
        rows = []
        for m in self.matches:
            row: dict[str, Any] = {
                "rank": m.rank,
                "group": m.group,
                "kind": m.kind,
                "patients": m.patients,
                "source_label": m.source_label,
                "locator": m.locator,
                "score": m.score,
                "facts_compared": m.facts_compared,
                "agreed": "; ".join(m.by_status("agreed")),
                "partly": "; ".join(m.by_status("partly")),
                "differed": "; ".join(m.by_status("differed")),
                "missing": "; ".join(m.by_status("missing")),
                "course": m.course,
                "follow_up_months": m.follow_up_months,
                "counted": m.counted,
            }
            by_fact = {f.fact: f for f in m.facts}
            for fact in described:
                row[f"{fact}_similarity"] = by_fact[fact].similarity if fact in by_fact else None
            rows.append(row)
        types = {"rank": "Int64", "patients": "Int64", "facts_compared": "Int64", "score": "float64"}
        types |= {"follow_up_months": "float64", "counted": "boolean"}
        types |= {f"{fact}_similarity": "float64" for fact in described}
        columns = [*(rows[0] if rows else types)]
        frame = pd.DataFrame(rows, columns=columns or None)
        for column in frame.columns:
            frame[column] = frame[column].astype(types.get(column, "string"))
        return frame

    def events_to_pandas(self) -> Any:
        """What happened to each match: its treatments and outcomes in order, with times as stated,
        counts and denominators for cohorts, and the source and locator of each."""
        import pandas as pd

        rows = [{"rank": m.rank, **asdict(e)} for m in self.matches for e in m.events]
        types = {"rank": "Int64", "position": "Int64", "patients_affected": "Int64", "denominator": "Int64"}
        types |= {"months": "float64", "percent": "float64", "horizon_years": "float64", "summary_months": "float64"}
        frame = pd.DataFrame(rows, columns=["rank", *Event.__dataclass_fields__])
        for column in frame.columns:
            frame[column] = frame[column].astype(types.get(column, "string"))
        return frame

    def summary_to_pandas(self) -> Any:
        import pandas as pd

        frame = pd.DataFrame([asdict(r) for r in self.summary], columns=[*SummaryRow.__dataclass_fields__])
        return frame.astype({c: ("string" if c == "course" else "Int64") for c in frame.columns})

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: the patient, the weights, every match with its explanation and events,
        the summary, how many matches each described fact was unknown for, and the limits."""
        return {
            "patient": {f: list(v) if isinstance(v, tuple) else v for f in FACTS if (v := getattr(self.patient, f))},
            "described": self.described,
            "weights": asdict(self.weights),
            "candidates": self.candidates,
            "matches": [asdict(m) for m in self.matches],
            "summary": [asdict(r) for r in self.summary],
            "follow_up": self.follow_up,
            "at_risk": self.at_risk,
            "unknown": self.unknown,
            "notes": list(self.notes),
            "limits": self.limits,
        }
