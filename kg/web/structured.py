"""schema.org JSON-LD for the server's pages, so that dataset search engines and link unfurlers
read what a page describes: the dataset on the landing page, and each source, case or cohort."""

from __future__ import annotations

import json
from typing import Any

from kg.iris import BIBO, DATA, DCTERMS, OWL, RDFS, VSKG
from kg.store.results import QueryResult

# schema.org's terms, written out so that any JSON-LD processor reads the page without fetching a context
CONTEXT = {
    "@vocab": "https://schema.org/",
    **{name: {"@type": "@id"} for name in ("url", "sameAs", "contentUrl", "license", "additionalType")},
}
NAME = "vskg: vascular sarcoma evidence graph"
DESCRIPTION = (
    "Curated facts on vascular sarcoma (venous leiomyosarcoma and arterial sarcomas) from case reports, series "
    "and trials, as RDF under an OWL ontology; every fact traces back to the publication and the table row or "
    "paragraph it came from."
)


WHO = {"Case": "one patient", "Cohort": "a patient cohort"}
ARTICLE_FIELDS = (  # schema.org property, and the graph's property it is read from
    ("headline", DCTERMS + "title"),
    ("author", VSKG + "authorsAsPrinted"),
    ("datePublished", DCTERMS + "issued"),
    ("citation", DCTERMS + "bibliographicCitation"),
    ("identifier", BIBO + "doi"),
)


def script(data: dict[str, Any]) -> str:
    """The JSON-LD as a script element; '</' is escaped so the JSON cannot end the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def dataset(
    base: str, version: str | None, licence: str | None, downloads: list[tuple[str, str]], works: QueryResult
) -> dict[str, Any]:
    """The whole graph as a schema:Dataset with its dumps as downloads and the works it cites."""
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": f"{base}/",
        "name": NAME,
        "description": DESCRIPTION,
        "url": f"{base}/",
        "creator": {"@type": "Organization", "name": "vskg", "url": f"{base}/"},
        "isAccessibleForFree": True,
        "keywords": [
            "leiomyosarcoma",
            "intimal sarcoma",
            "angiosarcoma",
            "vein",
            "artery",
            "case reports",
            "knowledge graph",
            "linked data",
        ],
        "distribution": [
            {"@type": "DataDownload", "name": name, "contentUrl": f"{base}/dumps/{name}", "encodingFormat": media}
            for name, media in downloads
        ],
        "citation": [
            {"@type": "ScholarlyArticle", "@id": str(r["doi"]), "name": str(r["title"])}
            for r in works.records()
            if r["doi"] and r["title"]
        ],
    }
    if version:
        data["version"] = version
    if licence:
        data["license"] = licence
    return data


def item(iri: str, title: str, types: set[str], facts: dict[str, list[str]], base: str) -> dict[str, Any] | None:
    """A source as a schema:ScholarlyArticle; a case or cohort as the small dataset its record is."""
    page = base + "/id/" + iri[len(DATA) :] if iri.startswith(DATA) else iri
    if VSKG + "Source" in types:
        article: dict[str, Any] = {
            "@context": CONTEXT,
            "@type": "ScholarlyArticle",
            "@id": iri,
            "url": page,
            "name": title,
        }
        for key, predicate in ARTICLE_FIELDS:
            if facts.get(predicate):
                article[key] = facts[predicate][0]
        same = facts.get(OWL + "sameAs", []) + facts.get(RDFS + "seeAlso", [])
        if same:
            article["sameAs"] = same
        return article
    kind = "Case" if VSKG + "Case" in types else "Cohort" if VSKG + "Cohort" in types else None
    if kind is None:
        return None
    record: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": iri,
        "url": page,
        "name": title,
        "additionalType": VSKG + kind,
        "description": f"Curated record of {WHO[kind]} with a vascular sarcoma, with the publication it rests on.",
        "isPartOf": {"@type": "Dataset", "@id": f"{base}/", "name": NAME},
    }
    sources = facts.get(VSKG + "reportedIn", [])
    if sources:
        record["isBasedOn"] = [{"@type": "ScholarlyArticle", "@id": s} for s in sources]
    return record
