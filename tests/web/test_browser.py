"""The query page and a case page in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg import KnowledgeGraph
from tests.conftest import ROOT
from tests.server_fixtures import LiveServer, start_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "dist" / "screenshots"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/install-chromium.sh)")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


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


def _watched_page(browser: Any) -> tuple[Any, list[str]]:
    """A new page, and the JavaScript errors it raises (a test asserts there are none)."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def test_run_a_stored_query_and_follow_a_link_to_the_case(server: LiveServer, browser: Any) -> None:
    page, errors = _watched_page(browser)
    page.goto(server.base + "/query")
    page.click('button.example[data-name="femoral-recurrence-after-surgery-alone"]')
    assert "femoral" in page.input_value("#sparql").lower()
    assert page.input_value('[data-param="site"]') == "vskg:FemoralVein"
    page.click("#run")
    page.wait_for_selector("#result-table tbody tr")
    rows = page.locator("#result-table tbody tr")
    assert rows.count() == 2
    assert "Aalaoui et al. (2026)" in rows.nth(0).inner_text() and "definite" in rows.nth(0).inner_text()
    text = rows.nth(1).inner_text()
    assert "Hong et al. (2016)" in text and "Table 1, row 4" in text and "definite" in text
    downloads = page.locator("#results a", has_text="CSV")
    assert "format=csv" in (downloads.first.get_attribute("href") or "")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "query-page.png"), full_page=True)
    page.click('#result-table a[href="/id/case/hong-2016-table-1"]')
    page.wait_for_url("**/id/case/hong-2016-table-1")
    body = page.inner_text("main")
    assert "Table 1, row 4" in body and "stated in" in body
    page.screenshot(path=str(SCREENSHOTS / "case-page.png"), full_page=True)
    page.click('a[href="/id/source/hong-2016"] >> nth=0')
    assert "Intravascular leiomyosarcoma of the femoral vein" in page.inner_text("main")
    assert errors == []


def test_raw_sparql_with_parameters_edited(server: LiveServer, browser: Any) -> None:
    page = browser.new_page()
    page.goto(server.base + "/query")
    page.click('button.example[data-name="groups-at-site"]')
    page.fill('[data-param="site"]', "vskg:InferiorVenaCava")
    page.click("#run")
    page.wait_for_selector("#result-table tbody tr")
    assert "Sheaffer et al. (2019)" in page.inner_text("#result-table")
    page.fill("#sparql", "ASK { ?c a vskg:Cohort }")
    page.click("#run")
    page.wait_for_function("document.getElementById('message').textContent.includes('answer')")
    assert page.inner_text("#message") == "answer: true"
    page.fill("#sparql", "SELECT WHERE {")
    page.click("#run")
    page.wait_for_function("document.getElementById('message').textContent.startsWith('400')")


def test_landing_page_links(server: LiveServer, browser: Any, graph: KnowledgeGraph) -> None:
    page = browser.new_page()
    page.goto(server.base + "/")
    assert str(graph.query("patients-per-site").records()[-1]["patients"]) in page.inner_text(".counts")
    page.click("text=Ontology")
    page.wait_for_url("**/ontology")
    assert page.locator("#FemoralVein").count() == 1
    page.goto(server.base + "/")
    page.click("#vocabulary-link")
    page.wait_for_url("**/vocabulary")
    assert "vskg:Tumour" in page.inner_text("#hasTumour") and "vskg:PatientGroup" in page.inner_text("#hasTumour")


def test_a_misspelled_parameter_shows_the_suggestion_and_results_print_pasteable_iris(
    server: LiveServer, browser: Any
) -> None:
    page, errors = _watched_page(browser)
    page.goto(server.base + "/query")
    page.click('button.example[data-name="femoral-recurrence-after-surgery-alone"]')
    page.fill('[data-param="site"]', "vskg:Femoralvein")
    page.click("#run")
    page.wait_for_function("document.getElementById('message').textContent.startsWith('400')")
    assert "did you mean vskg:FemoralVein" in page.inner_text("#message")
    assert page.locator("#result-table").count() == 0
    page.fill('[data-param="site"]', "FemoralVein")
    page.click("#run")
    page.wait_for_selector("#result-table tbody tr")
    cells = page.locator("#result-table a").all_inner_texts()
    assert "case:hong-2016-table-1" in cells and "source:hong-2016" in cells
    assert "femoral vein" in page.inner_text("#result-table")  # the case's own site, by its label
    assert not any(c.startswith("id:") for c in cells)
    assert "case:" in page.inner_text("#predeclared")
    assert errors == []


def test_browse_with_facets_and_share_the_view(server: LiveServer, browser: Any) -> None:
    page, errors = _watched_page(browser)
    page.goto(server.base + "/browse?site=PeripheralVein")
    page.wait_for_selector("#group-table")
    before = int(page.inner_text("#group-count"))
    page.evaluate("window.stayed = true")  # gone if a choice loaded a new page instead of redrawing this one
    page.click('a[data-facet="outcome"][data-value="LocalRecurrence"]')
    page.wait_for_function(f"Number(document.getElementById('group-count').textContent) < {before}")
    assert page.evaluate("window.stayed") is True
    assert "outcome=LocalRecurrence" in page.url and "site=PeripheralVein" in page.url
    after = int(page.inner_text("#group-count"))
    counts = page.locator('a[data-facet="site"] + [data-count]').all_inner_texts()
    assert 0 < after < before and sum(int(c) for c in counts) >= after
    assert "LocalRecurrence" in (page.text_content("#sparql-behind") or "")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "browse.png"), full_page=True)
    shared = browser.new_page()  # the URL alone gives the same view
    shared.goto(page.url)
    shared.wait_for_selector("#group-table")
    assert int(shared.inner_text("#group-count")) == after
    assert errors == []


def test_browse_and_a_query_page_work_without_javascript(server: LiveServer, browser: Any) -> None:
    """The server sends each view whole: with JavaScript off, choices are links to the next view."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.base + "/browse?site=PeripheralVein")
    before = int(page.inner_text("#group-count"))  # no waiting: the view came with the page
    assert before == page.locator("#group-table tbody tr").count() > 0
    page.click('a[data-facet="outcome"][data-value="LocalRecurrence"]')
    page.wait_for_url("**outcome=LocalRecurrence**")
    after = int(page.inner_text("#group-count"))
    assert 0 < after < before and "site=PeripheralVein" in page.url
    assert "LocalRecurrence" in (page.text_content("#sparql-behind") or "")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "browse-without-javascript.png"), full_page=True)
    page.goto(server.base + "/queries/groups-at-site")  # a browser's own Accept header: the query's page
    page.fill("#param-site", "InferiorVenaCava")
    page.click("#parameters button[type=submit]")
    page.wait_for_url("**site=InferiorVenaCava**")
    assert "Sheaffer et al. (2019)" in page.inner_text("#result-table")
    assert page.locator("#downloads a", has_text="CSV").get_attribute("href") == (
        "/queries/groups-at-site?site=InferiorVenaCava&format=csv"
    )
    page.screenshot(path=str(SCREENSHOTS / "stored-query-page.png"), full_page=True)
    page.click('#result-table a[href^="/id/cohort/sheaffer-2019"] >> nth=0')
    page.wait_for_url("**/id/cohort/sheaffer-2019**")
    assert "Sheaffer" in page.inner_text("h1")
    context.close()


def test_report_tables_sort_and_filter(built_store: Path, browser: Any, tmp_path: Path) -> None:
    from kg import KnowledgeGraph
    from kg.views.report import write_report
    from tests.conftest import PROJECT

    report = write_report(KnowledgeGraph.open(built_store, queries_dir=PROJECT.queries), tmp_path)
    page = browser.new_page()
    page.goto(report.as_uri())
    table = page.locator('table[data-query="corpus-table"]')
    rows = table.locator("tbody tr")
    total = rows.count()
    box = page.locator('input.table-filter[data-table="0"]')
    box.fill("Aalaoui")
    visible = [r for r in rows.all() if r.is_visible()]
    assert 0 < len(visible) < total and all("Aalaoui" in r.inner_text() for r in visible)
    box.fill("")
    table.locator("thead th", has_text="patients").click()
    first = [int(t) for t in table.locator("tbody tr td:nth-child(5)").all_inner_texts()]
    assert first == sorted(first)
    table.locator("thead th", has_text="patients").click()
    second = [int(t) for t in table.locator("tbody tr td:nth-child(5)").all_inner_texts()]
    assert second == sorted(second, reverse=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report.png"))


def test_the_network_view_opens_filters_and_shows_a_neighbourhood(server: LiveServer, browser: Any) -> None:
    page, errors = _watched_page(browser)
    page.goto(server.base + "/network")
    page.wait_for_selector("body[data-ready='yes']", timeout=60_000)
    everything = page.evaluate("cy.nodes().length")
    assert everything > 50 and int(page.inner_text("#visible")) == everything
    page.uncheck('input[data-kind="source"]')
    sources = page.evaluate("cy.nodes('[kind = \"source\"]').length")
    assert int(page.inner_text("#visible")) == everything - sources
    page.check('input[data-kind="source"]')
    page.fill("#search", "Hong et al. (2016)")
    page.press("#search", "Enter")
    # the source, and the patient group the seed's Table 1 row names after it
    assert int(page.inner_text("#found")) == 2
    page.click("#neighbourhood")
    around = int(page.inner_text("#visible"))
    assert 1 < around < everything
    assert page.evaluate("cy.nodes(':selected').closedNeighborhood().nodes().length") == around
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "network.png"))
    assert errors == []
