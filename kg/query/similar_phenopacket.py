"""A GA4GH phenopacket (schema v2, protobuf JSON) read as the patient of a similarity search.

Codes are read back through the graph's exact matches (UBERON, HPO, MAxO, NCIt, ChEBI, ...) or as
vskg CURIEs, the way kg.query.phenopackets writes them, so a packet vskg exported finds its own
case. What the search cannot use is left out and said in the result's notes, never guessed: a code
no vskg term matches exactly, an excluded feature, a treatment given for recurrent or metastatic
disease (the search compares treatments so far), a grade code other than the one checked.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from kg.errors import QueryError
from kg.iris import VSKG
from kg.query.phenopackets import RESOURCES
from kg.query.similar_index import CandidateIndex
from kg.query.similar_patient import FACTS, Patient, describe

GRADE_CODES = {"NCIT:C28078": 2}  # "Grade 2": the one grade code checked (shared/reference/ontology-terms.md)
LATE_INTENTS = {VSKG + "ForRecurrentOrMetastaticDisease", VSKG + "Palliative"}
SEXES = {"FEMALE": "Female", "MALE": "Male"}
_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?$")


def read_phenopacket(path: str | Path) -> dict[str, Any]:
    """The packet in a JSON file; an unreadable file or one that is not a phenopacket is a
    QueryError naming the file."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QueryError(f"{file}: cannot read the phenopacket ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise QueryError(f"{file}: not JSON ({exc}); give a phenopacket in protobuf JSON") from None
    check_phenopacket(data, str(file))
    return dict(data)


def check_phenopacket(data: Any, name: str) -> None:
    if not isinstance(data, dict) or not any(k in data for k in ("subject", "diseases", "phenotypicFeatures")):
        raise QueryError(
            f"{name}: not a phenopacket: expected a JSON object with 'subject', 'diseases' or 'phenotypicFeatures' "
            "(GA4GH Phenopacket schema v2)"
        )


def _get(obj: Any, key: str) -> Any:
    """A field by its protobuf JSON name, or by the proto field name (`primarySite`, `primary_site`)."""
    if not isinstance(obj, dict):
        return None
    snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key)
    return obj.get(key, obj.get(snake))


class _Codes:
    """CURIEs of a packet back to vskg terms: `vskg:X`, or an external code some term matches exactly."""

    def __init__(self, index: CandidateIndex, packet: dict[str, Any]) -> None:
        self.index = index
        self.prefixes = {p: base for p, (_, base, _) in RESOURCES.items()}
        for resource in _get(_get(packet, "metaData"), "resources") or []:
            prefix, base = _get(resource, "namespacePrefix"), _get(resource, "iriPrefix")
            if isinstance(prefix, str) and isinstance(base, str) and prefix not in self.prefixes:
                self.prefixes[prefix] = base
        self.terms: dict[str, list[str]] = defaultdict(list)
        for term, codes in index.terms.exact.items():
            for code in codes:
                self.terms[code].append(term)

    def terms_of(self, oc: Any) -> list[str]:
        code = _get(oc, "id")
        if not isinstance(code, str) or ":" not in code:
            return []
        prefix, local = code.split(":", 1)
        if prefix == "vskg":
            return [VSKG + local]
        base = self.prefixes.get(prefix)
        return sorted(self.terms.get(base + local, [])) if base else []

    def one(self, oc: Any, within: tuple[str, ...], what: str, notes: list[str]) -> str | None:
        """The vskg term of an ontology class among `within`, or a note saying why there is none."""
        found = [t for t in self.terms_of(oc) if t in within]
        if len(found) == 1:
            return found[0].removeprefix(VSKG)
        shown = f"{_get(oc, 'id')} ({_get(oc, 'label') or 'no label'})"
        notes.append(
            f"{what} {shown}: {'matches several vskg terms' if found else 'no vskg term matches it exactly'}; left out"
        )
        return None


def patient_from_phenopacket(
    packet: dict[str, Any], index: CandidateIndex, *, name: str
) -> tuple[Patient, tuple[str, ...]]:
    """The patient a packet describes, and notes on what was left out of it."""
    check_phenopacket(packet, name)
    codes = _Codes(index, packet)
    notes: list[str] = []
    values: dict[str, Any] = {}
    sex = _get(_get(packet, "subject"), "sex")
    if sex in SEXES:
        values["sex"] = SEXES[sex]
    elif sex is not None:
        notes.append(f"subject.sex {sex}: not female or male; left out")
    diseases = [d for d in _get(packet, "diseases") or [] if isinstance(d, dict)]
    if len(diseases) > 1:
        notes.append(f"{len(diseases)} diseases: the first with a primary site is read")
    disease = next((d for d in diseases if _get(d, "primarySite")), diseases[0] if diseases else {})
    if _get(disease, "primarySite"):
        values["site"] = codes.one(_get(disease, "primarySite"), index.sites.hierarchy.classes, "primary site", notes)
    if _get(disease, "laterality"):
        sides = tuple(VSKG + s for s in ("Left", "Right", "Bilateral"))
        values["laterality"] = codes.one(_get(disease, "laterality"), sides, "laterality", notes)
    age = _get(_get(_get(disease, "onset"), "age"), "iso8601duration")
    if isinstance(age, str):
        values["age"] = _years(age, notes)
    presentations = index.presentation_terms.hierarchy.classes
    for feature in _get(packet, "phenotypicFeatures") or []:
        if _get(feature, "excluded"):
            notes.append(f"phenotypic feature {_get(_get(feature, 'type'), 'id')} is excluded; left out")
            continue
        term = codes.one(_get(feature, "type"), presentations, "phenotypic feature", notes)
        values.setdefault("presentations", []).extend([term] if term else [])
    for measurement in _get(packet, "measurements") or []:
        if VSKG + "sizeCm" in codes.terms_of(_get(measurement, "assay")):
            values["size"] = _centimetres(_get(_get(measurement, "value"), "quantity"), notes)
    for sample in _get(packet, "biosamples") or []:
        grade = _get(sample, "tumorGrade")
        if grade:
            code = _get(grade, "id")
            if code in GRADE_CODES:
                values["grade"] = GRADE_CODES[code]
            else:
                notes.append(f"tumour grade {code}: not a grade code vskg reads ({', '.join(GRADE_CODES)}); left out")
    values["treatments"] = _treatments(packet, codes, index, notes)
    given = {("size_cm" if f == "size" else f): v for f, v in values.items() if v not in (None, [])}
    if not given:
        raise QueryError(f"{name}: the phenopacket gives no fact a search compares ({', '.join(FACTS)})")
    try:
        return describe(**given), tuple(dict.fromkeys(notes))
    except QueryError as exc:
        raise QueryError(f"{name}: {exc}") from None


def _treatments(packet: dict[str, Any], codes: _Codes, index: CandidateIndex, notes: list[str]) -> list[str]:
    interventions = index.treatment_terms.hierarchy.classes
    out: list[str] = []
    for action in _get(packet, "medicalActions") or []:
        intent = codes.terms_of(_get(action, "treatmentIntent"))
        what = _get(_get(_get(action, "procedure"), "code"), "id") or _get(
            _get(_get(action, "treatment"), "agent"), "id"
        )
        if LATE_INTENTS & set(intent):
            notes.append(
                f"medical action {what}: given for recurrent or metastatic disease, not a treatment so far; left out"
            )
            continue
        if _get(action, "procedure"):
            term = codes.one(_get(_get(action, "procedure"), "code"), interventions, "procedure", notes)
        elif _get(action, "treatment"):
            term = "SystemicTherapy"  # an agent given is a systemic therapy, whichever agent
        elif _get(action, "radiationTherapy"):
            term = "Radiotherapy"
        else:
            notes.append("a medical action with no procedure, treatment or radiation therapy; left out")
            term = None
        if term and term not in out:
            out.append(term)
    return out


def _years(duration: str, notes: list[str]) -> float | None:
    match = _DURATION.match(duration)
    if not match or not any(match.groups()):
        notes.append(f"onset age {duration!r}: not an ISO 8601 duration such as P50Y; left out")
        return None
    y, m, w, d = (float(g) if g else 0.0 for g in match.groups())
    return round(y + m / 12 + w / 52.1775 + d / 365.25, 2)


def _centimetres(quantity: Any, notes: list[str]) -> float | None:
    unit, value = _get(_get(quantity, "unit"), "id"), _get(quantity, "value")
    factor = {"UCUM:cm": 1.0, "UCUM:mm": 0.1}.get(str(unit))
    if factor is None or not isinstance(value, int | float) or value <= 0:
        notes.append(f"tumour size {value!r} {unit}: not a positive size in UCUM:cm or UCUM:mm; left out")
        return None
    return round(float(value) * factor, 3)


def merge(base: Patient, given: Patient | None) -> Patient:
    """`base` (from a packet) with every fact `given` states in its place."""
    if given is None:
        return base
    return replace(base, **{f: getattr(given, f) for f in given.described()})
