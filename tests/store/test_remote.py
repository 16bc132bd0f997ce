"""The same graph and queries on a real Virtuoso 7, started by the tests; push and its failure modes."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg import KGError, KnowledgeGraph, QueryError, TermError
from kg.store.remote import PushError, RemoteError, RemoteStore, push
from kg.store.results import QueryResult
from tests.conftest import PROJECT, ROOT
from tests.virtuoso import Virtuoso, available

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {f"{XSD}{t}" for t in ("integer", "decimal", "double", "float", "int", "long")}


def canonical(term: Any) -> Any:
    """A literal's value in a form two engines agree on ("1" and "true" for booleans, 9 and 9.0)."""
    if isinstance(term, ox.Literal):
        if term.datatype.value in NUMERIC:
            return ("number", round(float(term.value), 6))
        if term.datatype.value == XSD + "boolean":
            return ("boolean", term.value in ("1", "true"))
    return ("term", str(term))


pytestmark = pytest.mark.skipif(available() is not None, reason=f"Virtuoso cannot run here: {available()}")


@pytest.fixture(scope="module")
def virtuoso() -> Iterator[Virtuoso]:
    server = Virtuoso()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="module")
def password_file(virtuoso: Virtuoso, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "password"
    path.write_text(virtuoso.password + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("remote") / "store"
    done = vskg("build", "--store", str(path))
    assert done.returncode == 0, done.stderr
    return path


def vskg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


def _push_args(server: Virtuoso, store: Path, password_file: Path) -> list[str]:
    target = ["--endpoint", server.endpoint, "--graph-store", server.graph_store]
    return ["push", "--store", str(store), *target, "--user", "dba", "--password-file", str(password_file)]


def normalised(result: QueryResult) -> list[tuple[Any, ...]]:
    """Rows in a comparable form: order-free, numbers by value, concatenated lists as sorted parts."""

    def cell(term: Any) -> Any:
        if term is None or (isinstance(term, ox.Literal) and term.value == ""):
            return None  # an empty GROUP_CONCAT: "" on Virtuoso, unbound on pyoxigraph
        if isinstance(term, ox.Literal) and term.datatype.value not in NUMERIC | {XSD + "boolean"}:
            parts = term.value.split("; ") if "; " in term.value else term.value.split(" + ")
            return ("text", tuple(sorted(parts)), term.language)
        return canonical(term)

    return sorted((tuple(cell(t) for t in row) for row in result.rows), key=repr)


@pytest.fixture(scope="module")
def pushed(virtuoso: Virtuoso, store: Path, password_file: Path) -> KnowledgeGraph:
    done = vskg(*_push_args(virtuoso, store, password_file))
    assert done.returncode == 0, done.stderr
    assert "graph store" in done.stdout
    return KnowledgeGraph.remote(virtuoso.endpoint, queries_dir=PROJECT.queries)


def test_every_stored_query_gives_the_same_rows_on_virtuoso(graph: KnowledgeGraph, pushed: KnowledgeGraph) -> None:
    for stored in graph.stored_queries(include_qc=True):
        embedded = graph.query(stored.name)
        try:
            remote = pushed.query(stored.name)
        except KGError as exc:
            raise AssertionError(f"{stored.name}: {exc}") from exc
        assert embedded.variables == remote.variables, stored.name
        assert normalised(embedded) == normalised(remote), stored.name


def test_parameters_and_source_scopes_reach_the_server_as_terms(graph: KnowledgeGraph, pushed: KnowledgeGraph) -> None:
    for site in ("vskg:InferiorVenaCava", "FemoralVein", "<https://w3id.org/vskg/ontology#FemoralVein>"):
        assert normalised(graph.query("groups-at-site", site=site)) == normalised(
            pushed.query("groups-at-site", site=site)
        )
    # an unknown term is refused alike, from the ontology the server holds, with the same suggestions
    for unknown in ("vskg:Femoralvein", "https://example.org/nowhere"):
        refusals = []
        for where in (graph, pushed):
            with pytest.raises(TermError) as refused:
                where.query("groups-at-site", site=unknown)
            refusals.append(str(refused.value))
        assert refusals[0] == refusals[1] and "is not an anatomical site" in refusals[0]
    seed = [
        "aalaoui-2026",
        "hong-2016",
        "kevorkian-1973",
        "dzsinic-1992",
        "hines-1999",
        "narayanan-2019",
        "sheaffer-2022",
    ]
    assert normalised(graph.query("patients-per-site", sources=seed)) == normalised(
        pushed.query("patients-per-site", sources=seed)
    )
    hostile = 'Table 1" } UNION { ?r ?p ?o } #'
    assert len(pushed.query("table-1", table=hostile)) == 0
    with pytest.raises(QueryError, match="not an IRI"):
        pushed.query("groups-at-site", site="vskg:Vein> } ?s ?p ?o {")


def test_push_is_idempotent_and_replaces_graphs_whole(
    virtuoso: Virtuoso, store: Path, password_file: Path, graph: KnowledgeGraph, pushed: KnowledgeGraph
) -> None:
    again = vskg(*_push_args(virtuoso, store, password_file))
    assert again.returncode == 0, again.stderr
    local = KnowledgeGraph.open(store, queries_dir=PROJECT.queries)
    assert pushed.graphs() == local.graphs()
    for name in local.graphs():
        remote_triples = {(str(q.subject), str(q.predicate), canonical(q.object)) for q in pushed.quads(name)}
        local_triples = {(str(q.subject), str(q.predicate), canonical(q.object)) for q in local.quads(name)}
        assert remote_triples == local_triples, name


def test_describe_gives_the_same_description_on_virtuoso(graph: KnowledgeGraph, pushed: KnowledgeGraph) -> None:
    def comparable(quads: list[ox.Quad]) -> set[tuple[str, str, Any, str]]:
        return {(str(q.subject), str(q.predicate), canonical(q.object), str(q.graph_name)) for q in quads}

    here = graph.describe("hong-2016-table-1")
    assert len(here) > 20 and comparable(pushed.describe("case:hong-2016-table-1")) == comparable(here)


def test_raw_sparql_select_ask_construct(pushed: KnowledgeGraph) -> None:
    assert pushed.sparql("ASK { ?c a vskg:Cohort }") is True
    assert pushed.sparql("ASK { ?c a vskg:Nothing }") is False
    triples = pushed.sparql("CONSTRUCT { ?s a vskg:Case } WHERE { ?s a vskg:Case }")
    assert isinstance(triples, list) and len(triples) > 3


def test_server_down_before_push_names_every_graph(store: Path, password_file: Path, virtuoso: Virtuoso) -> None:
    dead = Virtuoso()  # never started: nothing listens on its ports
    done = vskg(*_push_args(dead, store, password_file))
    assert done.returncode == 2
    assert "unreachable" in done.stderr and "pushed and complete (0): none" in done.stderr
    assert "not pushed (" in done.stderr and "graph/aalaoui-2026" in done.stderr
    assert virtuoso.password not in done.stderr + done.stdout and "Traceback" not in done.stderr


class _Proxy(http.server.ThreadingHTTPServer):
    """Forwards to Virtuoso until `allowed` graphs were stored, then goes down like a crashed server."""

    def __init__(self, target: str, allowed: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.target = target
        self.allowed = allowed
        self.stored = 0
        self.down = False


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: _Proxy

    def log_message(self, *args: Any) -> None:
        pass

    def do_PUT(self) -> None:
        if self.server.down:
            self.close_connection = True
            self.connection.close()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        url = self.server.target + self.path  # same path and query, on the real server
        request = urllib.request.Request(url, data=body, method="PUT", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, answer_headers, payload = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as exc:
            status, answer_headers, payload = exc.code, exc.headers, exc.read()
        self.send_response(status)
        for key, value in answer_headers.items():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        if 200 <= status < 300:
            self.server.stored += 1
            if self.server.stored >= self.server.allowed:
                self.server.down = True


def test_server_down_during_push_leaves_pushed_graphs_complete(
    virtuoso: Virtuoso, password_file: Path, graph: KnowledgeGraph
) -> None:
    proxy = _Proxy(f"http://127.0.0.1:{virtuoso.http_port}", allowed=5)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        remote = RemoteStore(
            virtuoso.endpoint,
            graph_store=f"http://127.0.0.1:{proxy.server_port}/sparql-graph-crud-auth",
            user="dba",
            password=virtuoso.password,
            retries=2,
            backoff=0.1,
        )
        by_graph: dict[str, list[ox.Quad]] = {}
        for q in graph.quads():
            by_graph.setdefault(q.graph_name.value, []).append(q)  # type: ignore[union-attr]
        marker = ox.Triple(
            ox.NamedNode("https://example.org/marker"), ox.NamedNode("https://example.org/p"), ox.Literal("1")
        )
        for name in sorted(by_graph)[:8]:  # a distinct state first, so a half-done replacement would show
            RemoteStore(
                virtuoso.endpoint, graph_store=virtuoso.graph_store, user="dba", password=virtuoso.password
            ).put_graph(name, [marker])
        with pytest.raises(PushError) as info:
            push(by_graph, remote)
    finally:
        proxy.shutdown()
    error = info.value
    assert len(error.pushed) == 5 and len(error.not_pushed) == len(by_graph) - 5
    assert virtuoso.password not in str(error)
    check = KnowledgeGraph.remote(virtuoso.endpoint, queries_dir=PROJECT.queries)
    for name in error.pushed:
        assert len(list(check.quads(name))) == len({(q.subject, q.predicate, q.object) for q in by_graph[name]}), name
    for name in error.not_pushed[:3]:  # untouched: still the previous content
        assert [str(q.object) for q in check.quads(name)] == ['"1"']


def test_wrong_password_is_one_clear_error(virtuoso: Virtuoso, store: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password\n", encoding="utf-8")
    done = vskg(*_push_args(virtuoso, store, wrong))
    assert done.returncode == 2 and "refused the credentials (401)" in done.stderr
    assert "not-the-password" not in done.stderr + done.stdout and "Traceback" not in done.stderr


class _Stub(http.server.ThreadingHTTPServer):
    def __init__(self, body: bytes, delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), _StubHandler)
        self.body, self.delay = body, delay


class _StubHandler(http.server.BaseHTTPRequestHandler):
    server: _Stub

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        time.sleep(self.server.delay)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    do_GET = do_POST = do_HEAD = _answer


@pytest.mark.parametrize(
    ("body", "delay", "message"),
    [
        (b"<html>maintenance</html>", 0.0, "not SPARQL JSON results"),
        (json.dumps({"head": {"vars": ["x"]}}).encode(), 0.0, "no 'results.bindings'"),
        (b"{}", 2.0, "gave up after 2 attempts"),
    ],
)
def test_malformed_answers_and_timeouts_are_clear_errors(body: bytes, delay: float, message: str) -> None:
    stub = _Stub(body, delay)
    thread = threading.Thread(target=stub.serve_forever, daemon=True)
    thread.start()
    try:
        remote = KnowledgeGraph(
            RemoteStore(f"http://127.0.0.1:{stub.server_port}/sparql", timeout=0.5, retries=2, backoff=0.05),
            queries_dir=PROJECT.queries,
        )
        with pytest.raises(RemoteError, match=message):
            remote.query("dvt-presentations")
    finally:
        stub.shutdown()


def test_update_fallback_without_a_graph_store(virtuoso: Virtuoso, graph: KnowledgeGraph) -> None:
    """Servers without the Graph Store Protocol get INSERT DATA batches into a staging graph, then MOVE."""
    remote = RemoteStore(
        virtuoso.endpoint, update_endpoint=virtuoso.endpoint + "-auth", user="dba", password=virtuoso.password
    )
    name = "https://w3id.org/vskg/graph/aalaoui-2026"
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in graph.quads(name)}, key=str)
    assert len(triples) > 500  # more than one batch
    for _ in range(2):
        assert remote.put_graph(name, triples) == "update"
        assert len(list(remote.quads(name))) == len(triples)
    staging = remote.sparql(f"ASK {{ GRAPH <{name}.vskg-staging> {{ ?s ?p ?o }} }}")
    assert staging is False


def test_injection_payloads_are_inert_on_the_remote_path(pushed: KnowledgeGraph) -> None:
    from tests.test_injection import IRI_PAYLOADS, STRING_PAYLOADS

    for payload in IRI_PAYLOADS:
        try:
            assert len(pushed.query("groups-at-site", site=payload)) == 0
        except QueryError as exc:
            assert "not an IRI" in str(exc) or "is not an anatomical site" in str(exc)
    for payload in STRING_PAYLOADS:
        try:
            assert len(pushed.query("table-1", table=payload)) == 0
        except QueryError as exc:
            assert "longer than" in str(exc)
    assert len(pushed.query("table-1")) == 7  # and the store is as it was
