"""The faceted browser's questions: patient groups matching chosen facets (site through the
hierarchy, presentation, initial diagnosis, treatment and its setting, outcome, study design, year),
and for each facet how many of those groups - and patients - each value has, counted as
patients-per-site counts them (each patient once, a split series at its sub-groups' sites).
Values are ontology local names or a year, checked before they reach the query text, so a request
can never change a query's shape."""

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
    """A facet whose value is what a property path from the group, or from its series, reaches."""
    return Facet(name, label, f"?holder {path} ?v .", f"?holder {path} ?value .")


def _event_class(name: str, label: str, root: str) -> Facet:
    """A facet whose value is a class below `root` of one of the events of the group or its series;
    a group counts under every such class its events fall in, as choosing the class selects it."""
    return Facet(
        name,
        label,
        "?holder vskg:hasEvent/a/rdfs:subClassOf ?v .",
        f"?holder vskg:hasEvent/a/rdfs:subClassOf ?value . ?value rdfs:subClassOf vskg:{root} . "
        f"FILTER(?value != vskg:{root})",
    )


FACETS = (
    Facet("vessel", "vessel kind", "?group vskg:hasTumour/vskg:primarySite/a/rdfs:subClassOf ?v .",
          "?group vskg:hasTumour/vskg:primarySite/a/rdfs:subClassOf ?value . VALUES ?value { vskg:Artery vskg:Vein }"),
    Facet("histology", "histology", "?group vskg:hasTumour/vskg:histology ?v .",
          "?group vskg:hasTumour/vskg:histology ?value ."),
    Facet("site", "site", "?group vskg:hasTumour/vskg:primarySite/a/rdfs:subClassOf ?v .",
          "?group vskg:hasTumour/vskg:primarySite/a/rdfs:subClassOf ?value . "
          "?value rdfs:subClassOf vskg:AnatomicalSite . FILTER(?value != vskg:AnatomicalSite)"),
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
    "vessel": TermRange(VSKG + "BloodVessel"),
    "histology": TermRange(VSKG + "HistologicType", instances=True),
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
    """The groups a count of patients adds up: each with the patients none of its sub-groups holds
    (a series split by site is its sub-groups, at their sites), matching every chosen facet; a fact
    stated of a series holds for the groups it is split into (`?holder`)."""
    lines = [
        "  ?group vskg:countedPatients ?counted ; a ?kind .",
        "  VALUES ?kind { vskg:Case vskg:Cohort }",
        "  FILTER(?counted > 0)",
    ]
    for name, value in sorted(chosen.items()):
        term = value if name == "year" else f"<{VSKG}{value}>"
        match = BY_NAME[name].match.replace("?v", term)
        if "?holder" in match:
            match = "{ ?group vskg:partOf* ?holder . " + match + " }"
        lines.append("  " + match)
    return "\n".join(lines)


def groups_query(chosen: dict[str, str]) -> str:
    return (
        PREFIXES
        + "SELECT ?group ?label ?kind ?patients ?part_of ?source ?source_label ?locator WHERE {\n"
        + "  { SELECT DISTINCT ?group ?counted WHERE {\n"
        + _where(chosen)
        + "\n  } }\n"
        "  BIND(?counted AS ?patients)\n"
        "  ?group rdfs:label ?label ; vskg:locator ?locator ; vskg:reportedIn ?source .\n"
        "  ?source vskg:displayLabel ?source_label .\n"
        "  OPTIONAL { ?group vskg:partOf ?part_of }\n"
        '  BIND(IF(EXISTS { ?group a vskg:Case }, "case", "cohort") AS ?kind)\n'
        "} ORDER BY ?source_label ?group"
    )


def facet_query(facet: Facet, chosen: dict[str, str]) -> str:
    value = facet.value
    if "?holder" in value:
        value = "?group vskg:partOf* ?holder . " + value
    return (
        PREFIXES + "SELECT ?value (SAMPLE(?value_label) AS ?label) (COUNT(?group) AS ?groups)"
        " (SUM(?counted) AS ?patients)\n"
        "WHERE {\n  { SELECT DISTINCT ?value ?group ?counted WHERE {\n" + _where(chosen) + "\n  " + value + "\n  } }\n"
        "  OPTIONAL { ?value rdfs:label ?value_label }\n"
        "} GROUP BY ?value ORDER BY DESC(?groups) ?value"
    )  # fmt: skip
