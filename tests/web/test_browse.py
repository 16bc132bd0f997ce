"""The faceted browser: counts equal the stored queries' counts, choices narrow the groups, bad
values are refused, and the page works in headless Chromium with a shareable URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg import KnowledgeGraph
from kg.web.app import create_app
from tests.server_fixtures import app_settings


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    settings = app_settings(built_store)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def _counts(data: dict[str, Any], facet: str) -> dict[str, int]:
    return {v["value"]: v["groups"] for v in data["facets"][facet]["values"]}


def test_facet_counts_equal_the_stored_queries(client: Any, graph: KnowledgeGraph) -> None:
    """The browser counts as the stored queries do: each patient once, in the group that holds them
    most specifically (a series split by site is listed by its sub-groups)."""
    data = client.get("/browse/data").json()
    by_design = {r["design"]: int(str(r["patients"])) for r in graph.query("stats-by-design").records()}
    labels = {v["value"]: v["label"] for v in data["facets"]["design"]["values"]}
    patients = {labels[v["value"]]: int(v["patients"]) for v in data["facets"]["design"]["values"]}
    assert patients == {k: n for k, n in by_design.items() if n and k != "(design not stated)"}
    totals = graph.query("patients-per-site").records()[-1]
    assert sum(int(g["patients"]) for g in data["groups"]) == int(str(totals["patients"]))
    femoral = client.get("/browse/data", params={"site": "FemoralVein"}).json()
    at_site = {
        r["group"]
        for r in graph.query("groups-at-site", site="vskg:FemoralVein").records()
        if int(str(r["counted_here"])) > 0
    }
    assert {g["group"] for g in femoral["groups"]} == at_site


def test_choices_narrow_and_show_their_sparql(client: Any) -> None:
    both = client.get("/browse/data", params={"site": "PeripheralVein", "outcome": "LocalRecurrence"}).json()
    assert both["chosen"] == {"outcome": "LocalRecurrence", "site": "PeripheralVein"}
    assert 0 < len(both["groups"]) < len(client.get("/browse/data", params={"site": "PeripheralVein"}).json()["groups"])
    assert "LocalRecurrence" in both["sparql"] and "PeripheralVein" in both["sparql"]
    assert all(g["href"].startswith("/id/") for g in both["groups"])


@pytest.mark.parametrize(
    ("query", "says"),
    [("site=Femoral%20Vein", "FemoralVein"), ("year=19a2", "must be"), ("site=%3E%7D", "is not an IRI")],
)
def test_bad_facet_values_are_refused(client: Any, query: str, says: str) -> None:
    answer = client.get("/browse/data?" + query)
    assert answer.status_code == 400 and says in answer.text


def test_the_server_sends_the_first_view_whole(client: Any) -> None:
    """Without JavaScript the page is already the view: the groups and every facet's counts of
    /browse/data for the same address, each value a link to the next view."""
    from html import escape

    for query in ({}, {"site": "PeripheralVein", "outcome": "LocalRecurrence"}, {"site": "vskg:FemoralVein"}):
        page = client.get("/browse", params=query)
        data = client.get("/browse/data", params=query).json()
        assert page.status_code == 200 and "loading" not in page.text
        assert f'<b id="group-count">{len(data["groups"])}</b>' in page.text, query
        assert all(f'href="{escape(g["href"])}"' in page.text for g in data["groups"])
        for name, facet in data["facets"].items():
            for v in facet["values"]:
                assert f'data-facet="{name}" data-value="{escape(v["value"])}"' in page.text, (name, v)
        assert escape(data["sparql"]) in page.text
    chosen = client.get("/browse", params={"site": "vskg:FemoralVein"}).text
    # the chosen value links to the view without it; the others keep it, as the server names it
    assert 'href="?" data-facet="site" data-value="FemoralVein" class="chosen"' in chosen
    assert 'href="?site=FemoralVein&amp;outcome=LocalRecurrence" data-facet="outcome"' in chosen


def test_a_misspelled_choice_gives_the_page_with_the_closest_terms(client: Any) -> None:
    page = client.get("/browse", params={"site": "Femoralvein"})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert 'id="problem"' in page.text and '<a href="?site=vskg%3AFemoralVein">vskg:FemoralVein</a>' in page.text
    assert client.get("/browse", params={"year": "19a2"}).status_code == 400
