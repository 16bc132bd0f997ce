"""The W3C SPARQL 1.1 Protocol tests, run from their manifest against the read-only endpoint.

The manifest's remote kasei.us graphs are the local data files loaded under their IRIs; nothing
is fetched. Update tests pass when the update is refused with a 4xx.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, Namespace

from kg.store.disk import current_store_path, write_store
from kg.web.app import create_app
from kg.web.backend import Settings
from tests.conftest import PROJECT, ROOT

SUITE = ROOT.parent / "shared" / "reference" / "w3c-sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
RDF_TYPES = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")

pytestmark = pytest.mark.skipif(
    not (SUITE / "manifest.ttl").exists(), reason=f"the W3C suite is not beside the checkout ({SUITE})"
)


def _manifest() -> tuple[rdflib.Graph, list[Any]]:
    graph = rdflib.Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID=(SUITE / "manifest.ttl").as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = list(rdflib.collection.Collection(graph, graph.value(manifest, MF.entries)))  # type: ignore[arg-type]
    return graph, entries


def _tests() -> list[tuple[str, Any]]:
    if not (SUITE / "manifest.ttl").exists():
        return []
    _, entries = _manifest()
    return [(str(e).rsplit("#", 1)[-1], e) for e in entries]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    quads = []
    for n in (1, 2, 3):
        graph = ox.NamedNode(f"http://kasei.us/2009/09/sparql/data/data{n}.rdf")
        for t in ox.parse(path=str(SUITE / f"data{n}.nt"), format=ox.RdfFormat.N_TRIPLES):
            quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
    root = tmp_path_factory.mktemp("w3c")
    write_store(root, quads)
    app = create_app(Settings(current_store_path(root), PROJECT.queries, None, timeout=20))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with TestClient(app, raise_server_exceptions=False) as test_client:
            yield test_client


def _status_ok(status: int, expected: set[str]) -> bool:
    return f"StatusCode{status // 100}xx" in expected


@pytest.mark.parametrize(("name", "entry"), _tests(), ids=[t[0] for t in _tests()])
def test_protocol(client: Any, name: str, entry: Any) -> None:
    graph, _ = _manifest()
    action = graph.value(entry, MF.action)
    requests = list(rdflib.collection.Collection(graph, graph.value(action, HT.requests)))
    for i, request in enumerate(requests):
        method = str(graph.value(request, HT.methodName))
        path = str(graph.value(request, HT.absolutePath)).replace("/sparql/", "/sparql/", 1)
        headers = {}
        header_list = graph.value(request, HT.headers)
        if header_list is not None:
            for header in rdflib.collection.Collection(graph, header_list):
                headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
        body_node = graph.value(request, HT.body)
        body = b""
        if body_node is not None:
            encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
            body = str(graph.value(body_node, CNT.chars)).encode(encoding.lower().replace("utf-16", "utf-16"))
        response = client.request(method, path, content=body or None, headers=headers)
        expect = graph.value(request, HT.resp)
        statuses = {str(s).rsplit("#", 1)[-1] for s in graph.objects(expect, MF.expectedStatus)}
        if name.startswith("update_") and i == 0:
            # read-only endpoint: every update must be refused, with a 4xx and a message
            assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
            assert "read-only" in response.text
            return
        assert _status_ok(response.status_code, statuses), (name, response.status_code, response.text[:300])
        fmt = graph.value(expect, MF.expectedFormat)
        content_type = response.headers.get("content-type", "").split(";")[0]
        if fmt is not None and str(fmt) == "boolean":
            expected = graph.value(expect, MF.expectedBoolean)
            assert content_type in RESULT_TYPES[:2], content_type
            data = (
                json.loads(response.text)
                if content_type.endswith("json")
                else {"boolean": "<boolean>true" in response.text}
            )
            if expected is not None:
                assert data["boolean"] == (str(expected) == "true"), name
        elif fmt is not None and str(fmt) == "tabular":
            assert content_type in RESULT_TYPES, content_type
        elif fmt is not None and str(fmt) == "RDF":
            assert content_type in RDF_TYPES, content_type
            rdflib.Graph().parse(
                data=response.text,
                format={
                    "text/turtle": "turtle",
                    "application/ld+json": "json-ld",
                    "application/n-triples": "nt",
                    "application/rdf+xml": "xml",
                }[content_type],
            )


def test_every_manifest_entry_is_run() -> None:
    assert len(_tests()) == 34
