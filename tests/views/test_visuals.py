"""Timeline, evidence network and report, checked through the data behind each figure."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from kg import KnowledgeGraph
from kg.store.results import QueryResult
from kg.views.network import draw_network, write_graphml
from kg.views.report import rates, render, wilson
from kg.views.timeline import TimelineEvent, draw_timeline, timeline_data
from tests.conftest import ROOT

SEED_CASE = "https://w3id.org/vskg/id/case/aalaoui-2026-present-case"


def _select(graph: KnowledgeGraph):  # type: ignore[no-untyped-def]
    def select(text: str) -> QueryResult:
        result = graph.sparql(text)
        assert isinstance(result, QueryResult)
        return result

    return select


def test_seed_timeline_events_order_times_and_dissociated_response(graph: KnowledgeGraph, tmp_path: Path) -> None:
    timeline = timeline_data(SEED_CASE, _select(graph))
    kinds = [e.kind for e in timeline.events]
    assert kinds.index("limb pain") < kinds.index("initial diagnosis") < kinds.index("anticoagulation")
    assert kinds.index("anticoagulation") < kinds.index("surgical resection") < kinds.index("local recurrence")
    assert timeline.anchor == "surgical resection"
    by_kind = {e.kind: e for e in timeline.events}
    assert by_kind["surgical resection"].position == 0.0
    assert by_kind["distant metastasis"].position == 9.0
    assert by_kind["distant metastasis"].stated == "9 months after surgical resection"
    assert by_kind["local recurrence"].stated is None  # no time of its own in the report
    # no made-up month: an event without a stated time has none, only the interval the order allows
    assert (by_kind["local recurrence"].position, by_kind["local recurrence"].earliest) == (None, 9.0)
    assert by_kind["local recurrence"].latest is None
    assert (by_kind["surgical exploration"].earliest, by_kind["surgical exploration"].latest) == (None, 0.0)
    assert all(e.position is None for e in timeline.events if e.stated is None)
    assert all(e.placed for e in timeline.events)
    lines = [e for e in timeline.events if e.kind == "systemic therapy"]
    assert [e.detail for e in lines] == ["doxorubicin, line 1"]  # gemcitabine was decided, not reported given
    assert timeline.dissociated
    assert sorted((r.lesion, r.trend, r.change_percent) for r in timeline.responses) == [
        ("distant metastasis (lung)", "worsened", None),
        ("local recurrence (left femoral vein)", "improved", -42.0),
    ]
    svg = draw_timeline(timeline, tmp_path / "t.svg").read_text(encoding="utf-8")
    assert "dissociated response" in svg and "improved \u221242 %" in svg and "worsened" in svg
    assert "doxorubicin, line 1" in svg
    assert "no time stated, placed by the stated order" in svg
    png = draw_timeline(timeline, tmp_path / "t.png").read_bytes()
    assert png.startswith(b"\x89PNG")


def test_timeline_of_a_case_without_stated_times(graph: KnowledgeGraph, tmp_path: Path) -> None:
    timeline = timeline_data("https://w3id.org/vskg/id/case/hong-2016-table-1", _select(graph))
    assert timeline.anchor is None and [e.position for e in timeline.events] == [0.0, 1.0, 2.0]
    assert not timeline.dissociated
    svg = draw_timeline(timeline, tmp_path / "t.svg").read_text(encoding="utf-8")
    assert "steps, not months" in svg


def test_an_event_nothing_places_in_time_goes_to_its_own_band(graph: KnowledgeGraph, tmp_path: Path) -> None:
    timeline = timeline_data(SEED_CASE, _select(graph))
    loose = TimelineEvent("urn:x:loose", 99, "limb oedema", "presentation and diagnosis", "", None, None)
    timeline.events.append(loose)
    assert not loose.placed
    svg = draw_timeline(timeline, tmp_path / "t.svg").read_text(encoding="utf-8")
    assert "time not stated" in svg and "limb oedema" in svg


def test_network_counts_and_graphml(graph: KnowledgeGraph, tmp_path: Path) -> None:
    net = graph.to_networkx()
    relations: dict[str, int] = {}
    for _, _, d in net.edges(data=True):
        relations[d["relation"]] = relations.get(d["relation"], 0) + 1
    reports = graph.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?g vskg:reportedIn ?s }")
    assert isinstance(reports, QueryResult)
    assert relations["reports"] == int(str(reports.rows[0][0].value))  # type: ignore[union-attr]
    kinds = {d["kind"] for _, d in net.nodes(data=True)}
    assert kinds == {"source", "case", "cohort", "intervention", "outcome"}
    path = write_graphml(net, tmp_path / "n.graphml")
    back = nx.read_graphml(path)
    assert back.number_of_nodes() == net.number_of_nodes() and back.number_of_edges() == net.number_of_edges()
    assert draw_network(net, tmp_path / "n.png").read_bytes().startswith(b"\x89PNG")


def test_report_numbers_match_the_stored_queries(graph: KnowledgeGraph) -> None:
    html = render(graph)
    for name in ("corpus-table", "citation-mismatches", "data-gaps", "possible-overlaps", "patients-per-site"):
        table = re.search(rf'<table data-query="{name}">(.*?)</table>', html, re.S)
        assert table is not None, name
        assert table.group(1).count("<tr>") - 1 == len(graph.query(name)), name  # minus the header row
        assert f'href="#query-{name}"' in html and f'id="query-{name}"' in html
    expected = rates(graph.query("outcome-rates-by-site"))
    forest = re.search(r'<figure id="forest-plot".*?</figure>', html, re.S)
    assert forest is not None
    for rate in expected:
        assert f"{rate.site}: {rate.outcome} ({rate.events}/{rate.denominator})" in forest.group(0)
    totals = graph.query("patients-per-site").records()[-1]
    assert f"{totals['patients']} patients, of whom {totals['at_risk']} may be counted twice" in html
    # self-contained: no script, stylesheet or image is loaded from elsewhere
    assert "<script src=" not in html and 'rel="stylesheet"' not in html and '<img src="http' not in html


def test_wilson_interval() -> None:
    low, high = wilson(7, 25)
    assert round(low, 3) == 0.143 and round(high, 3) == 0.476
    assert wilson(0, 0) == (0.0, 1.0)


def test_commands_write_the_files(built_store: Path, tmp_path: Path) -> None:
    def vskg(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "kg.cli", *args, "--store", str(built_store)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    vskg("timeline", "aalaoui-2026-present-case", "-o", str(tmp_path / "timeline.png"))
    vskg("network", "-o", str(tmp_path / "network.svg"))
    vskg("report", "-o", str(tmp_path / "report"))
    assert (tmp_path / "timeline.png").stat().st_size > 10_000
    assert (tmp_path / "network.graphml").exists() and (tmp_path / "network.svg").exists()
    assert "Citation audit" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "timeline",
            "nobody",
            "-o",
            str(tmp_path / "x.png"),
            "--store",
            str(built_store),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and "no events" in bad.stderr


@pytest.mark.parametrize("path", ["/timeline/case/aalaoui-2026-present-case.svg"])
def test_server_shows_timelines_and_report(built_store: Path, path: str) -> None:
    from fastapi.testclient import TestClient

    from kg.store.disk import current_store_path
    from kg.views.report import write_report
    from kg.web.app import create_app
    from kg.web.backend import Settings
    from tests.conftest import PROJECT

    report_dir = built_store.parent / "report"
    write_report(KnowledgeGraph.open(built_store, queries_dir=PROJECT.queries), report_dir)
    settings = Settings(
        current_store_path(built_store), PROJECT.queries, built_store.parent / "dumps", report_dir=report_dir
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        svg = client.get(path)
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert "dissociated response" in svg.text
        page = client.get("/id/case/aalaoui-2026-present-case", headers={"Accept": "text/html"}).text
        assert f'<img src="{path}"' in page
        assert client.get("/timeline/case/nobody.svg").status_code == 404
        assert "Citation audit" in client.get("/report").text
