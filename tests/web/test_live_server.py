"""`vskg serve` as clients meet it: SPARQLWrapper on /sparql and curl on /queries/{name}, every stored query."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import KnowledgeGraph
from tests.conftest import PROJECT
from tests.server_fixtures import LiveServer, start_server


@pytest.fixture(scope="module")
def server(built_store: Path) -> Iterator[LiveServer]:
    # two HTTP processes sharing the port, each with query workers holding the store in memory
    yield from start_server(built_store, built_store.parent / "dumps", "--processes", "2", "--in-memory")


def test_sparqlwrapper_client_gets_every_stored_answer(server: LiveServer, graph: KnowledgeGraph) -> None:
    remote = KnowledgeGraph.remote(server.base + "/sparql", queries_dir=PROJECT.queries)  # SPARQLWrapper inside
    for stored in graph.stored_queries(include_qc=True):
        assert [tuple(map(str, r)) for r in remote.query(stored.name).rows] == [
            tuple(map(str, r)) for r in graph.query(stored.name).rows
        ], stored.name
    assert remote.sparql("ASK { ?x a vskg:Cohort }") is True


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_gets_every_stored_query_as_csv(server: LiveServer, graph: KnowledgeGraph) -> None:
    for stored in graph.stored_queries():
        done = subprocess.run(
            ["curl", "-sS", "--fail", "-H", "Accept: text/csv", f"{server.base}/queries/{stored.name}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, (stored.name, done.stderr)
        assert done.stdout.replace("\r\n", "\n") == graph.query(stored.name).to_csv().replace("\r\n", "\n"), stored.name
