"""Terms over HTTP: a misspelled one is a 400 problem naming the parameter and the closest valid
names, on the stored queries and the browser's filters; every spelling of a valid one gives the
same answer; the pages print IRIs one can paste; the vocabulary page is served and linked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.iris import DATA, VSKG
from kg.web.app import create_app
from kg.web.browse import FACET_TERMS, FACETS
from tests.conftest import PROJECT
from tests.server_fixtures import app_settings

FEMORAL = "/queries/femoral-recurrence-after-surgery-alone"
SPELLINGS = ["FemoralVein", "vskg:FemoralVein", VSKG + "FemoralVein", f"<{VSKG}FemoralVein>"]


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(app_settings(built_store)), raise_server_exceptions=False) as c:
        yield c


def _problem(answer: Any, parameter: str) -> dict[str, Any]:
    assert answer.status_code == 400 and answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["status"] == 400 and body["parameter"] == parameter and body["detail"].count(parameter) >= 1
    return body


def test_a_misspelled_site_is_a_problem_with_suggestions(client: Any) -> None:
    for accept in ("text/csv", "application/sparql-results+json"):
        answer = client.get(FEMORAL, params={"site": "vskg:Femoralvein"}, headers={"Accept": accept})
        body = _problem(answer, "site")
        assert body["given"] == "vskg:Femoralvein" and body["suggestions"][0] == "vskg:FemoralVein"
        assert "an anatomical site" in body["expected"] and "Hong" not in answer.text
    hostile = client.get("/queries/groups-at-site", params={"site": "vskg:Vein> } UNION { ?s ?p ?o"})
    assert "is not an IRI" in _problem(hostile, "site")["detail"]
    case = client.get("/queries/case-timeline", params={"case": "case:aalaoui-2026-present-cas"})
    assert _problem(case, "case")["suggestions"][0] == "case:aalaoui-2026-present-case"


def test_every_spelling_of_a_site_gives_the_same_answer(client: Any) -> None:
    expected = client.get(FEMORAL, params={"format": "csv"}).text
    assert "hong-2016-table-1" in expected
    for given in SPELLINGS:
        answer = client.get(FEMORAL, params={"site": given, "format": "csv"})
        assert (answer.status_code, answer.text) == (200, expected), given
    case = client.get("/queries/case-timeline", params={"case": "aalaoui-2026-present-case", "format": "csv"})
    assert case.status_code == 200 and case.text == client.get("/queries/case-timeline?format=csv").text


def test_the_parameters_say_which_terms_they_take(client: Any) -> None:
    listed = {q["name"]: q for q in client.get("/queries").json()}
    assert listed["groups-at-site"]["params"][0]["subclass_of"] == VSKG + "AnatomicalSite"
    assert listed["table-1"]["params"][0]["instance_of"] == VSKG + "Source"
    spec = client.get("/openapi.json").json()
    (site,) = spec["paths"]["/queries/groups-at-site"]["get"]["parameters"][:1]
    assert "subclass of vskg:AnatomicalSite" in site["description"]


def test_a_misspelled_browse_filter_is_a_problem_with_suggestions(client: Any) -> None:
    for name, given, suggested in (
        ("site", "Femoralvein", "vskg:FemoralVein"),
        ("design", "CaseReprt", "vskg:CaseReport"),
        ("outcome", "vskg:LocalRecurence", "vskg:LocalRecurrence"),
    ):
        answer = client.get("/browse/data", params={name: given})
        assert _problem(answer, name)["suggestions"][0] == suggested, name


def test_every_spelling_of_a_browse_filter_gives_the_same_groups(client: Any) -> None:
    expected = client.get("/browse/data", params={"site": "FemoralVein"}).json()
    assert expected["groups"] and expected["chosen"] == {"site": "FemoralVein"}
    for given in SPELLINGS:
        answer = client.get("/browse/data", params={"site": given}).json()
        assert (answer["chosen"], answer["groups"]) == (expected["chosen"], expected["groups"]), given


def test_every_value_a_facet_offers_is_a_term_it_takes(client: Any) -> None:
    assert set(FACET_TERMS) == {f.name for f in FACETS} - {"year"}
    offered = client.get("/browse/data").json()["facets"]
    for name in FACET_TERMS:
        assert offered[name]["values"], name
        for value in offered[name]["values"]:
            answer = client.get("/browse/data", params={name: value["value"]})
            assert answer.status_code == 200, (name, value, answer.text)


def test_pages_print_iris_as_sparql_and_declare_the_prefixes(client: Any) -> None:
    page = client.get("/id/case/hong-2016-table-1", headers={"Accept": "text/html"}).text
    assert '<code class="sparql-name">case:hong-2016-table-1</code>' in page
    assert ">&lt;https://w3id.org/vskg/graph/aalaoui-2026&gt;</a>" in page  # no prefix fits: the whole <IRI>
    query_page = client.get("/query").text
    assert (
        "<code>case:</code>" in query_page
        and "<code>cohort:</code>" in query_page
        and "<code>id:</code>" not in query_page
    )
    asked = client.get("/sparql", params={"query": "SELECT ?n WHERE { case:hong-2016-table-1 vskg:patientCount ?n }"})
    assert asked.status_code == 200 and asked.json()["results"]["bindings"][0]["n"]["value"] == "1"


def test_the_vocabulary_page_is_served_and_linked_from_the_landing_page(client: Any) -> None:
    assert 'href="/vocabulary"' in client.get("/").text
    page = client.get("/vocabulary")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for term in ("hasTumour", "primarySite", "patientCount", "partOf", "ageYears", "FemoralVein", "Adjuvant"):
        assert f'<tr id="{term}">' in page.text, term
    documented = (PROJECT.root / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    assert page.text.count("<tr id=") == documented.count('<a id="')  # the same terms as docs/vocabulary.md
    assert DATA not in page.text.split("<h2>Paths")[1].split("<h2>Classes")[0]  # the paths use the prefixes
