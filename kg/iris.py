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

# The kinds of data IRI (`{DATA}{kind}/{slug}`). Each is also a prefix holding the slash-free slug,
# so `case:hong-2016-table-1` is valid SPARQL where `id:case/hong-2016-table-1` is not.
DATA_KINDS = (
    "case",
    "cohort",
    "source",
    "event",
    "tumour",
    "site",
    "citation",
    "citation-supplement",
    "claim",
    "caveat",
    "group-link",
    "history",
    "lesion-response",
    "marker-result",
    "reading-limit",
    "reference-entry",
)
DATA_PREFIXES: dict[str, str] = {kind: f"{DATA}{kind}/" for kind in DATA_KINDS}

_BASE_PREFIXES: dict[str, str] = {
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

# Predeclared in every SPARQL text a user writes (CLI, API, server): the vocabularies and the data
# kinds, the same prefixes the output prints. `id:` is still read (`id:case/x` as a parameter value)
# but never printed: a prefixed name cannot hold the slash.
PREFIXES: dict[str, str] = {**_BASE_PREFIXES, **DATA_PREFIXES}

# Prefixes written into dumps: data IRIs stay whole there.
EXPORT_PREFIXES: dict[str, str] = {k: ns for k, ns in _BASE_PREFIXES.items() if k != "id"}

# Prefixes output is printed with: everything predeclared except `id:`.
PRINTED_PREFIXES: dict[str, str] = {k: ns for k, ns in PREFIXES.items() if k != "id"}

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


# A conservative subset of SPARQL's and Turtle's PN_LOCAL: no escapes needed, no trailing dot.
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


def compact(iri: str, *, brackets: bool = True) -> str:
    """The IRI as one pastes it into SPARQL: the shortest `prefix:local` whose local part needs no
    escape, else `<iri>` (or, with `brackets=False`, the bare IRI, for CURIE columns)."""
    best = None
    for prefix, ns in PRINTED_PREFIXES.items():
        local = iri[len(ns) :]
        if iri.startswith(ns) and _LOCAL.match(local):
            candidate = f"{prefix}:{local}"
            if best is None or len(candidate) < len(best):
                best = candidate
    if best is not None:
        return best
    return f"<{iri}>" if brackets else iri
