"""One extraction-sheet entry to a source record (as plain data), noting every value it cannot map."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from kg.curation.diagnosis_status import read_status
from kg.curation.durations import stated_duration
from kg.curation.free_text import Synonyms, Target
from kg.curation.labels import citation_label, event_slug
from kg.curation.report import Unmapped
from kg.curation.sheet_citation import sheet_citation, short_locator
from kg.curation.stated_order import stated_links
from kg.curation.supplements import apply_supplements
from kg.errors import RecordError
from kg.iris import SLUG


class RecordBuilder:
    """Converts one sheet record, noting every value it cannot map."""

    def __init__(
        self,
        raw: dict[str, Any],
        synonyms: Synonyms,
        sheet: str,
        supplements: list[dict[str, Any]] | None = None,
        *,
        as_id: str | None = None,
    ) -> None:
        """`as_id` builds the entry as part of a held source of that id (its groups named after it)."""
        self.raw = raw
        self.syn = synonyms
        self.sheet = sheet
        self.entry = str(raw.get("id", ""))
        self.id = as_id or self.entry
        self.supplements = supplements or []
        self.values: list[Unmapped] = []
        self.unplaced: list[str] = []  # a patient's words no term holds: kept in the case's note

    def miss(self, fld: str, value: Any, status: str = "unmapped") -> None:
        self.values.append(Unmapped(f"data/{self.id}.yaml", self.id, fld, str(value), status))

    def unplace(self, fld: str, value: Any, why: str) -> None:
        self.unplaced.append(f"{fld} '{value}' ({why})")

    def targets(self, section: str, fld: str, value: Any) -> list[Target]:
        """The terms of a value; none where it has no entry or a skip (both reported, and kept in the note)."""
        if value in (None, ""):
            return []
        found = self.syn.lookup(section, str(value))
        if found is None:
            self.miss(fld, value)
            self.unplace(fld, value, "no synonym yet")
            return []
        if found.skip is not None:
            self.miss(fld, f"{value} [{found.skip}]", "reviewed")
            self.unplace(fld, value, found.skip)
            return []
        return list(found.targets)

    def term(self, section: str, fld: str, value: Any) -> Any:
        """The term of a value in a section whose entries are exact and single (sex, grade, agent ...)."""
        found = self.targets(section, fld, value)
        return found[0].term if found else None

    def mapped(self, target: Target, fld: str, phrase: Any) -> dict[str, Any]:
        """A term that is not exactly the words keeps them (`mapping`) and is reported as approximate."""
        if target.exact:
            return {}
        self.miss(fld, f"{phrase} -> {target.term} ({target.strength})", "approximate")
        return {"mapping": {"phrase": str(phrase), "strength": target.strength}}

    def site(self, fld: str, value: Any) -> dict[str, Any] | None:
        found = self.targets("site", fld, value)
        if not found:
            return None
        t = found[0]
        site: dict[str, Any] = {"term": t.term, "as_printed": str(value)}
        if t.branch_of:  # a branch of a vein, placed at its region
            site["branch_of"] = t.branch_of
        return {**site, **self.mapped(t, fld, value)}

    # ------------------------------------------------------------------ source
    def build(self) -> dict[str, Any]:
        raw = self.raw
        if not SLUG.match(self.id):
            raise RecordError(self.sheet, f"record {self.entry!r}.id", "must be lower-case words joined by hyphens")
        locator, rest = short_locator(str(raw.get("locator") or "").strip())
        citation, notes = sheet_citation(raw.get("citation") or {}, locator)
        if rest:
            notes.append(f"locator, continued: {rest}")
        apply_supplements(citation, self.supplements)
        design = self.term("study_design", "study_type", raw.get("study_type"))
        out: dict[str, Any] = {"id": self.id, "label": citation_label(citation, design), "citation": citation}
        if design:
            out["study_design"] = design
            out["design_basis"] = f"extraction sheet study_type '{raw['study_type']}'"
        groups = self.groups(locator)
        if groups:
            out["groups"] = groups
        if raw.get("series_summary") and not any(g["kind"] == "cohort" for g in groups):
            notes.append(f"series summary as extracted: {raw['series_summary']}")
        if notes:
            out["note"] = " ".join(notes)
        return out

    # ------------------------------------------------------------------ groups
    def groups(self, locator: str) -> list[dict[str, Any]]:
        patients = list(self.raw.get("patients") or [])
        n = self.raw.get("n_patients")
        n = int(n) if isinstance(n, int | str) and str(n).isdigit() else None
        groups: list[dict[str, Any]] = []
        series_id = f"{self.id}-series"
        needs_series = n is not None and n > max(len(patients), 1)
        if needs_series:
            series: dict[str, Any] = {"id": series_id, "kind": "cohort", "n_patients": n, "locator": locator}
            if self.raw.get("series_summary"):
                series["note"] = f"series summary as extracted: {self.raw['series_summary']}"
                self.miss("series_summary", "aggregates to be curated by hand from the summary", "reviewed")
            groups.append(series)
        for i, patient in enumerate(patients, start=1):
            case_id = f"{self.id}-case" if len(patients) == 1 else f"{self.id}-case-{i}"
            groups.append(self.case(case_id, patient, locator, series_id if needs_series else None))
        return groups

    def case(self, case_id: str, p: dict[str, Any], locator: str, part_of: str | None) -> dict[str, Any]:
        case: dict[str, Any] = {"id": case_id, "kind": "case", "locator": locator}
        self.unplaced = []
        if part_of:
            case["part_of"] = part_of
        if isinstance(p.get("age"), int):
            case["age"] = p["age"]
        sex = self.term("sex", "sex", p.get("sex"))
        if sex:
            case["sex"] = sex
        if p.get("follow_up_months") is not None:
            case["follow_up_months"] = p["follow_up_months"]
        history: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        ids: Counter[str] = Counter()

        def add(prefix: str, event: dict[str, Any]) -> dict[str, Any]:
            ids[prefix] += 1
            event_id = prefix if ids[prefix] == 1 else f"{prefix}-{ids[prefix]}"
            event = {"id": event_id, **event, "locator": locator}
            events.append(event)
            return event

        tumour = self.tumour(p, locator)
        if tumour:
            case["tumour"] = tumour
        for finding in p.get("presenting_findings") or []:
            for t in self.targets("presentation", "presenting_findings", finding):
                item = {"term": t.term, **self.mapped(t, "presenting_findings", finding)}
                if t.history:
                    history.append({**item, "note": f"as extracted: {finding}", "locator": locator})
                else:
                    lasted = stated_duration(str(finding))
                    add("presentation", {**item, **({"duration_months": lasted} if lasted else {}),
                                         "note": f"as extracted: {finding}"})  # fmt: skip
        for text in p.get("imaging") or []:
            name, _, _ = str(text).partition(":")
            looked_up = name if self.syn.lookup("imaging", name) is not None else text
            for t in self.targets("imaging", "imaging", looked_up):
                add(
                    "imaging", {"term": t.term, **self.mapped(t, "imaging", looked_up), "note": f"as extracted: {text}"}
                )
        diagnosis = p.get("initial_diagnosis")
        for t in self.targets("condition", "initial_diagnosis", diagnosis):
            add("initial-diagnosis", self.initial_diagnosis(p, t.term, self.mapped(t, "initial_diagnosis", diagnosis)))
        treatments = list(p.get("treatments") or [])
        if p.get("anticoagulated") and not any(t.get("kind") == "anticoagulation" for t in treatments):
            add("anticoagulation", {"term": "Anticoagulation", "note": "as extracted: anticoagulated"})
        surgery_id: str | None = None
        stated: list[tuple[dict[str, Any], str]] = []  # a treatment event and the sheet's words for it
        for t in treatments:
            for event in self.treatment(t):
                made = add(event_slug(event["term"]), event)
                stated.append((made, str(t.get("detail") or "")))
                if event["term"] == "SurgicalResection" and surgery_id is None:
                    surgery_id = made["id"]
        for o in p.get("outcomes") or []:
            self.outcome(o, add, events, surgery_id, locator)
        for event, detail in stated:
            reasons, follows = stated_links(detail, [e for e in events if e is not event])
            if reasons:
                event["reasons"] = reasons
            if follows:
                event["follows"] = follows
        if history:
            case["history"] = history
        if events:
            case["events"] = events
        if self.unplaced:
            case["note"] = "as extracted, recorded with no term: " + "; ".join(self.unplaced)
        return case

    def initial_diagnosis(self, p: dict[str, Any], condition: str, mapping: dict[str, Any]) -> dict[str, Any]:
        """The first diagnosis, with the status the sheet's words give it (none when they give none)."""
        event: dict[str, Any] = {"term": "InitialDiagnosis", "condition": condition}
        reading = read_status(p)
        note = f"as extracted: {p['initial_diagnosis']}"
        if reading.status:
            event["status"] = reading.status
            note += f"; status as the sheet words it: '{reading.words}'"
        else:
            self.miss(
                "initial_diagnosis", f"{p['initial_diagnosis']}: status not recorded, {reading.doubt}", "reviewed"
            )
        event.update(mapping)
        event["note"] = note
        return event

    def histology(self, p: dict[str, Any], field: str) -> dict[str, Any]:
        """The histology as printed and mapped; the sheets that name a vein are of venous leiomyosarcoma."""
        printed = p.get("histology")
        if not printed:
            return {"histology": "Leiomyosarcoma"} if field == "vein" else {}
        out: dict[str, Any] = {"histology_as_printed": str(printed)}
        for t in self.targets("histology", "histology", printed):
            mapping = self.mapped(t, "histology", printed).get("mapping")
            out = {"histology": t.term, **out, **({"histology_mapping": mapping} if mapping else {})}
        return out

    def tumour(self, p: dict[str, Any], locator: str) -> dict[str, Any] | None:
        field = "vein" if p.get("vein") or "vessel" not in p else "vessel"  # the third sheet: any vessel
        vessel = p.get(field)
        if not vessel:
            self.miss(field, "not stated for this patient: no tumour site recorded", "reviewed")
            return None
        site = self.site(field, vessel)
        if not site:
            return None
        side = self.term("laterality", "side", p.get("side"))
        if side:
            site["laterality"] = side
        tumour: dict[str, Any] = {**self.histology(p, field), "site": site}
        growth = self.term("growth", "growth", p.get("growth"))
        if growth:
            tumour["growth"] = growth
        if p.get("grade"):
            grade = self.term("grade", "grade", p["grade"])
            tumour["grade"] = {**(grade or {}), "as_printed": str(p["grade"])}
        size = p.get("tumour_size_cm")
        if size is not None:
            numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", str(size))]
            if numbers:
                tumour["size_cm"] = max(numbers)
            if not isinstance(size, int | float):  # the sheet's words; its field gives the unit
                tumour["size_as_printed"] = str(size)
        if p.get("ki67_percent") is not None:
            tumour["ki67_percent"] = {"value": p["ki67_percent"]}
        markers = []
        for key, result in (("ihc_positive", "Positive"), ("ihc_negative", "Negative")):
            for marker in p.get(key) or []:
                term = self.term("marker", key, marker)
                if term:
                    markers.append({"marker": term, "result": result})
        if markers:
            tumour["markers"] = markers
        tumour["locator"] = locator
        return tumour

    def treatment(self, t: dict[str, Any]) -> list[dict[str, Any]]:
        kind, detail = t.get("kind"), t.get("detail")
        entry = self.syn.lookup("treatment_detail", str(detail)) if detail else None
        if entry is None:
            entry = self.syn.lookup("treatment_kind", str(kind)) if kind != "other" else None
        if entry is None:
            self.miss("treatments", f"{kind}: {detail}")
            self.unplace("treatments", f"{kind}: {detail}", "no synonym yet")
            return []
        if entry.skip is not None:
            self.miss("treatments", f"{kind}: {detail} [{entry.skip}]", "reviewed")
            self.unplace("treatments", f"{kind}: {detail}", entry.skip)
            return []
        events = []
        for target in entry.targets:
            term = target.term
            event: dict[str, Any] = {
                "term": term,
                **self.mapped(target, "treatments", detail or kind),  # the sheet's own words for the treatment
                "note": f"as extracted: {kind}; {detail}" if detail else f"as extracted: {kind}",
            }
            agents = [self.term("agent", "treatments.agents", a) for a in t.get("agents") or []]
            if agents and term in ("SystemicTherapy", "TargetedTherapy", "Anticoagulation", "Thrombolysis"):
                event["agents"] = [a for a in agents if a]
            if term == "SystemicTherapy":
                for key in ("line", "cycles"):
                    if t.get(key):
                        event[key] = t[key]
            setting = self.term("setting", "treatments.setting", t.get("setting"))
            if setting and term not in ("Biopsy", "OtherSurgery", "SurgicalProcedure"):
                event["setting"] = setting
            events.append(event)
        if t.get("time_months") is not None:
            self.miss(
                "treatments.time_months", f"{t['time_months']} months ({detail}): reference point to curate", "reviewed"
            )
        return events

    def outcome(
        self, o: dict[str, Any], add: Any, events: list[dict[str, Any]], surgery_id: str | None, locator: str
    ) -> None:
        detail, kind = o.get("detail"), o.get("kind")
        # an 'other' or 'response' kind says nothing: the detail's words name the outcome
        field, words = ("outcomes.detail", detail) if detail and kind in _UNNAMED else ("outcomes.kind", kind)
        found = self.targets("outcome", field, words)
        if not found:
            return
        term = found[0].term
        base: dict[str, Any] = {"term": term, **self.mapped(found[0], field, words)}
        if detail:
            base["note"] = f"as extracted: {detail}"
        months = o.get("time_months")
        if months is not None:
            reference = self.syn.reference_point(str(detail or ""))
            if reference == "surgery" and surgery_id:
                base["at"] = {"months": months, "after": surgery_id}
            elif reference == "diagnosis":
                if not any(e["id"] == "diagnosis" for e in events):
                    events.insert(
                        0, {"id": "diagnosis", "term": "Diagnosis", "note": _FROM_DIAGNOSIS, "locator": locator}
                    )
                base["at"] = {"months": months, "after": "diagnosis"}
            elif reference == "surgery":
                self.miss(
                    "outcomes.time_months", f"{months} months ({detail}): the record has no resection", "reviewed"
                )
            else:
                self.miss("outcomes.time_months", f"{months} months ({detail}): no reference point stated", "reviewed")
        sites = [s.strip() for s in str(o.get("site") or "").split(",") if s.strip()]
        if not sites:
            add(event_slug(term), base)
            return
        for site in sites:
            where = self.site("outcomes.site", site)
            event = dict(base) if where is None else {**base, "site": where}
            add(f"{event_slug(term)}-{event_slug(where['term'] if where else site)}", event)


_UNNAMED = ("other", "response")
_FROM_DIAGNOSIS = "reference point for times stated from diagnosis"
