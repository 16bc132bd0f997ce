"""A data IRI's RDF stands alone: the served Turtle, JSON-LD, TriG ... of a case, an event, a
tumour or a source is its whole concise bounded description, the same as `vskg describe` prints."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib

from kg.iris import DATA, PROV, VSKG
from kg.records.loading import load_file
from kg.web.app import create_app
from tests.conftest import PROJECT, ROOT
from tests.server_fixtures import app_settings

CASE = "aalaoui-2026-present-case"
SOURCE = "aalaoui-2026"


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(app_settings(built_store)), raise_server_exceptions=False) as c:
        yield c


def _described(store: Path, iri: str, fmt: str = "ttl") -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "describe", iri, "--format", fmt, "--store", str(store)],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    return done.stdout


def _turtle(client: Any, path: str) -> rdflib.Graph:
    answer = client.get(path, headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/turtle"), answer.text
    return rdflib.Graph().parse(data=answer.text, format="turtle")


def _u(iri: str) -> rdflib.URIRef:
    return rdflib.URIRef(iri)


def test_a_case_is_served_with_its_events_tumour_sites_and_provenance(client: Any) -> None:
    parsed = _turtle(client, f"/id/case/{CASE}")
    case = _u(f"{DATA}case/{CASE}")
    record = load_file(PROJECT.data / f"{SOURCE}.yaml")
    (group,) = [g for g in record.groups if g.id == CASE]
    assert len(group.events) >= 15
    for event in group.events:  # every event of the record, with its own statements and locator
        node = _u(f"{DATA}event/{CASE}-{event.id}")
        assert (case, _u(VSKG + "hasEvent"), node) in parsed, event.id
        assert (node, _u(VSKG + "locator"), rdflib.Literal(event.locator)) in parsed, event.id
        assert (node, _u(PROV + "wasDerivedFrom"), _u(f"{DATA}source/{SOURCE}")) in parsed, event.id
    tumour = parsed.value(case, _u(VSKG + "hasTumour"))
    assert tumour is not None and (tumour, _u(VSKG + "primarySite"), None) in parsed
    site = parsed.value(tumour, _u(VSKG + "primarySite"))
    assert (site, rdflib.RDF.type, _u(VSKG + "FemoralVein")) in parsed
    # the lesion responses of the dissociated response, the markers, and the times' reference event
    responses = set(parsed.subjects(rdflib.RDF.type, _u(VSKG + "LesionResponse")))
    assert len(responses) == 2 and all((r, _u(VSKG + "lesion"), None) in parsed for r in responses)
    assert len(set(parsed.subjects(rdflib.RDF.type, _u(VSKG + "MarkerResult")))) >= 3
    references = set(parsed.objects(None, _u(VSKG + "timeReference")))
    assert references and all((case, _u(VSKG + "hasEvent"), r) in parsed for r in references)
    assert (case, _u(VSKG + "locator"), None) in parsed and (case, _u(PROV + "wasDerivedFrom"), None) in parsed
    # the source stands on its own: linked, not described
    assert (_u(f"{DATA}source/{SOURCE}"), None, None) not in parsed


def test_the_served_description_is_what_vskg_describe_prints(client: Any, built_store: Path) -> None:
    for path in (f"case/{CASE}", f"event/{CASE}-resection", f"tumour/{CASE}", f"source/{SOURCE}"):
        served = client.get(f"/id/{path}", params={"format": "ttl"})
        assert served.content == _described(built_store, DATA + path), path
    trig = client.get(f"/id/case/{CASE}", headers={"Accept": "application/trig"})
    assert trig.content == _described(built_store, f"{DATA}case/{CASE}", "trig")


def test_the_json_ld_holds_the_same_triples(client: Any) -> None:
    turtle = _turtle(client, f"/id/case/{CASE}")
    answer = client.get(f"/id/case/{CASE}", headers={"Accept": "application/ld+json"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/ld+json")
    jsonld = rdflib.Graph().parse(data=answer.text, format="json-ld")
    assert len(turtle) > 250 and set(jsonld) == set(turtle)
    nt = rdflib.Graph().parse(data=client.get(f"/id/case/{CASE}", params={"format": "nt"}).text, format="nt")
    assert set(nt) == set(turtle)
    quads = rdflib.Dataset().parse(data=client.get(f"/id/case/{CASE}?format=nq").text, format="nquads")
    assert {g.identifier for g in quads.graphs() if len(g)} == {_u(f"https://w3id.org/vskg/graph/{SOURCE}")}


def test_a_source_gives_its_citation_and_supplements_and_links_its_groups(client: Any) -> None:
    parsed = _turtle(client, "/id/source/cephalic-2007")
    source = _u(f"{DATA}source/cephalic-2007")
    assert (source, _u("http://purl.org/dc/terms/title"), None) in parsed
    supplement = _u(f"{DATA}citation-supplement/cephalic-2007-1")
    assert (supplement, _u(VSKG + "supplements"), source) in parsed
    assert (supplement, _u(VSKG + "locator"), None) in parsed and (
        supplement,
        _u(VSKG + "suppliedField"),
        None,
    ) in parsed
    case = _u(f"{DATA}case/cephalic-2007-case")
    assert (case, _u(VSKG + "reportedIn"), source) in parsed  # its group, linked
    assert (case, _u(VSKG + "hasEvent"), None) not in parsed  # but described on its own page
    seed = _turtle(client, f"/id/source/{SOURCE}")
    entries = set(seed.subjects(rdflib.RDF.type, _u(VSKG + "ReferenceEntry")))
    assert (
        len(entries) == 12 and (_u(f"{DATA}case/{CASE}"), _u(VSKG + "reportedIn"), _u(f"{DATA}source/{SOURCE}")) in seed
    )
    assert (_u(f"{DATA}case/{CASE}"), _u(VSKG + "hasEvent"), None) not in seed
