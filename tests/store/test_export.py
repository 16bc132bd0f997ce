"""Dumps re-parse with rdflib into the store's graph, and two builds give byte-identical files."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from kg import KnowledgeGraph, build
from kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH
from kg.store.dumps import DUMP_FORMATS, ONTOLOGY_ARTEFACTS
from kg.store.interop import to_rdflib_graph
from kg.store.results import QueryResult
from tests.conftest import PROJECT

RDFLIB_FORMAT = {"ttl": "turtle", "trig": "trig", "nt": "nt", "nq": "nquads", "jsonld": "json-ld"}


@pytest.fixture(scope="module")
def dumps(graph: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dumps")
    graph.export(out)
    return out


@pytest.mark.parametrize("fmt", sorted(DUMP_FORMATS))
def test_dump_reparses_isomorphic(graph: KnowledgeGraph, dumps: Path, fmt: str) -> None:
    file, _ = DUMP_FORMATS[fmt]
    expected = to_rdflib_graph(graph.quads())
    if fmt in ("trig", "nq", "jsonld"):
        ds = rdflib.Dataset()
        ds.parse(dumps / file, format=RDFLIB_FORMAT[fmt])
        names = {str(g.identifier) for g in ds.graphs() if len(g)}
        assert names == set(graph.graphs())
        for name in graph.graphs():
            assert isomorphic(ds.graph(rdflib.URIRef(name)), to_rdflib_graph(graph.quads(name))), name
    else:
        parsed = rdflib.Graph().parse(dumps / file, format=RDFLIB_FORMAT[fmt])
        assert isomorphic(parsed, expected)


def test_ontology_artefacts_carry_header(graph: KnowledgeGraph, dumps: Path) -> None:
    expected = to_rdflib_graph(graph.quads(ONTOLOGY_GRAPH))
    formats = {".owl": "xml", ".ttl": "turtle", ".jsonld": "json-ld"}
    for file in ONTOLOGY_ARTEFACTS:
        parsed = rdflib.Graph().parse(dumps / file, format=formats[Path(file).suffix])
        assert isomorphic(parsed, expected), file
        onto = rdflib.URIRef("https://w3id.org/vskg/ontology")
        assert parsed.value(onto, rdflib.OWL.versionIRI) is not None
        assert parsed.value(onto, rdflib.DCTERMS.license) is not None
        assert parsed.value(onto, rdflib.DCTERMS.title) is not None


def test_two_builds_give_byte_identical_dumps(tmp_path: Path) -> None:
    outputs = []
    for i in range(2):
        g = build(PROJECT.data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, validate=False)
        out = tmp_path / f"run{i}"
        g.export(out, created="2026-12-01T00:00:00Z")
        outputs.append({str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys()
    cases = [p for p in outputs[0] if p.startswith("phenopackets/") and not p.startswith("phenopackets/cohorts/")]
    cohorts = [p for p in outputs[0] if p.startswith("phenopackets/cohorts/")]
    counted = g.sparql("SELECT (COUNT(?c) AS ?n) WHERE { ?c a vskg:Case }")
    assert isinstance(counted, QueryResult)
    # one phenopacket per case the graph holds, whatever the corpus size
    assert len(cases) == int(counted.records()[0]["n"] or 0) > 0 and 0 < len(cohorts) < len(cases)
    assert len(outputs[0]) == len(DUMP_FORMATS) + len(ONTOLOGY_ARTEFACTS) + 1 + len(cases) + len(cohorts)
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], name


def test_one_named_graph_per_source_plus_ontology_and_inferences(graph: KnowledgeGraph) -> None:
    sources = sorted(p.stem for p in PROJECT.data.glob("*.yaml"))
    expected = sorted([ONTOLOGY_GRAPH, INFERRED_GRAPH] + [f"https://w3id.org/vskg/graph/{s}" for s in sources])
    assert graph.graphs() == expected
