"""`/similar` over HTTP: the ranking the API gives, as JSON, CSV and a page; a phenopacket posted;
and the page in a real headless Chromium (form, ranked list, why each match scored as it did)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg import KnowledgeGraph
from kg.store.disk import current_store_path
from kg.web.executor import QueryExecutor, QueryTimeout
from tests.server_fixtures import RUNAWAY, LiveServer, start_server
from tests.web.test_browser import CHROMIUM, FLAGS, SCREENSHOTS
from tests.web.test_server import _client

PRESENT = "https://w3id.org/vskg/id/case/aalaoui-2026-present-case"
FACTS = {"site": "FemoralVein", "laterality": "left", "age": "50", "sex": "female", "grade": "2"}


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[Any]:
    with _client(built_store) as c:
        yield c


def _ranking(matches: list[dict[str, Any]]) -> list[tuple[str, float]]:
    return [(m["group"], m["score"]) for m in matches]


def test_json_csv_and_page_give_the_api_ranking(client: Any, graph: KnowledgeGraph) -> None:
    api = graph.similar(site="FemoralVein", laterality="left", age=50, sex="female", grade=2, top=10)
    expected = [(m.group, m.score) for m in api.matches]
    answer = client.get("/similar", params={**FACTS, "format": "json"})
    assert answer.status_code == 200, answer.text
    assert _ranking(answer.json()["matches"]) == expected and answer.json()["unknown"] == api.unknown
    negotiated = client.get("/similar", params=FACTS, headers={"Accept": "application/json"})
    assert _ranking(negotiated.json()["matches"]) == expected
    csv = client.get("/similar", params={**FACTS, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert [line.split(",")[1] for line in csv.text.splitlines()[1:]] == [g for g, _ in expected]
    page = client.get("/similar", params=FACTS)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert text.index(f'data-group="{expected[0][0]}"') < text.index(f'data-group="{expected[1][0]}"')
    assert 'id="similar-form"' in text and "not prognosis" in text and "why this score" in text


def test_a_posted_phenopacket_finds_its_own_case(client: Any, graph: KnowledgeGraph) -> None:
    packet = graph.to_phenopackets(created="2026-01-01T00:00:00Z")["aalaoui-2026-present-case"]
    answer = client.post("/similar?top=5&format=json", content=json.dumps(packet))
    assert answer.status_code == 200, answer.text
    api = graph.similar(phenopacket=packet, top=5)
    assert _ranking(answer.json()["matches"]) == [(m.group, m.score) for m in api.matches]
    assert answer.json()["matches"][0]["group"] == PRESENT
    assert client.post("/similar?format=json", content=b"[1,").status_code == 400


def test_bad_requests_are_named(client: Any) -> None:
    unknown = client.get("/similar", params={"site": "FemurVein", "format": "json"})
    assert unknown.status_code == 400 and "did you mean FemoralVein" in unknown.text
    page = client.get("/similar", params={"site": "FemurVein"})
    assert page.status_code == 400 and 'id="error"' in page.text and 'id="similar-form"' in page.text
    assert client.get("/similar", params={"colour": "red"}).status_code == 400
    assert client.get("/similar", params={"site": "FemoralVein", "top": "ten"}).status_code == 400
    empty = client.get("/similar")  # the form alone, with the terms it suggests
    assert empty.status_code == 200 and 'id="matches"' not in empty.text and 'value="FemoralVein"' in empty.text
    assert "Traceback" not in unknown.text + page.text


def test_the_server_own_candidate_query_may_outlast_a_client_limit(built_store: Path) -> None:
    """The candidates are read with a limit of their own (a large build read from disk needs more
    than a client's 10 s): the limit a caller gives replaces the executor's, both ways."""
    import asyncio

    executor = QueryExecutor(current_store_path(built_store), workers=1, timeout=60)
    try:
        with pytest.raises(QueryTimeout, match=r"longer than 0\.5 s"):
            asyncio.run(executor.run_async(RUNAWAY, seconds=0.5))
        answer = asyncio.run(executor.run_async("ASK { ?s ?p ?o }", seconds=30))
        assert b"true" in answer.body
    finally:
        executor.close()


needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


@pytest.fixture(scope="module")
def server(built_store: Path) -> Iterator[LiveServer]:
    yield from start_server(built_store, built_store.parent / "dumps")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield instance
        instance.close()


@needs_chromium
def test_the_page_in_a_browser(server: LiveServer, browser: Any, graph: KnowledgeGraph) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.base + "/similar")
    page.fill('input[name="site"]', "FemoralVein")
    page.fill('input[name="age"]', "50")
    page.select_option('select[name="sex"]', "female")
    page.select_option('select[name="laterality"]', "left")
    page.select_option('select[name="grade"]', "2")
    page.fill('input[name="top"]', "8")
    page.click("#search")
    page.wait_for_selector("#matches tr.match")
    shown = page.locator("#matches tr.match").evaluate_all("rows => rows.map(r => r.dataset.group)")
    api = graph.similar(site="FemoralVein", laterality="left", age=50, sex="female", grade=2, top=8)
    assert shown == [m.group for m in api.matches]
    assert "age=50" in page.url and "site=FemoralVein" in page.url
    for summary in page.locator("#matches details.why summary").all():
        summary.click()
    reasons = page.locator("#matches details.why").all_inner_texts()
    assert "the same class" in reasons[0] and any("Lin" in r and "bits" in r for r in reasons)
    page.locator("#matches details.events").first.locator("summary").click()
    assert "9 months after surgical resection" in page.locator("#matches details.events").first.inner_text()
    assert "not prognosis" in page.inner_text("#limits")
    assert "Unknown among these matches" in page.inner_text("#unknown")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "similar.png"), full_page=True)
    assert errors == []
