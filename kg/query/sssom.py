"""The ontology's alignments as an SSSOM mapping set (TSV with its metadata block), predicates
exactly as in the ontology: skos:exactMatch, skos:closeMatch, skos:broadMatch."""

from __future__ import annotations

from pathlib import Path

from kg.iris import ONTOLOGY_GRAPH, VSKG
from kg.store.embedded import Store
from kg.store.results import QueryResult

CURIES = {
    "vskg": VSKG,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "semapv": "https://w3id.org/semapv/vocab/",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "UBERON": "http://purl.obolibrary.org/obo/UBERON_",
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "MAXO": "http://purl.obolibrary.org/obo/MAXO_",
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "ECO": "http://purl.obolibrary.org/obo/ECO_",
    "SEPIO": "http://purl.obolibrary.org/obo/SEPIO_",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "HGNC": "http://identifiers.org/hgnc/",
}
COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification", "comment")
MATCHES = f"""
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?subject ?label ?predicate ?object WHERE {{
  GRAPH <{ONTOLOGY_GRAPH}> {{
    VALUES ?predicate {{ skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }}
    ?subject ?predicate ?object .
    OPTIONAL {{ ?subject rdfs:label ?label }}
  }}
}} ORDER BY ?subject ?predicate ?object"""


def curie(iri: str) -> str:
    for prefix, base in sorted(CURIES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base) :]}"
    raise ValueError(f"no CURIE prefix for {iri}; add its namespace to kg.query.sssom.CURIES")


def sssom_tsv(graph: Store, *, version: str) -> str:
    result = graph.sparql(MATCHES)
    assert isinstance(result, QueryResult)
    used = {"vskg", "skos", "semapv"}
    lines = []
    for r in result.records():
        subject, predicate, obj = curie(str(r["subject"])), curie(str(r["predicate"])), curie(str(r["object"]))
        used.add(obj.split(":")[0])
        cells = [subject, str(r["label"] or ""), predicate, obj, "semapv:ManualMappingCuration",
                 "checked in the ontology's own files: shared/reference lists, docs/ontology.md"]  # fmt: skip
        lines.append("\t".join(cells))
    header = [
        "#curie_map:",
        *(f"#  {p}: {CURIES[p]}" for p in sorted(used)),
        f"#mapping_set_id: https://w3id.org/vskg/mappings/{version}/vskg.sssom.tsv",
        f"#mapping_set_version: {version}",
        "#mapping_set_title: vskg ontology alignments",
        "#license: https://creativecommons.org/licenses/by/4.0/",
        "#subject_source: https://w3id.org/vskg/ontology",
    ]
    return "\n".join([*header, "\t".join(COLUMNS), *lines]) + "\n"


def write_sssom(graph: Store, out_dir: Path, *, version: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "vskg.sssom.tsv"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(sssom_tsv(graph, version=version), encoding="utf-8")
    tmp.replace(path)
    return path
