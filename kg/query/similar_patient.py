"""The patient a similarity search starts from, the weight of each fact, and the checks on both.

A described value that cannot be read is a QueryError naming the fact and what would be valid;
whether a term is one of the graph's is checked against the graph (kg.query.similar_index).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace

from kg.errors import QueryError
from kg.iris import VSKG

FACTS = ("site", "laterality", "age", "sex", "size", "grade", "presentations", "initial_diagnoses", "treatments")
SEXES = {"female": "Female", "f": "Female", "woman": "Female", "male": "Male", "m": "Male", "man": "Male"}
SIDES = {"left": "Left", "right": "Right", "bilateral": "Bilateral"}
# a grade is read on three steps: FNCLCC 1-3 (or a number with no system), or the words for them
GRADES = {"1": 1, "2": 2, "3": 3, "low": 1, "intermediate": 2, "high": 3}
GRADE_WORDS = {"LowGrade": 1, "IntermediateGrade": 2, "HighGrade": 3}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


@dataclass(frozen=True)
class Weights:
    """How much each fact counts in a score (README, "Patients like mine", says why each)."""

    site: float = 5.0
    grade: float = 2.0
    size: float = 2.0
    treatments: float = 1.5
    age: float = 1.0
    presentations: float = 1.0
    initial_diagnoses: float = 1.0
    sex: float = 0.5
    laterality: float = 0.5

    def of(self, fact: str) -> float:
        return float(getattr(self, fact))

    def with_changes(self, changes: Mapping[str, float | str]) -> Weights:
        """These weights with some replaced: `{"site": 3}`; every value a finite number >= 0."""
        known = [f.name for f in fields(self)]
        out: dict[str, float] = {}
        for name, value in changes.items():
            if name not in known:
                raise QueryError(f"weight {name!r}: no such fact; facts: {', '.join(known)}")
            number = _number(f"weight {name}", value)
            if number < 0:
                raise QueryError(f"weight {name}: {value!r} is negative; give a number of 0 or more")
            out[name] = number
        return replace(self, **out)


@dataclass(frozen=True)
class Scales:
    """The distance at which a number stops counting as similar at all (similarity falls linearly
    from 1 at no difference to 0 at this difference)."""

    age_years: float = 20.0
    size_cm: float = 10.0
    grade_steps: float = 2.0


@dataclass(frozen=True)
class Patient:
    """A new patient as described: terms are vskg local names (`FemoralVein`), numbers as given."""

    site: str | None = None
    laterality: str | None = None
    age: float | None = None
    sex: str | None = None
    size: float | None = None
    grade: int | None = None
    presentations: tuple[str, ...] = ()
    initial_diagnoses: tuple[str, ...] = ()
    treatments: tuple[str, ...] = ()

    def described(self) -> list[str]:
        """The facts this patient gives, in the order of FACTS."""
        return [f for f in FACTS if getattr(self, f) not in (None, ())]


def describe(
    *,
    site: str | None = None,
    laterality: str | None = None,
    age: float | int | str | None = None,
    sex: str | None = None,
    size_cm: float | int | str | None = None,
    grade: int | str | None = None,
    presentations: Iterable[str] = (),
    initial_diagnoses: Iterable[str] = (),
    treatments: Iterable[str] = (),
) -> Patient:
    """A Patient from loose values (command-line or URL text, or Python numbers), checked for form."""
    patient = Patient(
        site=local_name("site", site) if _given(site) else None,
        laterality=_choice("laterality", laterality, SIDES) if _given(laterality) else None,
        age=_bounded("age", age, 0, 120, "years, 0 to 120") if _given(age) else None,
        sex=_choice("sex", sex, SEXES) if _given(sex) else None,
        size=_bounded("size", size_cm, 0, 200, "centimetres, more than 0 and at most 200", open_low=True)
        if _given(size_cm)
        else None,
        grade=_grade(grade) if _given(grade) else None,
        presentations=_names("presentations", presentations),
        initial_diagnoses=_names("initial_diagnoses", initial_diagnoses),
        treatments=_names("treatments", treatments),
    )
    if not patient.described():
        raise QueryError(
            "describe the patient by at least one fact: site, laterality, age, sex, size, grade, "
            "presentation, initial diagnosis or treatment"
        )
    return patient


def local_name(fact: str, value: str | None) -> str:
    """`FemoralVein`, `vskg:FemoralVein` or the term's IRI, as the local name `FemoralVein`."""
    text = str(value).strip()
    for prefix in (VSKG, "vskg:"):
        text = text.removeprefix(prefix)
    if not _NAME.match(text):
        raise QueryError(f"{fact}: {value!r} is not a vskg term; give a name such as FemoralVein, or vskg:FemoralVein")
    return text


def _given(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _names(fact: str, values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    names = [local_name(fact, v) for v in values if _given(v)]
    return tuple(dict.fromkeys(names))  # once each, in the order given


def _number(fact: str, value: object) -> float:
    try:
        number = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError:
        raise QueryError(f"{fact}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise QueryError(f"{fact}: {value!r} is not a finite number")
    return number


def _bounded(fact: str, value: object, low: float, high: float, valid: str, *, open_low: bool = False) -> float:
    number = _number(fact, value)
    if number > high or number < low or (open_low and number == low):
        raise QueryError(f"{fact}: {value!r} is out of range; give {valid}")
    return number


def _choice(fact: str, value: object, choices: dict[str, str]) -> str:
    key = str(value).strip().removeprefix(VSKG).removeprefix("vskg:").lower()
    if key not in choices:
        valid = ", ".join(sorted({v.lower() for v in choices.values()}))
        raise QueryError(f"{fact}: {value!r} is not one of {valid}")
    return choices[key]


def _grade(value: object) -> int:
    key = str(value).strip().lower().removesuffix(" grade").removesuffix("grade").strip()
    if key not in GRADES:
        raise QueryError(f"grade: {value!r} is not a grade on three steps; give 1, 2, 3, low, intermediate or high")
    return GRADES[key]


def grade_step(value: int | None, system: str | None, category: str | None) -> int | None:
    """A stated grade on the three steps of the search: a number of FNCLCC or of no named system
    (1 to 3), else the words (low, intermediate, high grade); a grade of another system is not read."""
    if value is not None and (system is None or system.removeprefix(VSKG) == "FNCLCC") and 1 <= value <= 3:
        return value
    if category is not None:
        return GRADE_WORDS.get(category.removeprefix(VSKG))
    return None
