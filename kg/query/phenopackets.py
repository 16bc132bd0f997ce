"""Cases as GA4GH Phenopackets (schema v2, protobuf JSON) and each source's cases as a Cohort.

Only what the graph states goes in. A term is written with the external code it is aligned to by
an exact match (MONDO, UBERON, HPO, MAxO, NCIt, ChEBI, HGNC), otherwise with its vskg CURIE, which
the metaData lists as a resource; close matches are not promoted to codes. Things a phenopacket
cannot say are left out and listed in the README: times relative to an event ("9 months after the
resection"), the line of a systemic therapy, a curator's caveat. The age the source gives is the
age at presentation; the schema's only place for it is the disease's onset.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import pyoxigraph as ox

from kg.iris import DATA, VSKG
from kg.store.results import QueryResult


class Sparql(Protocol):
    """Anything that answers SPARQL: a store, a KnowledgeGraph, or the server's query workers."""

    def sparql(self, text: str) -> QueryResult | bool | list[ox.Triple]: ...


SCHEMA_VERSION = "2.0"
PREFER = {  # which ontologies a field's codes come from, in order
    "disease": ("MONDO", "NCIT", "DOID"),
    "site": ("UBERON", "NCIT"),
    "phenotype": ("HP",),
    "procedure": ("MAXO", "NCIT"),
    "agent": ("CHEBI",),
    "gene": ("HGNC",),
}
RESOURCES = {  # prefix -> (name, IRI prefix, home page)
    "MONDO": (
        "Mondo Disease Ontology",
        "http://purl.obolibrary.org/obo/MONDO_",
        "http://purl.obolibrary.org/obo/mondo.owl",
    ),
    "NCIT": ("NCI Thesaurus", "http://purl.obolibrary.org/obo/NCIT_", "http://purl.obolibrary.org/obo/ncit.owl"),
    "DOID": (
        "Human Disease Ontology",
        "http://purl.obolibrary.org/obo/DOID_",
        "http://purl.obolibrary.org/obo/doid.owl",
    ),
    "UBERON": ("Uberon", "http://purl.obolibrary.org/obo/UBERON_", "http://purl.obolibrary.org/obo/uberon.owl"),
    "HP": ("Human Phenotype Ontology", "http://purl.obolibrary.org/obo/HP_", "http://purl.obolibrary.org/obo/hp.owl"),
    "MAXO": (
        "Medical Action Ontology",
        "http://purl.obolibrary.org/obo/MAXO_",
        "http://purl.obolibrary.org/obo/maxo.owl",
    ),
    "CHEBI": ("ChEBI", "http://purl.obolibrary.org/obo/CHEBI_", "http://purl.obolibrary.org/obo/chebi.owl"),
    "HGNC": ("HUGO Gene Nomenclature", "http://identifiers.org/hgnc/", "https://www.genenames.org"),
    "vskg": ("vskg ontology", VSKG, "https://w3id.org/vskg/ontology"),
    "UCUM": ("Unified Code for Units of Measure", "http://unitsofmeasure.org/", "http://unitsofmeasure.org"),
}
PREFIXES = "PREFIX vskg: <https://w3id.org/vskg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
CASES = (
    PREFIXES
    + """PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?case ?source ?source_label ?locator ?age ?sex ?doi ?pmid WHERE {
  ?case a vskg:Case ; vskg:reportedIn ?source ; vskg:locator ?locator .
  ?source vskg:displayLabel ?source_label .
  OPTIONAL { ?case vskg:ageYears ?age } OPTIONAL { ?case vskg:sex ?sex }
  OPTIONAL { ?source vskg:doi ?doi } OPTIONAL { ?source vskg:pmid ?pmid }
} ORDER BY ?case"""
)
TUMOURS = (
    PREFIXES
    + """SELECT ?case ?histology ?site ?laterality ?grade ?system ?ki67 ?size WHERE {
  ?case a vskg:Case ; vskg:hasTumour ?t .
  OPTIONAL { ?t vskg:histology ?histology } OPTIONAL { ?t vskg:primarySite ?s . ?s a ?site
    OPTIONAL { ?s vskg:laterality ?laterality } }
  OPTIONAL { ?t vskg:gradeValue ?grade } OPTIONAL { ?t vskg:gradingSystem ?system }
  OPTIONAL { ?t vskg:proliferationIndexPercent ?ki67 } OPTIONAL { ?t vskg:sizeCm ?size }
} ORDER BY ?case"""
)
MARKERS = (
    PREFIXES
    + """SELECT ?case ?marker ?result WHERE {
  ?case a vskg:Case ; vskg:hasTumour/vskg:hasMarkerResult ?m . ?m vskg:marker ?marker ; vskg:stainResult ?result .
} ORDER BY ?case ?marker"""
)
EVENTS = (
    PREFIXES
    + """SELECT ?case ?event ?class ?root ?position ?site ?setting ?agent ?excluded WHERE {
  ?case a vskg:Case ; vskg:hasEvent ?event . ?event a ?class ; vskg:timelinePosition ?position .
  FILTER(STRSTARTS(STR(?class), STR(vskg:)))
  OPTIONAL { VALUES ?root { vskg:Presentation vskg:SurgicalProcedure vskg:NonSurgicalCancerTreatment
                            vskg:Anticoagulation } ?class rdfs:subClassOf ?root }
  OPTIONAL { ?event vskg:eventSite/a ?site } OPTIONAL { ?event vskg:setting ?setting }
  OPTIONAL { ?event vskg:agent ?agent }
  BIND(IF(EXISTS { ?event vskg:exposure vskg:NoPatients }, "yes", "no") AS ?excluded)
} ORDER BY ?case ?position"""
)
RESPONSES = (
    PREFIXES
    + """SELECT ?case ?therapy ?lesion ?lesion_class ?trend WHERE {
  ?case a vskg:Case ; vskg:hasEvent ?assessment . ?assessment vskg:follows ?therapy ; vskg:hasLesionResponse ?r .
  ?r vskg:lesion ?lesion ; vskg:trend ?trend . ?lesion a ?lesion_class .
  FILTER(STRSTARTS(STR(?lesion_class), STR(vskg:)))
} ORDER BY ?case ?lesion"""
)
TERMS = (
    PREFIXES
    + """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?term ?label ?exact WHERE {
  ?term rdfs:label ?label . FILTER(STRSTARTS(STR(?term), STR(vskg:)))
  OPTIONAL { ?term skos:exactMatch ?exact }
} ORDER BY ?term ?exact"""
)


@dataclass
class Terms:
    """vskg terms with their labels and exact external codes, as phenopacket OntologyClasses."""

    labels: dict[str, str] = field(default_factory=dict)
    exact: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    used: set[str] = field(default_factory=set)

    def oc(self, iri: str, kind: str | None = None) -> dict[str, str]:
        local = iri.removeprefix(VSKG)
        label = self.labels.get(iri, local)
        for prefix in PREFER.get(kind or "", ()):
            for code in self.exact.get(iri, []):
                curie = _curie(code)
                if curie and curie.startswith(prefix + ":"):
                    self.used.add(prefix)
                    return {"id": curie, "label": label}
        self.used.add("vskg")
        return {"id": f"vskg:{local}", "label": label}


def _curie(iri: str) -> str | None:
    for prefix, (_, base, _) in RESOURCES.items():
        if iri.startswith(base) and prefix != "vskg":
            return f"{prefix}:{iri[len(base) :]}"
    return None


def rows(graph: Sparql, text: str) -> list[dict[str, str | None]]:
    result = graph.sparql(text)
    assert isinstance(result, QueryResult)
    return result.records()


def read_terms(graph: Sparql) -> Terms:
    """The graph's vskg terms: the same for every case, so a server reads them once per build."""
    terms = Terms()
    for r in rows(graph, TERMS):
        term = str(r["term"])
        terms.labels[term] = str(r["label"])
        if r["exact"]:
            terms.exact[term].append(str(r["exact"]))
    return terms


def phenopackets(
    graph: Sparql, *, created: str, case: str | None = None, known_terms: Terms | None = None
) -> dict[str, dict[str, Any]]:
    """One phenopacket per case, by case id; `created` is the metaData timestamp (passed in, so two
    exports of the same graph are identical). `case` (a case id) asks for that case alone: the
    queries are bound to it rather than run over every case. `known_terms`: the graph's
    `read_terms`, when the caller already has them."""
    if case is not None and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", case):
        return {}

    def bound(text: str) -> str:
        if case is None:
            return text
        return text.replace("WHERE {", f"WHERE {{ VALUES ?case {{ <{DATA}case/{case}> }}", 1)

    terms = replace(known_terms or read_terms(graph), used=set())  # `used` is this call's own
    by_case: dict[str, dict[str, list[dict[str, str | None]]]] = defaultdict(lambda: defaultdict(list))
    for name, text in (("tumour", TUMOURS), ("markers", MARKERS), ("events", EVENTS), ("responses", RESPONSES)):
        for r in rows(graph, bound(text)):
            by_case[str(r["case"])][name].append(r)
    packets = {}
    for row in rows(graph, bound(CASES)):
        iri = str(row["case"])
        terms.used = set()
        packet = _packet(iri, row, by_case[iri], terms)
        packet["metaData"] = _meta(iri, row, terms.used | {"vskg"}, created)
        packets[iri.removeprefix(DATA + "case/")] = packet
    return packets


def _packet(
    iri: str, case: dict[str, str | None], facts: dict[str, list[dict[str, str | None]]], terms: Terms
) -> dict[str, Any]:
    cid = iri.removeprefix(DATA + "case/")
    subject: dict[str, Any] = {"id": cid}
    if case["sex"]:
        subject["sex"] = {"Female": "FEMALE", "Male": "MALE"}.get(str(case["sex"]).removeprefix(VSKG), "UNKNOWN_SEX")
    packet: dict[str, Any] = {"id": cid, "subject": subject}
    tumour = facts["tumour"][0] if facts["tumour"] else None
    if tumour and tumour["histology"]:
        disease: dict[str, Any] = {"term": terms.oc(str(tumour["histology"]), "disease")}
        if tumour["site"]:
            disease["primarySite"] = terms.oc(str(tumour["site"]), "site")
        if tumour["laterality"]:
            disease["laterality"] = terms.oc(str(tumour["laterality"]))
        if case["age"]:
            disease["onset"] = {"age": {"iso8601duration": f"P{case['age']}Y"}}
        packet["diseases"] = [disease]
    features, actions = _events(facts["events"], facts["responses"], terms)
    if features:
        packet["phenotypicFeatures"] = features
    measurements = []
    if tumour and tumour["ki67"]:
        measurements.append(
            _quantity(terms.oc(VSKG + "proliferationIndexPercent"), float(str(tumour["ki67"])), "%", "percent")
        )
    if tumour and tumour["size"]:
        measurements.append(_quantity(terms.oc(VSKG + "sizeCm"), float(str(tumour["size"])), "cm", "centimetre"))
    if measurements:
        terms.used.add("UCUM")
        packet["measurements"] = measurements
    if tumour and tumour["histology"]:
        packet["biosamples"] = [_biosample(cid, tumour, facts["markers"], terms)]
    if actions:
        packet["medicalActions"] = actions
    return packet


def _quantity(assay: dict[str, str], value: float, unit: str, unit_label: str) -> dict[str, Any]:
    return {
        "assay": assay,
        "value": {"quantity": {"unit": {"id": f"UCUM:{unit}", "label": unit_label}, "value": value}},
    }


def _biosample(
    cid: str, tumour: dict[str, str | None], markers: list[dict[str, str | None]], terms: Terms
) -> dict[str, Any]:
    sample: dict[str, Any] = {"id": f"{cid}-tumour", "individualId": cid}
    if tumour["site"]:
        sample["sampledTissue"] = terms.oc(str(tumour["site"]), "site")
    sample["histologicalDiagnosis"] = terms.oc(str(tumour["histology"]), "disease")
    if tumour["grade"] == "2":  # NCIT:C28078 "Grade 2" is the one grade with a checked code
        terms.used.add("NCIT")
        sample["tumorGrade"] = {"id": "NCIT:C28078", "label": "Grade 2"}
    if markers:
        sample["measurements"] = [
            {"assay": terms.oc(str(m["marker"]), "gene"), "value": {"ontologyClass": terms.oc(str(m["result"]))}}
            for m in markers
        ]
    return sample


def _events(
    events: list[dict[str, str | None]], responses: list[dict[str, str | None]], terms: Terms
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    features: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    agents: dict[str, list[str]] = defaultdict(list)
    for e in events:
        if e["agent"]:
            agents[str(e["event"])].append(str(e["agent"]))
    seen: set[str] = set()
    for e in events:
        event, cls = str(e["event"]), str(e["class"])
        if event in seen:
            continue
        seen.add(event)
        kind = str(e["root"] or "").removeprefix(VSKG)
        if kind == "Presentation":
            feature: dict[str, Any] = {"type": terms.oc(cls, "phenotype")}
            if e["excluded"] == "yes":
                feature["excluded"] = True
            features.append(feature)
        elif kind in ("SurgicalProcedure", "NonSurgicalCancerTreatment", "Anticoagulation"):
            action: dict[str, Any] = {}
            if agents.get(event):
                action["treatment"] = {"agent": terms.oc(agents[event][0], "agent")}
            else:
                procedure: dict[str, Any] = {"code": terms.oc(cls, "procedure")}
                if e["site"]:
                    procedure["bodySite"] = terms.oc(str(e["site"]), "site")
                action["procedure"] = procedure
            if e["setting"] and not str(e["setting"]).endswith("SettingNotStated"):
                action["treatmentIntent"] = terms.oc(str(e["setting"]))
            lesions = [r for r in responses if r["therapy"] == event]
            if lesions:  # one action per lesion, so a dissociated response stays two facts
                for r in lesions:
                    per_lesion = dict(action)
                    per_lesion["treatmentTarget"] = terms.oc(str(r["lesion_class"]))
                    per_lesion["responseToTreatment"] = terms.oc(str(r["trend"]))
                    actions.append(per_lesion)
            else:
                actions.append(action)
    return features, actions


def _meta(iri: str, case: dict[str, str | None], used: set[str], created: str) -> dict[str, Any]:
    references = [{"id": f"vskg:{iri.removeprefix(DATA)}", "reference": iri, "description": "the vskg case"}]
    source = str(case["source"])
    where = f"{case['source_label']}: {case['locator']}"
    if case["doi"]:
        references.append(
            {"id": f"DOI:{case['doi']}", "reference": f"https://doi.org/{case['doi']}", "description": where}
        )
    elif case["pmid"]:
        references.append(
            {
                "id": f"PMID:{case['pmid']}",
                "reference": f"https://pubmed.ncbi.nlm.nih.gov/{case['pmid']}/",
                "description": where,
            }
        )
    else:
        references.append({"id": f"vskg:{source.removeprefix(DATA)}", "reference": source, "description": where})
    return {
        "created": created,
        "createdBy": "vskg",
        "resources": [
            {
                "id": p.lower(),
                "name": RESOURCES[p][0],
                "url": RESOURCES[p][2],
                "namespacePrefix": p,
                "iriPrefix": RESOURCES[p][1],
            }
            for p in sorted(used)
        ],
        "phenopacketSchemaVersion": SCHEMA_VERSION,
        "externalReferences": references,
    }
