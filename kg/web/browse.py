"""The faceted browser's questions: patient groups matching chosen facets (site through the
hierarchy, presentation, initial diagnosis, treatment and its setting, outcome, study design, year),
and for each facet how many of those groups each value has. Values are ontology local names or a
year, checked before they reach the query text, so a request can never change a query's shape."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.iris import VSKG
from kg.query.terms import TermRange

TERM = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,80}$")
PREFIXES = "PREFIX vskg: <https://w3id.org/vskg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    match: str  # pattern a chosen value ?v must satisfy for ?group
    value: str  # pattern binding ?value for each matching ?group (counts)


def _linked(name: str, label: str, path: str) -> Facet:
    """A facet whose value is what a property path from the group reaches."""
    return Facet(name, label, f"?group {path} ?v .", f"?group {path} ?value .")


def _event_class(name: str, label: str, root: str) -> Facet:
    """A facet whose value is the class of one of the group's events, below `root`."""
    return Facet(
        name,
        label,
        "?group vskg:hasEvent/a/rdfs:subClassOf ?v .",
        f"?group vskg:hasEvent/a ?value . ?value rdfs:subClassOf vskg:{root} .",
    )


FACETS = (
    Facet("site", "site", "?group vskg:hasTumour/vskg:primarySite/a/rdfs:subClassOf ?v .",
          "?group vskg:hasTumour/vskg:primarySite/a ?value ."),
    _event_class("presentation", "presentation", "Presentation"),
    _linked("diagnosis", "initial diagnosis", "vskg:hasEvent/vskg:diagnosedCondition"),
    _linked("diagnosis_status", "initial diagnosis held as", "vskg:hasEvent/vskg:diagnosisStatus"),
    _event_class("treatment", "treatment", "CancerTreatment"),
    _linked("setting", "treatment setting", "vskg:hasEvent/vskg:setting"),
    _event_class("outcome", "outcome", "Outcome"),
    _linked("design", "study design", "vskg:reportedIn/vskg:studyDesign"),
    _linked("year", "year", "vskg:reportedIn/vskg:publicationYear"),
)  # fmt: skip
BY_NAME = {f.name: f for f in FACETS}
# the terms each facet takes, checked against the ontology before a choice reaches a query
FACET_TERMS = {
    "site": TermRange(VSKG + "AnatomicalSite"),
    "presentation": TermRange(VSKG + "Presentation"),
    "diagnosis": TermRange(VSKG + "Condition", instances=True),
    "diagnosis_status": TermRange(VSKG + "DiagnosisStatus", instances=True),
    "treatment": TermRange(VSKG + "CancerTreatment"),
    "setting": TermRange(VSKG + "Setting", instances=True),
    "outcome": TermRange(VSKG + "Outcome"),
    "design": TermRange(VSKG + "StudyDesign", instances=True),
}


class BadFacet(ValueError):
    pass


def selection(params: dict[str, str]) -> dict[str, str]:
    """The chosen facets, checked: a term's local name, or a year."""
    chosen = {}
    for name, value in params.items():
        if name not in BY_NAME or not value:
            continue
        if name == "year" and not re.fullmatch(r"\d{4}", value):
            raise BadFacet(f"year must be four digits, not {value!r}")
        if name != "year" and not TERM.match(value.removeprefix("vskg:")):
            raise BadFacet(f"{name} must be an ontology term such as FemoralVein, not {value!r}")
        chosen[name] = value.removeprefix("vskg:")
    return chosen


def _where(chosen: dict[str, str]) -> str:
    lines = [
        "  { ?group a vskg:Case } UNION { ?group a vskg:Cohort }",
        "  FILTER NOT EXISTS { ?group vskg:partOf ?parent }",
    ]
    for name, value in sorted(chosen.items()):
        term = value if name == "year" else f"<{VSKG}{value}>"
        lines.append("  " + BY_NAME[name].match.replace("?v", term))
    return "\n".join(lines)


def groups_query(chosen: dict[str, str]) -> str:
    return (
        PREFIXES
        + "SELECT ?group ?label ?kind ?patients ?source ?source_label ?locator WHERE {\n"
        + _where(chosen)
        + "\n"
        "  ?group rdfs:label ?label ; vskg:patientCount ?patients ; vskg:locator ?locator ; vskg:reportedIn ?source .\n"
        "  ?source vskg:displayLabel ?source_label .\n"
        '  BIND(IF(EXISTS { ?group a vskg:Case }, "case", "cohort") AS ?kind)\n'
        "} ORDER BY ?source_label ?group"
    )


def facet_query(facet: Facet, chosen: dict[str, str]) -> str:
    return (
        PREFIXES + "SELECT ?value (SAMPLE(?value_label) AS ?label) (COUNT(DISTINCT ?group) AS ?groups) WHERE {\n"
        + _where(chosen) + "\n  " + facet.value + "\n"
        "  OPTIONAL { ?value rdfs:label ?value_label }\n"
        "} GROUP BY ?value ORDER BY DESC(?groups) ?value"
    )  # fmt: skip
