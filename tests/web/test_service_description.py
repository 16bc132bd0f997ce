"""SPARQL 1.1 Service Description: the W3C manifest's three checks against GET /sparql."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
from rdflib import RDF, Namespace

from kg.store.disk import current_store_path
from kg.web.app import create_app
from kg.web.backend import Settings
from tests.conftest import PROJECT, ROOT

MANIFEST = ROOT.parent / "shared" / "reference" / "w3c-sparql11-service-description" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")


def _entries() -> list[str]:
    if not MANIFEST.exists():
        return []
    graph = rdflib.Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    return [str(e).rsplit("#", 1)[-1] for e in rdflib.collection.Collection(graph, graph.value(manifest, MF.entries))]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def description(built_store: Path) -> Iterator[tuple[Any, rdflib.Graph, str]]:
    from fastapi.testclient import TestClient

    app = create_app(Settings(current_store_path(built_store), PROJECT.queries, None))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/sparql", headers={"Accept": "text/turtle"})
        yield response, rdflib.Graph().parse(data=response.text, format="turtle"), "http://testserver/sparql"


@pytest.mark.skipif(not MANIFEST.exists(), reason="the W3C service description suite is not beside the checkout")
@pytest.mark.parametrize("entry", _entries())
def test_service_description(description: tuple[Any, rdflib.Graph, str], entry: str) -> None:
    response, graph, endpoint = description
    service = rdflib.URIRef(endpoint)
    if entry == "returns-rdf":
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
        assert len(graph) > 10
    elif entry == "has-endpoint-triple":
        assert (service, SD.endpoint, service) in graph
    elif entry == "conforms-to-schema":
        assert (service, RDF.type, SD.Service) in graph
        assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
        assert len(list(graph.objects(service, SD.resultFormat))) >= 4
        dataset = graph.value(service, SD.defaultDataset)
        assert (dataset, RDF.type, SD.Dataset) in graph
        names = {str(graph.value(n, SD.name)) for n in graph.objects(dataset, SD.namedGraph)}
        assert "https://w3id.org/vskg/graph/aalaoui-2026" in names
        default = graph.value(dataset, SD.defaultGraph)
        assert int(str(graph.value(default, VOID.triples))) > 1000
    else:
        pytest.fail(f"unknown manifest entry {entry}")


def test_browsers_are_sent_to_the_query_page(built_store: Path) -> None:
    from fastapi.testclient import TestClient

    app = create_app(Settings(current_store_path(built_store), PROJECT.queries, None))
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/sparql", headers={"Accept": "text/html"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/query"
