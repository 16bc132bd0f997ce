"""`vskg synth`: a synthetic literature of any size, in the real record format, for benchmarks.

Deterministic for a seed. Every record says `synthetic: true`, the graph marks its sources
`vskg:synthetic true`, and synthetic records can never be written into, or built together with,
the curated `data/` folder.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from kg.errors import KGError
from kg.project import Project

SITES = [  # (term, laterality applies, weight)
    ("InferiorVenaCava", False, 45),
    ("FemoralVein", True, 6),
    ("CommonFemoralVein", True, 4),
    ("SuperficialFemoralVein", True, 4),
    ("GreatSaphenousVein", True, 12),
    ("ExternalIliacVein", True, 5),
    ("IliacVein", True, 5),
    ("PoplitealVein", True, 5),
    ("AxillaryVein", True, 3),
    ("CephalicVein", True, 2),
    ("Vein", False, 9),
]
PRESENTATIONS = [
    "LimbSwelling",
    "LimbPain",
    "LimbOedema",
    "PalpableMass",
    "DVTLikePresentation",
    "AbdominalPain",
    "BackPain",
    "IncidentalFinding",
    "WeightLoss",
]
LINES = [["Doxorubicin"], ["Gemcitabine", "Docetaxel"], ["Pazopanib"], ["Doxorubicin", "Ifosfamide"], ["Gemcitabine"]]
DESIGNS = [
    ("CaseReport", 60),
    ("CaseSeries", 25),
    ("RetrospectiveCohort", 12),
    ("RandomisedControlledTrial", 2),
    ("ReferenceBook", 1),
]


class _PlainDumper(yaml.SafeDumper):
    """Writes shared values out in full: records may not contain YAML aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class SynthError(KGError, ValueError):
    """Synthetic records asked for somewhere they must not go."""


def _pick(rng: random.Random, weighted: list[Any]) -> Any:
    return rng.choices(weighted, weights=[w[-1] for w in weighted])[0]


PATIENTS_PER_INSTITUTION = 100  # a larger literature comes from more centres, not ever more from the same 40


class _Writer:
    def __init__(self, seed: int, institutions: int = 40) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.institutions = institutions

    def case(self, gid: str, locator: str) -> dict[str, Any]:
        rng = self.rng
        site, lateral, _ = _pick(rng, SITES)
        tumour: dict[str, Any] = {"histology": "Leiomyosarcoma", "site": {"term": site}, "locator": locator}
        if lateral:
            tumour["site"]["laterality"] = rng.choice(["Left", "Right"])
        if rng.random() < 0.6:
            tumour["grade"] = {"value": rng.choice([1, 2, 2, 3, 3]), "system": "FNCLCC"}
        if rng.random() < 0.5:
            tumour["size_cm"] = round(rng.uniform(1.5, 20), 1)
        if rng.random() < 0.3:
            tumour["ki67_percent"] = {"value": rng.choice([5, 10, 15, 18, 25, 40])}
        if rng.random() < 0.4:
            tumour["markers"] = [
                {"marker": m, "result": "Positive"} for m in ("SmoothMuscleActin", "Desmin", "HCaldesmon")
            ]
        events: list[dict[str, Any]] = []

        def add(eid: str, term: str, **fields: Any) -> str:
            events.append({"id": eid, "term": term, **fields, "locator": locator})
            return eid

        for i, term in enumerate(rng.sample(PRESENTATIONS, rng.randint(1, 3))):
            add(f"presentation-{i + 1}", term)
        if lateral and rng.random() < 0.35:
            add("dvt", "InitialDiagnosis", condition="DeepVeinThrombosis", status="Misdiagnosed")
            add("anticoagulation", "Anticoagulation", reasons=["dvt"])
        resection = add("resection", "SurgicalResection") if rng.random() < 0.9 else None
        if resection and rng.random() < 0.4:
            add("reconstruction", "VeinReconstruction", follows=[resection])
        if resection and rng.random() < 0.3:
            add("radiotherapy", "Radiotherapy", setting="Adjuvant", follows=[resection])
        lesions = []
        if resection and rng.random() < 0.3:
            lesions.append(
                add(
                    "local-recurrence",
                    "LocalRecurrence",
                    site={"term": site},
                    at={"months": rng.randint(3, 48), "after": resection},
                )
            )
        if resection and rng.random() < 0.35:
            lesions.append(
                add(
                    "lung-metastases",
                    "DistantMetastasis",
                    site={"term": "Lung"},
                    at={"months": rng.randint(2, 60), "after": resection},
                )
            )
        if lesions and rng.random() < 0.7:
            add(
                "line-1", "SystemicTherapy", agents=rng.choice(LINES), line=1, cycles=rng.randint(2, 6), reasons=lesions
            )
            add(
                "assessment-1",
                "ResponseAssessment",
                follows=["line-1"],
                lesions=[
                    {
                        "lesion": lesion,
                        "trend": rng.choice(["Improved", "Worsened", "Unchanged"]),
                        "change_percent": rng.randint(-60, 80),
                    }
                    for lesion in lesions
                ],
            )
            if rng.random() < 0.5:
                add("line-2", "SystemicTherapy", agents=rng.choice(LINES), line=2, follows=["assessment-1"])
        if rng.random() < 0.2:
            add("death", "Death", at={"months": rng.randint(6, 120), "after": resection} if resection else None)
            if events[-1]["at"] is None:
                del events[-1]["at"]
        elif rng.random() < 0.3 and resection:
            add("ned", "NoEvidenceOfDisease", at={"months": rng.randint(12, 120), "after": resection})
        case: dict[str, Any] = {
            "id": gid,
            "kind": "case",
            "locator": locator,
            "age": rng.randint(18, 85),
            "sex": rng.choice(["Female", "Male"]),
            "tumour": tumour,
            "events": events,
        }
        if rng.random() < 0.4:
            case["follow_up_months"] = rng.randint(6, 120)
        return case

    def cohort(self, gid: str, n: int, locator: str) -> dict[str, Any]:
        rng = self.rng
        site, _, _ = _pick(rng, SITES)
        events: list[dict[str, Any]] = []

        def counted(eid: str, term: str, share: float, **fields: Any) -> None:
            count = max(0, min(n, round(n * share)))
            exposure = "none" if count == 0 else "all" if count == n else "some"
            events.append(
                {"id": eid, "term": term, "count": count, "of": n, "exposure": exposure, **fields, "locator": locator}
            )

        counted("resection", "SurgicalResection", rng.uniform(0.7, 1.0))
        counted("reconstruction", "VeinReconstruction", rng.uniform(0.2, 0.6))
        counted("radiotherapy", "Radiotherapy", rng.uniform(0.0, 0.4), setting="Adjuvant")
        counted("chemotherapy", "SystemicTherapy", rng.uniform(0.1, 0.5))
        counted("recurrence", "LocalRecurrence", rng.uniform(0.1, 0.4))
        counted("metastasis", "DistantMetastasis", rng.uniform(0.2, 0.6))
        events.append(
            {
                "id": "survival",
                "term": "OverallSurvival",
                "percent": round(rng.uniform(20, 80), 1),
                "of": n,
                "horizon_years": 5,
                "locator": locator,
            }
        )
        start = rng.randint(1980, 2015)
        return {
            "id": gid,
            "kind": "cohort",
            "n_patients": n,
            "locator": locator,
            "institution": f"Synthetic centre {rng.randint(1, self.institutions)}",
            "period": {"start": start, "end": start + rng.randint(2, 15)},
            "tumour": {"histology": "Leiomyosarcoma", "site": {"term": site}, "locator": locator},
            "events": events,
        }

    def source(self, index: int, earlier: list[str]) -> tuple[dict[str, Any], int]:
        rng = self.rng
        sid = f"synth-{self.seed}-{index:06d}"
        design = _pick(rng, DESIGNS)[0]
        year = rng.randint(1970, 2026)
        record: dict[str, Any] = {
            "id": sid,
            "label": f"Synthetic {index} ({year})",
            "synthetic": True,
            "citation": {
                "authors": f"Synthetic A{index}",
                "title": f"Synthetic report {index}",
                "year": year,
                "container": "Journal of Synthetic Sarcoma",
                "locator": "Title",
            },
            "study_design": design,
            "design_basis": "generated",
        }
        cited = rng.sample(earlier, min(len(earlier), rng.randint(0, 4))) if earlier else []
        if cited:
            record["references"] = [{"number": i + 1, "work": w} for i, w in enumerate(cited)]
            record["citations"] = [
                {"id": f"cites-{i + 1}", "numbers": [i + 1], "works": [w], "basis": "number", "locator": "Introduction"}
                for i, w in enumerate(cited)
            ]
        patients = 0
        groups: list[dict[str, Any]] = []
        if design == "CaseReport":
            groups.append(self.case(f"{sid}-case", "Case presentation"))
            patients = 1
        elif design == "CaseSeries":
            for k in range(rng.randint(2, 8)):
                groups.append(self.case(f"{sid}-case-{k + 1}", f"Case {k + 1}"))
            patients = len(groups)
        elif design in ("RetrospectiveCohort", "RandomisedControlledTrial"):
            n = rng.randint(10, 120)
            groups.append(self.cohort(f"{sid}-cohort", n, "Results"))
            patients = n
        if groups:
            record["groups"] = groups
        return record, patients


def synthesize(
    patients: int | None,
    seed: int,
    out_dir: Path,
    *,
    sources: int | None = None,
    project: Project | None = None,
) -> tuple[int, int]:
    """Write sources until `patients` patients are reached, or exactly `sources` sources (the size in
    triples follows the number of sources closely; a few large cohorts swing the patient count);
    returns (sources, patients)."""
    if (patients is None) == (sources is None):
        raise SynthError("give the number of patients or the number of sources, not both")
    project = project or Project.find()
    target = out_dir.resolve()
    real = project.data.resolve()
    if target == real or real in target.parents or target in real.parents:
        raise SynthError(f"{out_dir}: synthetic records never go into or around the curated data folder {project.data}")
    target.mkdir(parents=True, exist_ok=True)
    if any(not p.name.startswith("synth-") for p in target.glob("*.yaml")):
        raise SynthError(f"{out_dir}: holds records that are not synthetic; use an empty folder")
    expected_patients = patients if patients is not None else 11 * (sources or 0)  # about 11 per source
    writer = _Writer(seed, institutions=max(40, expected_patients // PATIENTS_PER_INSTITUTION))
    written: list[str] = []
    total = 0
    index = 0
    while (total < patients) if patients is not None else (index < (sources or 0)):
        index += 1
        record, n = writer.source(index, written[-50:])
        path = target / f"{record['id']}.yaml"
        path.write_text(
            "# Synthetic record (vskg synth): not evidence.\n"
            + yaml.dump(record, Dumper=_PlainDumper, sort_keys=False, width=120),
            encoding="utf-8",
        )
        written.append(record["id"])
        total += n
    return index, total
