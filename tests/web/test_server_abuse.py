"""Abuse of the live server: nothing written, nothing fetched, runaways stopped, limits held, nothing leaked."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from kg.store.disk import current_store_path, open_store
from tests.server_fixtures import RUNAWAY, LiveServer, start_server


@pytest.fixture(scope="module")
def server(built_store: Path) -> Iterator[LiveServer]:
    limits = ["--timeout", "2", "--workers", "2", "--max-request-bytes", "100000", "--max-results", "1000"]
    yield from start_server(built_store, built_store.parent / "dumps", *limits)


class _Recorder(http.server.ThreadingHTTPServer):
    """Stands in for a remote SPARQL service or RDF file: it only counts who calls."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.hits: list[str] = []


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    server: _Recorder

    def log_message(self, *args: Any) -> None:
        pass

    def _hit(self) -> None:
        self.server.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.end_headers()
        self.wfile.write(b"<https://example.org/s> <https://example.org/p> <https://example.org/o> .")

    do_GET = do_POST = _hit


def _raw_get(base: str, target: str) -> int:
    """A GET with a request line too long for ordinary clients; the status, or 0 if the server hung up."""
    import http.client

    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest("GET", target, skip_accept_encoding=True)
        connection.endheaders()
        return connection.getresponse().status
    except (ConnectionError, http.client.HTTPException):
        return 0
    finally:
        connection.close()


def _leak_free(text: str) -> None:
    for marker in ("Traceback", 'File "', "/work/", ".py", "site-packages"):
        assert marker not in text, text


def test_nothing_is_written_and_nothing_is_fetched(server: LiveServer, built_store: Path) -> None:
    before = (current_store_path(built_store), sorted(str(q) for q in open_store(built_store)))
    recorder = _Recorder()
    threading.Thread(target=recorder.serve_forever, daemon=True).start()
    remote = f"http://127.0.0.1:{recorder.server_port}"
    attempts = [
        ("GET", {"query": f"SELECT * WHERE {{ SERVICE <{remote}/sparql> {{ ?s ?p ?o }} }}"}, None),
        ("GET", {"query": f"SELECT * FROM <{remote}/data.ttl> WHERE {{ ?s ?p ?o }}"}, None),
        ("GET", {"query": f"SELECT * FROM NAMED <{remote}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}, None),
        ("GET", {"query": f"DESCRIBE <{remote}/thing>"}, None),
        ("GET", {"query": f"ASK {{ <{remote}/x> ?p ?o }}", "default-graph-uri": f"{remote}/data.ttl"}, None),
        ("POST", None, {"update": f"LOAD <{remote}/data.ttl>"}),
        ("POST", None, {"update": "INSERT DATA { <https://example.org/a> <https://example.org/b> 1 }"}),
        ("POST", None, {"update": "CLEAR ALL"}),
        ("POST", None, {"query": f"LOAD <{remote}/data.ttl>"}),
        ("POST", None, {"query": "DROP ALL"}),
    ]
    with httpx.Client(base_url=server.base, timeout=30) as client:
        for method, params, data in attempts:
            response = client.request(method, "/sparql", params=params, data=data)
            assert response.status_code < 500, response.text
            _leak_free(response.text)
    recorder.shutdown()
    assert recorder.hits == []
    assert (current_store_path(built_store), sorted(str(q) for q in open_store(built_store))) == before


def _burn_cpu(processes: int) -> list[subprocess.Popen[bytes]]:
    """Load the machine the way another program would: busy processes, one per core."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]


@pytest.mark.parametrize("loaded", [False, True], ids=["idle-machine", "machine-loaded-by-another-process"])
def test_runaway_query_is_stopped_while_others_get_answers(server: LiveServer, loaded: bool) -> None:
    def slow() -> tuple[int, str]:
        r = httpx.get(server.base + "/sparql", params={"query": RUNAWAY}, timeout=120)
        return r.status_code, r.text

    def quick(i: int) -> tuple[int, int]:
        # a different text each time, so the answer cache cannot stand in for a query worker
        text = f"PREFIX vskg: <https://w3id.org/vskg/ontology#> SELECT ?g WHERE {{ ?g a vskg:Case }} LIMIT {i + 1}"
        r = httpx.get(server.base + "/sparql", params={"query": text}, headers={"Accept": "text/csv"}, timeout=120)
        return r.status_code, len(r.text.strip().splitlines()) - 1

    burners = _burn_cpu(os.cpu_count() or 2) if loaded else []
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            runaway_future = pool.submit(slow)
            time.sleep(0.2)
            quick_results = list(pool.map(quick, range(30)))
            status, text = runaway_future.result()
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    # stopped by the server's time limit (unstopped, it would run for hours), not by the client
    assert status == 503 and "longer than 2 s" in text
    # every short query is answered in full, however busy the machine: a query waits for a free
    # worker, and its own time limit starts when the worker takes it
    assert quick_results == [(200, i + 1) for i in range(30)]


def test_request_header_and_result_limits(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base, timeout=30) as client:
        big_body = "query=" + urllib.parse.quote("ASK {} #" + "x" * 200_000)
        r = client.post("/sparql", content=big_body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 413
        status = _raw_get(server.base, "/sparql?query=" + urllib.parse.quote("ASK {} #" + "x" * 200_000))
        assert status in (0, 400, 413, 414, 431)  # 0: the server closed the connection
        try:
            r = client.get("/sparql", params={"query": "ASK {}"}, headers={"X-Padding": "x" * 200_000})
            assert r.status_code in (400, 413, 431)
        except httpx.RemoteProtocolError:
            pass  # the server closed the connection on the oversized header: also a refusal
        r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert r.status_code == 422 and "more than" in r.text
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/id/../../../../etc/passwd",
        "/id/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/dumps/..%2f..%2fstore%2fCURRENT",
        "/dumps/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/ontology/..%2f..%2fetc%2fpasswd",
        "/static/..%2f..%2fetc%2fpasswd",
        "/queries/..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_traversal_attempts_get_404(server: LiveServer, path: str) -> None:
    r = httpx.get(server.base + path, timeout=30)
    assert r.status_code == 404, (path, r.status_code)
    _leak_free(r.text)


def test_no_error_body_leaks_internals(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base, timeout=30) as client:
        attempts: list[tuple[str, str, dict[str, Any]]] = [
            ("GET", "/sparql", {"params": {"query": "SELECT ?x WHERE { BIND(1/0 AS ?x) FILTER(?x) }"}}),
            ("GET", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p ?o } ORDER BY (?s + ?o)"}}),
            ("POST", "/sparql", {"content": b"\xff\xfe\x00", "headers": {"Content-Type": "application/sparql-query"}}),
            ("GET", "/queries/groups-at-site", {"params": {"site": "\x00"}}),
            ("GET", "/queries/no-such-query", {}),
            ("DELETE", "/queries/table-1", {}),
            ("GET", "/id/case/hong-2016-table-1", {"headers": {"Accept": "application/x-nope"}}),
            ("GET", "/.well-known/void", {"headers": {"Accept": "image/png"}}),
        ]
        for method, path, kwargs in attempts:
            r = client.request(method, path, **kwargs)
            assert 400 <= r.status_code < 500 or r.status_code == 200, (path, r.status_code, r.text)
            _leak_free(r.text)


def test_a_query_queued_behind_a_runaway_one_gets_its_whole_time_limit(built_store: Path) -> None:
    """With one worker busy on a runaway query until the limit stops it, the next query waits for
    the worker and is then answered: waiting in the queue does not use up its time limit."""
    from kg.web.executor import QueryExecutor, QueryTimeout

    executor = QueryExecutor(current_store_path(built_store), workers=1, timeout=2, queue_wait=60)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            stopped = pool.submit(executor.run, RUNAWAY)
            time.sleep(0.3)  # the runaway query has the only worker
            queued = pool.submit(executor.run, "ASK { ?s ?p ?o }")
            with pytest.raises(QueryTimeout, match="longer than 2 s"):
                stopped.result()
            assert b"true" in queued.result().body
    finally:
        executor.close()
