"""The HTTP server through its public interface: protocol, stored queries, linked data, limits."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib

from kg import KnowledgeGraph
from kg.store.results import QueryResult, result_from_json
from kg.web.app import create_app
from tests.conftest import PROJECT
from tests.server_fixtures import app_settings

JSON_RESULTS = "application/sparql-results+json"

FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
HONG = "https://w3id.org/vskg/id/case/hong-2016-table-1"


def _client(store: Path, **limits: Any) -> Any:
    from fastapi.testclient import TestClient

    settings = app_settings(store, **limits)
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[Any]:
    with _client(built_store) as c:
        yield c


def _no_leak(text: str) -> None:
    assert "Traceback" not in text and "/work/" not in text and 'File "' not in text, text


def test_select_ask_construct_in_every_format(client: Any) -> None:
    checks: list[tuple[str, Callable[[str], bool]]]
    select = "SELECT ?s WHERE { ?s a <https://w3id.org/vskg/ontology#Case> } ORDER BY ?s LIMIT 3"
    checks = [
        ("application/sparql-results+json", lambda t: len(json.loads(t)["results"]["bindings"]) == 3),
        ("application/sparql-results+xml", lambda t: t.count("<result>") == 3),
        ("text/csv", lambda t: len(t.strip().splitlines()) == 4),
        ("text/tab-separated-values", lambda t: t.startswith("?s\n")),
    ]
    for accept, check in checks:
        r = client.get("/sparql", params={"query": select}, headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith(accept) and check(r.text), accept
    construct = f"CONSTRUCT {{ <{HONG}> ?p ?o }} WHERE {{ <{HONG}> ?p ?o }}"
    for media, fmt in FORMATS.items():
        r = client.post(
            "/sparql", content=construct, headers={"Content-Type": "application/sparql-query", "Accept": media}
        )
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
        assert len(rdflib.Graph().parse(data=r.text, format=fmt)) > 5
    r = client.post("/sparql", data={"query": construct}, headers={"Accept": "application/trig"})
    assert r.headers["content-type"].startswith("application/trig")


def test_negotiation_with_q_values_and_format_override(client: Any) -> None:
    q = {"query": "SELECT (1 AS ?x) {}"}
    r = client.get("/sparql", params=q, headers={"Accept": "text/csv;q=0.4, application/sparql-results+xml;q=0.9"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    r = client.get("/sparql", params={**q, "format": "tsv"}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    r = client.get("/sparql", params=q, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "available" in r.text
    r = client.get("/sparql", params=q, headers={"Origin": "https://example.org"})
    assert r.headers.get("access-control-allow-origin") == "*"


def test_dataset_parameters_select_graphs(client: Any) -> None:
    ask = "ASK { ?c a <https://w3id.org/vskg/ontology#Case> }"
    r = client.get("/sparql", params={"query": ask, "default-graph-uri": "https://w3id.org/vskg/graph/hong-2016"})
    assert json.loads(r.text)["boolean"] is False  # Hong's case is stated in the seed's graph
    r = client.get("/sparql", params={"query": ask, "default-graph-uri": "https://w3id.org/vskg/graph/aalaoui-2026"})
    assert json.loads(r.text)["boolean"] is True


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "words"),
    [
        ("POST", {"data": {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 403, "read-only"),
        (
            "POST",
            {"content": "LOAD <http://example.org/x>", "headers": {"Content-Type": "application/sparql-update"}},
            403,
            "read-only",
        ),
        ("GET", {"params": {"update": "CLEAR ALL"}}, 403, "read-only"),
        (
            "GET",
            {"params": {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}},
            403,
            "never fetches",
        ),
        (
            "GET",
            {"params": {"query": "select * { SeRvIcE SILENT <http://example.org/> { ?s ?p ?o } }"}},
            403,
            "never fetches",
        ),
        ("GET", {"params": {"query": "LOAD <http://example.org/x>"}}, 400, "cannot be evaluated"),
        ("GET", {"params": {"query": "SELECT WHERE {"}}, 400, "cannot be evaluated"),
        ("PUT", {"content": "x"}, 405, "GET and POST"),
        ("POST", {"content": "ASK {}", "headers": {"Content-Type": "text/plain"}}, 415, "Content-Type"),
    ],
)
def test_refusals_are_4xx_with_a_message(
    client: Any, method: str, kwargs: dict[str, Any], status: int, words: str
) -> None:
    r = client.request(method, "/sparql", **kwargs)
    assert r.status_code == status and words in r.text, (r.status_code, r.text)
    _no_leak(r.text)


def test_the_endpoint_is_documented_and_names_the_methods_it_answers(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]["/sparql"]) == {"get", "post"}
    for method in ("PUT", "DELETE", "PATCH", "HEAD"):
        for path in ("/sparql", "/sparql/"):
            r = client.request(method, path)
            assert r.status_code == 405 and r.headers["allow"] == "GET, POST", (method, path)


def test_the_endpoint_answers_under_a_mount_point(built_store: Path) -> None:
    from fastapi.testclient import TestClient
    from starlette.applications import Starlette
    from starlette.routing import Mount

    app = create_app(app_settings(built_store))
    try:
        with TestClient(Starlette(routes=[Mount("/vskg", app=app)])) as c:
            asked = c.get("/vskg/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON_RESULTS})
            assert asked.status_code == 200 and json.loads(asked.text)["boolean"] is True
            assert c.get("/vskg/sparql", params={"query": "ASK {"}).status_code == 400
            # the answer cache and its ETags hold under the mount point too
            tag = asked.headers["etag"]
            headers = {"Accept": JSON_RESULTS, "If-None-Match": tag}
            again = c.get("/vskg/sparql", params={"query": "ASK {}"}, headers=headers)
            assert again.status_code == 304 and again.headers["etag"] == tag
    finally:
        for stop in app.router.on_shutdown:  # a mounted app's lifespan is not run
            stop()


def test_predeclared_prefixes_reach_every_query(client: Any) -> None:
    # only the predeclared prefixes a text names are handed to the engine: a name that is the start
    # of another (citation, citation-supplement) and a prefix the text declares itself both hold
    text = (
        "PREFIX vskg: <https://w3id.org/vskg/ontology#>\n"
        "SELECT ?label WHERE { case:hong-2016-table-1 a vskg:Case ; rdfs:label ?label }"
    )
    r = client.get("/sparql", params={"query": text, "format": "csv"})
    assert r.status_code == 200 and len(r.text.strip().splitlines()) == 2, r.text
    from kg.iris import PREFIXES

    both = "SELECT ?a ?b WHERE { BIND(citation-supplement:x AS ?a) BIND(citation:y AS ?b) }"
    r = client.get("/sparql", params={"query": both}, headers={"Accept": "application/sparql-results+json"})
    row = json.loads(r.text)["results"]["bindings"][0]
    assert row["a"]["value"] == PREFIXES["citation-supplement"] + "x"
    assert row["b"]["value"] == PREFIXES["citation"] + "y"


def test_from_a_remote_graph_is_answered_locally(client: Any) -> None:
    r = client.get("/sparql", params={"query": "SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }"})
    assert r.status_code == 200 and json.loads(r.text)["results"]["bindings"] == []


def test_timeout_result_limit_and_request_size(built_store: Path) -> None:
    with _client(built_store, timeout=1.0, max_results=5, max_request_bytes=2000) as c:
        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        r = c.get("/sparql", params={"query": runaway})
        assert r.status_code == 503 and "longer than 1 s" in r.text
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200  # a fresh worker answers
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert r.status_code == 422 and "more than 5 rows" in r.text
        r = c.post("/sparql", content="ASK {} #" + "x" * 5000, headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 413
        for response in (r,):
            _no_leak(response.text)


def test_every_stored_query_over_rest_equals_the_python_api(client: Any, graph: KnowledgeGraph) -> None:
    listed = client.get("/queries").json()
    assert {q["name"] for q in listed} == {q.name for q in graph.stored_queries(include_qc=True)}
    for stored in graph.stored_queries():
        r = client.get(f"/queries/{stored.name}", headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, (stored.name, r.text)
        result = result_from_json(json.loads(r.text))
        assert isinstance(result, QueryResult)
        assert [tuple(map(str, row)) for row in result.rows] == [
            tuple(map(str, row)) for row in graph.query(stored.name).rows
        ], stored.name
        for fmt, media in [
            ("csv", "text/csv"),
            ("tsv", "text/tab-separated-values"),
            ("xml", "application/sparql-results+xml"),
        ]:
            assert (
                client.get(f"/queries/{stored.name}", params={"format": fmt}).headers["content-type"].startswith(media)
            )


def test_stored_query_parameters_are_typed(client: Any) -> None:
    r = client.get("/queries/groups-at-site", params={"site": "vskg:InferiorVenaCava", "format": "csv"})
    assert "Hines et al. (1999)" in r.text and "Sheaffer et al. (2019)" in r.text
    for hostile in ("vskg:Vein> } UNION { ?s ?p ?o", "<https://x> . ?a ?b ?c", "not an iri"):
        r = client.get("/queries/groups-at-site", params={"site": hostile})
        assert r.status_code == 400 and "is not an IRI" in r.text
    r = client.get("/queries/table-1", params={"table": 'Table 1" } UNION { ?r ?p ?o } #', "format": "csv"})
    assert r.status_code == 200 and len(r.text.strip().splitlines()) == 1
    spec = client.get("/openapi.json").json()
    params = {p["name"] for p in spec["paths"]["/queries/groups-at-site"]["get"]["parameters"]}
    assert params == {"site", "format"}
    assert client.get("/docs").status_code == 200


def test_dereferencing_data_iris_and_terms(client: Any) -> None:
    for media, fmt in FORMATS.items():
        r = client.get("/id/case/hong-2016-table-1", headers={"Accept": media})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
        parsed = rdflib.Graph().parse(data=r.text, format=fmt)
        assert (
            rdflib.URIRef(HONG),
            rdflib.URIRef("https://w3id.org/vskg/ontology#locator"),
            rdflib.Literal("Table 1, row 4"),
        ) in parsed
        assert 'rel="alternate"' in r.headers["link"]
    html = client.get("/id/case/hong-2016-table-1", headers={"Accept": "text/html"}).text
    assert "Table 1, row 4" in html and 'href="/id/source/aalaoui-2026"' in html and 'href="/ontology/Case"' in html
    assert (
        client.get("/id/case/hong-2016-table-1", params={"format": "ttl"})
        .headers["content-type"]
        .startswith("text/turtle")
    )
    term = client.get("/ontology/FemoralVein", headers={"Accept": "text/html"}).text
    assert "femoral vein" in term and 'href="/ontology/LowerLimbVein"' in term
    whole = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert len(rdflib.Graph().parse(data=whole.text, format="turtle")) > 500
    assert 'id="FemoralVein"' in client.get("/ontology", headers={"Accept": "text/html"}).text


@pytest.mark.parametrize(
    "path",
    [
        "/id/case/nobody",
        "/id/../../etc/passwd",
        "/id/%2e%2e/%2e%2e/etc/passwd",
        "/id/case/..%2F..%2Fsecret",
        "/dumps/..%2F..%2Fetc%2Fpasswd",
        "/dumps/../store/CURRENT",
        "/dumps/%2e%2e",
        "/ontology/..%2Fsecret",
        "/static/../x",
    ],
)
def test_unknown_and_traversal_paths_are_404(client: Any, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404, (path, r.status_code)
    _no_leak(r.text)


def test_dumps_and_void(client: Any, graph: KnowledgeGraph) -> None:
    listing = client.get("/dumps", headers={"Accept": "application/json"}).json()
    names = {d["name"] for d in listing}
    assert {"vskg.ttl", "vskg.trig", "vskg.nq", "vskg.jsonld", "vskg-ontology.owl"} <= names
    r = client.get("/dumps/vskg.nq")
    assert r.headers["content-type"].startswith("application/n-quads") and len(r.text.splitlines()) == len(graph)
    void = rdflib.Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    v = rdflib.Namespace("http://rdfs.org/ns/void#")
    dataset = next(void.subjects(rdflib.RDF.type, v.Dataset))
    assert int(str(void.value(dataset, v.triples))) == len(graph)
    assert void.value(dataset, rdflib.DCTERMS.license) is not None
    assert void.value(dataset, rdflib.OWL.versionInfo) is not None
    assert len(list(void.objects(dataset, v.dataDump))) == len(names)
    assert len(list(void.objects(dataset, rdflib.DCTERMS.source))) == len(list(PROJECT.data.glob("*.yaml")))


def test_pages(client: Any, graph: KnowledgeGraph) -> None:
    home = client.get("/").text
    patients = str(graph.query("patients-per-site").records()[-1]["patients"])
    assert "patients" in home and patients in home and "/query?example=femoral-recurrence-after-surgery-alone" in home
    page = client.get("/query").text
    assert 'data-name="femoral-recurrence-after-surgery-alone"' in page and "<textarea" in page
    assert client.get("/queries", headers={"Accept": "text/html"}).text.count("/query?example=") >= 20
