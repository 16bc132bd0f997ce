"""Namespaces and the IRI scheme: every IRI is derived from curated ids, never from order."""

from __future__ import annotations

import re

VSKG = "https://w3id.org/vskg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/vskg/ontology"
DATA = "https://w3id.org/vskg/id/"
GRAPH = "https://w3id.org/vskg/graph/"
ONTOLOGY_GRAPH = GRAPH + "ontology"
INFERRED_GRAPH = GRAPH + "inferred"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
OBO = "http://purl.obolibrary.org/obo/"
BIBO = "http://purl.org/ontology/bibo/"
DC = "http://purl.org/dc/elements/1.1/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
SCHEMA = "https://schema.org/"

PREFIXES: dict[str, str] = {
    "vskg": VSKG,
    "id": DATA,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "obo": OBO,
    "bibo": BIBO,
    "dc": DC,
    "prism": PRISM,
    "schema": SCHEMA,
}

# Prefixes written into dumps: data IRIs stay whole there, as `id:case\/x` is legal but unreadable.
EXPORT_PREFIXES: dict[str, str] = {k: ns for k, ns in PREFIXES.items() if k != "id"}

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def term(name: str) -> str:
    """IRI of an ontology term from its local name."""
    return VSKG + name


def data_iri(kind: str, slug: str) -> str:
    return f"{DATA}{kind}/{slug}"


def graph_iri(source_id: str) -> str:
    return GRAPH + source_id


def expand(curie_or_iri: str) -> str:
    """Expand `prefix:local` with the known prefixes; `<iri>` and plain IRIs pass through."""
    text = curie_or_iri.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return text


def compact(iri: str) -> str:
    """Shortest `prefix:local` form of an IRI, or the IRI itself."""
    best = iri
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            candidate = f"{prefix}:{iri[len(ns) :]}"
            if len(candidate) < len(best):
                best = candidate
    return best
