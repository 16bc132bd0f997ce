"""A citable release: `dist/` described as an RO-Crate (ro-crate-metadata.json, RO-Crate 1.1), each
file with its media type, licence, version and SHA-256, and the sources as the works it cites; plus
the redirect rules w3id.org expects for `https://w3id.org/vskg/`, pointing at a configurable host."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

CONTEXT = "https://w3id.org/ro/crate/1.1/context"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
MEDIA = {
    ".ttl": "text/turtle",
    ".trig": "application/trig",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".jsonld": "application/ld+json",
    ".owl": "application/rdf+xml",
    ".json": "application/json",
    ".tsv": "text/tab-separated-values",
    ".html": "text/html",
    ".htaccess": "text/plain",
}
ABOUT = {
    "vskg.ttl": "The whole graph as Turtle (triples of every named graph)",
    "vskg.trig": "The whole graph as TriG, one named graph per source",
    "vskg.nt": "The whole graph as N-Triples",
    "vskg.nq": "The whole graph as N-Quads",
    "vskg.jsonld": "The whole graph as JSON-LD",
    "vskg-ontology.owl": "The ontology release (RDF/XML)",
    "vskg-ontology.ttl": "The ontology release (Turtle)",
    "vskg-ontology.jsonld": "The ontology release (JSON-LD)",
    "vskg.sssom.tsv": "The ontology's alignments as an SSSOM mapping set",
    "void.ttl": "VoID and DCAT description of the dataset",
    "report/report.html": "The HTML report",
    "w3id/.htaccess": "Redirect rules for https://w3id.org/vskg/",
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def crate_metadata(
    root: Path, files: list[Path], *, version: str, works: list[tuple[str, str]], created: str
) -> dict[str, Any]:
    """The RO-Crate metadata of `root` listing `files` (paths inside root) and the cited works."""
    parts: list[dict[str, Any]] = []
    for path in sorted(files):
        name = path.relative_to(root).as_posix()
        about = ABOUT.get(name) or (
            "A GA4GH Cohort: the phenopackets of one source's cases" if name.startswith("phenopackets/cohorts/")
            else "A GA4GH Phenopacket of one case" if name.startswith("phenopackets/") else name
        )  # fmt: skip
        parts.append({
            "@id": name, "@type": "File", "name": name, "description": about,
            "encodingFormat": MEDIA.get(path.suffix or path.name, "application/octet-stream"),
            "contentSize": str(path.stat().st_size), "sha256": _sha256(path), "license": {"@id": LICENCE},
            "version": version,
        })  # fmt: skip
    cited = [{"@id": iri, "@type": "ScholarlyArticle", "name": title} for iri, title in works]
    root_entity = {
        "@id": "./",
        "@type": "Dataset",
        "name": "vskg: vascular sarcoma evidence graph",
        "description": "Curated evidence on vascular sarcoma (primary venous leiomyosarcoma and the sarcomas of "
        "the great arteries): the graph, its ontology, phenopackets of the cases, the alignments and the report, "
        "each traceable to the publication it comes from.",
        "datePublished": created,
        "version": version,
        "license": {"@id": LICENCE},
        "hasPart": [{"@id": p["@id"]} for p in parts],
        "citation": [{"@id": c["@id"]} for c in cited],
    }
    descriptor = {
        "@id": "ro-crate-metadata.json",
        "@type": "CreativeWork",
        "conformsTo": {"@id": "https://w3id.org/ro/crate/1.1"},
        "about": {"@id": "./"},
    }
    licence = {"@id": LICENCE, "@type": "CreativeWork", "name": "CC BY 4.0"}
    return {"@context": CONTEXT, "@graph": [descriptor, root_entity, licence, *parts, *cited]}


def write_crate(root: Path, files: list[Path], *, version: str, works: list[tuple[str, str]], created: str) -> Path:
    path = root / "ro-crate-metadata.json"
    data = crate_metadata(root, files, version=version, works=works, created=created)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def w3id_rules(host: str) -> str:
    """Apache rules for w3id.org/vskg: every IRI of the namespace to the server that answers it."""
    host = host.rstrip("/")
    return "\n".join([
        "# Redirects for https://w3id.org/vskg/ (https://github.com/perma-id/w3id.org), written by `vskg release`.",
        "# The server answers HTML or RDF by the Accept header, so the rules only send each IRI to it.",
        "Options +FollowSymLinks",
        "RewriteEngine on",
        f"RewriteRule ^ontology(/[0-9.]+)?$ {host}/ontology [R=303,L]",
        f"RewriteRule ^id/(.+)$ {host}/id/$1 [R=303,L]",
        f"RewriteRule ^graph/ontology$ {host}/ontology [R=303,L]",
        f"RewriteRule ^graph/(.+)$ {host}/id/source/$1 [R=303,L]",
        f"RewriteRule ^$ {host}/ [R=303,L]",
        "",
    ])  # fmt: skip
