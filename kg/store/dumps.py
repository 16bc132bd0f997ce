"""Dumps of the graph and the ontology's release artefacts, byte-identical for the same data."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError
from kg.iris import EXPORT_PREFIXES, ONTOLOGY_GRAPH

DUMP_FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    "ttl": ("vskg.ttl", ox.RdfFormat.TURTLE),
    "trig": ("vskg.trig", ox.RdfFormat.TRIG),
    "nt": ("vskg.nt", ox.RdfFormat.N_TRIPLES),
    "nq": ("vskg.nq", ox.RdfFormat.N_QUADS),
    "jsonld": ("vskg.jsonld", ox.RdfFormat.JSON_LD),
}
ONTOLOGY_ARTEFACTS: dict[str, ox.RdfFormat] = {
    "vskg-ontology.owl": ox.RdfFormat.RDF_XML,
    "vskg-ontology.ttl": ox.RdfFormat.TURTLE,
    "vskg-ontology.jsonld": ox.RdfFormat.JSON_LD,
}
FORMATS = (*DUMP_FORMATS, "owl")


def sorted_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def sorted_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    unique = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return sorted(unique, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _write(path: Path, data: list[ox.Quad] | list[ox.Triple], fmt: ox.RdfFormat) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    ox.serialize(data, str(tmp), fmt, prefixes=EXPORT_PREFIXES)
    tmp.replace(path)
    return path


def export(quads: Iterable[ox.Quad], out_dir: Path, *, formats: list[str] | None = None) -> list[Path]:
    """Write the requested dumps of these quads (default: all) into out_dir; returns the files written."""
    chosen = list(formats or FORMATS)
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise KGError(f"unknown export format(s) {', '.join(unknown)}; valid: {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    ordered = sorted_quads(quads)
    written: list[Path] = []
    for name in chosen:
        if name == "owl":
            onto = [q for q in ordered if q.graph_name == ox.NamedNode(ONTOLOGY_GRAPH)]
            for file, fmt in ONTOLOGY_ARTEFACTS.items():
                written.append(_write(out_dir / file, sorted_triples(onto), fmt))
            continue
        file, fmt = DUMP_FORMATS[name]
        data: list[ox.Quad] | list[ox.Triple] = ordered if fmt.supports_datasets else sorted_triples(ordered)
        written.append(_write(out_dir / file, data, fmt))
    return written
