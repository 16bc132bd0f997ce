"""A browser opening /queries/NAME gets the query's page (summary, description, a form of its
parameters, the result table with linked, pasteable IRIs, links to the same answer as CSV or JSON);
every other client keeps the machine formats, their ETags and the answer cache."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from kg.query.catalog import load_catalog
from kg.web.app import create_app
from tests.conftest import PROJECT
from tests.server_fixtures import app_settings

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
FEMORAL = "/queries/femoral-recurrence-after-surgery-alone"


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(app_settings(built_store)), raise_server_exceptions=False) as c:
        yield c


class Page(HTMLParser):
    """The parts of a query page a test reads: the result table's cells (text and link of each),
    the form's fields, and every link."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str | None]]] = []
        self.fields: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self._in_table = self._in_cell = False
        self._href: str | None = None
        self._text = ""
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and found.get("id") == "result-table":
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag == "td":
            self._in_cell, self._text, self._href = True, "", None
        elif tag == "a":
            self._href = found.get("href")
            self._text = "" if not self._in_cell else self._text
        elif tag in ("input", "select") and found.get("name"):
            self.fields[str(found["name"])] = str(found.get("value") or "")

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        elif tag == "td" and self._in_cell:
            self.rows[-1].append((self._text, self._href))
            self._in_cell = False
        elif tag == "a" and self._href is not None and not self._in_cell:
            self.links[self._text.strip()] = self._href


def _html(client: Any, path: str, **params: str) -> tuple[int, Page, str]:
    answer = client.get(path, params=params, headers={"Accept": BROWSER})
    assert answer.headers["content-type"].startswith("text/html"), answer.text[:300]
    return answer.status_code, Page(answer.text), answer.text


def test_a_browser_gets_the_query_page_with_its_result_table(client: Any) -> None:
    status, page, text = _html(client, FEMORAL)
    stored = load_catalog(PROJECT.queries)["femoral-recurrence-after-surgery-alone"]
    assert status == 200 and escape(stored.summary) in text and escape(stored.description) in text
    assert page.fields == {"site": "vskg:FemoralVein"}  # the parameters as a form, with the default
    machine = list(csv.reader(io.StringIO(client.get(FEMORAL, headers={"Accept": "text/csv"}).text)))
    body = page.rows[1:]  # the heading row has no cells
    assert len(body) == len(machine) - 1 == 2
    cells = {text: href for row in body for text, href in row}
    assert cells["case:hong-2016-table-1"] == "/id/case/hong-2016-table-1"  # pasteable, linked
    assert cells["source:hong-2016"] == "/id/source/hong-2016"
    assert cells["femoral vein"] is None  # the case's own site, by its label
    assert cells["Hong et al. (2016)"] is None and not any(t.startswith("id:") for t in cells)
    csv_link = page.links["CSV"]
    assert csv_link == f"{FEMORAL}?format=csv"
    assert client.get(csv_link).text == client.get(FEMORAL, headers={"Accept": "text/csv"}).text
    assert json.loads(client.get(page.links["JSON"]).text)["head"]["vars"] == machine[0]


def test_the_form_is_answered_by_the_same_page(client: Any) -> None:
    status, page, _ = _html(client, "/queries/groups-at-site", site="InferiorVenaCava")
    assert status == 200 and page.fields["site"] == "InferiorVenaCava"
    rows = client.get("/queries/groups-at-site", params={"site": "vskg:InferiorVenaCava", "format": "json"}).json()
    assert len(page.rows) - 1 == len(rows["results"]["bindings"]) > 10
    assert page.links["CSV"] == "/queries/groups-at-site?site=InferiorVenaCava&format=csv"
    default = load_catalog(PROJECT.queries)["groups-at-site"].param("site").default
    assert _html(client, "/queries/groups-at-site", format="html")[1].fields["site"] == default


def test_a_misspelled_term_shows_the_suggestion_on_the_page(client: Any) -> None:
    status, page, text = _html(client, FEMORAL, site="vskg:Femoralvein")
    assert status == 400 and "Femoralvein" in text and page.rows == []
    assert page.links["vskg:FemoralVein"] == f"{FEMORAL}?site=vskg%3AFemoralVein"
    assert _html(client, page.links["vskg:FemoralVein"])[0] == 200
    problem = client.get(FEMORAL, params={"site": "vskg:Femoralvein"})  # other clients: the problem document
    assert problem.status_code == 400 and problem.headers["content-type"] == "application/problem+json"


def test_machine_formats_and_caching_are_unchanged(client: Any) -> None:
    assert client.get(FEMORAL).headers["content-type"].startswith("application/sparql-results+json")
    for accept in ("application/sparql-results+xml", "text/csv", "text/tab-separated-values"):
        assert client.get(FEMORAL, headers={"Accept": accept}).headers["content-type"].startswith(accept)
    assert client.get(FEMORAL, headers={"Accept": "image/png"}).status_code == 406
    page = client.get(FEMORAL, headers={"Accept": BROWSER})
    tag = page.headers["etag"]
    again = client.get(FEMORAL, headers={"Accept": BROWSER, "If-None-Match": tag})
    assert again.status_code == 304 and page.headers["vary"].startswith("Accept")
    data = client.get(FEMORAL, headers={"Accept": "text/csv", "If-None-Match": tag})
    assert data.status_code == 200 and data.headers["etag"] != tag
    assert client.get("/queries/no-such-query", headers={"Accept": BROWSER}).status_code == 404


def test_every_stored_query_has_a_page(client: Any) -> None:
    for name, stored in load_catalog(PROJECT.queries).items():
        if any(p.default is None for p in stored.params):
            continue
        status, page, _ = _html(client, f"/queries/{name}")
        rows = client.get(f"/queries/{name}", headers={"Accept": "application/json"}).json()["results"]["bindings"]
        assert status == 200 and len(page.rows) - 1 == len(rows), name
