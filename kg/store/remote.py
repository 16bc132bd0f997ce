"""A remote SPARQL 1.1 store: queries through SPARQLWrapper, loads through the Graph Store Protocol.

Parameters reach the server as a VALUES block of validated, escaped terms; graphs are replaced
whole, one at a time; transient failures are retried; credentials are never printed.
"""

from __future__ import annotations

import io
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper import SPARQLExceptions as sw_errors

from kg.errors import KGError, QueryError
from kg.iris import GRAPH, PREFIXES
from kg.progress import progress
from kg.store.results import QueryResult, Term, result_from_json
from kg.store.sparql_text import bind_values, query_form

T = TypeVar("T")
TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}
BATCH_TRIPLES = 500  # Virtuoso 7: 20k triples in 1.1 s at 500, 12 s at 1000; its parser fails near 5000


class RemoteError(KGError, ConnectionError):
    """The remote store cannot be reached, refused the credentials, or answered nonsense."""


@dataclass
class RemoteStore:
    """A SPARQL endpoint (queries) with an optional Graph Store Protocol endpoint (loads)."""

    endpoint: str
    update_endpoint: str | None = None
    graph_store: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 0.5

    def __post_init__(self) -> None:
        for name in ("endpoint", "update_endpoint", "graph_store"):
            url = getattr(self, name)
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise RemoteError(f"{name} {_safe(url)!r} is not an http(s) URL")

    # ------------------------------------------------------------------ transport
    def _retry(self, action: Callable[[], T], what: str) -> T:
        delay = self.backoff
        for attempt in range(1, self.retries + 1):
            try:
                return action()
            except _Transient as exc:
                if attempt == self.retries:
                    raise RemoteError(f"{exc} (gave up after {self.retries} attempts at {what})") from None
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _wrapper(self, text: str, accept: str | None = None, graphs: list[str] | None = None) -> SPARQLWrapper:
        sw = SPARQLWrapper(self.endpoint)
        sw.setMethod(POST)
        sw.timeout = self.timeout  # type: ignore[assignment]  # setTimeout would round 0.5 s down to none
        sw.setQuery(text)
        # SPARQLWrapper guesses the form from keywords anywhere, comments included ("what each adds
        # to a count" reads as an ADD update); ours ignores comments and strings, and is never an update
        sw.queryType = query_form(text)
        if accept:
            sw.setOnlyConneg(True)
            sw.addCustomHttpHeader("Accept", accept)
        else:
            sw.setReturnFormat(JSON)
        for g in graphs or []:
            sw.addDefaultGraph(g)
            sw.addNamedGraph(g)
        if self.user is not None:
            sw.setCredentials(self.user, self.password or "")
            sw.setHTTPAuth("DIGEST" if self._digest() else "BASIC")
        return sw

    def _digest(self) -> bool:
        """Whether the server asks for HTTP digest auth (Virtuoso does), learnt from a 401 once."""
        if not hasattr(self, "_uses_digest"):
            self._uses_digest = False
            try:
                urllib.request.urlopen(urllib.request.Request(self.endpoint, method="HEAD"), timeout=self.timeout)
            except urllib.error.HTTPError as exc:
                self._uses_digest = "digest" in (exc.headers.get("WWW-Authenticate") or "").lower()
            except (urllib.error.URLError, OSError):
                pass
        return self._uses_digest

    def _run(self, text: str, *, accept: str | None = None, graphs: list[str] | None = None) -> Any:
        def once() -> Any:
            try:
                return self._wrapper(text, accept, graphs).query()
            except sw_errors.Unauthorized:
                raise RemoteError(f"{_safe(self.endpoint)}: the server refused the credentials (401)") from None
            except sw_errors.QueryBadFormed as exc:
                raise QueryError(f"the server could not parse the query: {_first_line(exc)}") from None
            except sw_errors.EndPointNotFound:
                raise RemoteError(f"{_safe(self.endpoint)}: no SPARQL endpoint at this URL (404)") from None
            except sw_errors.EndPointInternalError as exc:
                raise _Transient(f"server error: {_first_line(exc)}") from None
            except urllib.error.HTTPError as exc:
                if exc.code in TRANSIENT_STATUS:
                    raise _Transient(f"HTTP {exc.code}") from None
                raise RemoteError(f"{_safe(self.endpoint)}: HTTP {exc.code} {exc.reason}") from None
            except (urllib.error.URLError, OSError) as exc:
                raise _Transient(f"{_safe(self.endpoint)} unreachable ({_reason(exc)})") from None

        return self._retry(once, "the query")

    # ------------------------------------------------------------------ queries
    def select(self, text: str, bindings: Mapping[str, Term], *, graphs: list[str] | None = None) -> QueryResult:
        response = self._run(bind_values(text, dict(bindings)), graphs=graphs)
        result = _parse_results(response)
        if not isinstance(result, QueryResult):
            raise RemoteError(f"{_safe(self.endpoint)}: expected SELECT results, got a boolean")
        return result

    def sparql(self, text: str) -> QueryResult | bool | list[ox.Triple]:
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if f"{p}:" in text)
        full = prologue + text
        kind = query_form(text)
        if kind in ("CONSTRUCT", "DESCRIBE"):
            raw = self._run(full, accept="application/n-triples").response.read()
            try:
                return list(ox.parse(io.BytesIO(raw), format=ox.RdfFormat.N_TRIPLES))
            except SyntaxError as exc:
                raise RemoteError(f"{_safe(self.endpoint)}: answered a graph that is not N-Triples: {exc}") from None
        return _parse_results(self._run(full))

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        target = f"<{graph}>" if graph else "?g"
        scope = "" if graph else f'FILTER(STRSTARTS(STR(?g), "{GRAPH}"))'
        result = self.select(f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH {target} {{ ?s ?p ?o }} {scope} }}", {})
        for g, s, p, o in result.rows:
            name = ox.NamedNode(graph) if graph else g
            ok_subject = isinstance(name, ox.NamedNode) and isinstance(s, ox.NamedNode | ox.BlankNode)
            if ok_subject and isinstance(p, ox.NamedNode) and o is not None and not isinstance(o, ox.Triple):
                yield ox.Quad(s, p, o, name)  # type: ignore[arg-type]

    def graphs(self) -> list[str]:
        result = self.select(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}', {}
        )
        return sorted(str(row[0].value) for row in result.rows if isinstance(row[0], ox.NamedNode))

    def __len__(self) -> int:
        result = self.select(
            f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}', {}
        )
        term = result.rows[0][0] if result.rows else None
        return int(term.value) if isinstance(term, ox.Literal) else 0

    # ------------------------------------------------------------------ loads
    def _request(self, method: str, url: str, body: bytes, content_type: str) -> int:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        handlers: list[urllib.request.BaseHandler] = []
        if self.user is not None:
            manager.add_password(None, url, self.user, self.password or "")
            handlers = [urllib.request.HTTPDigestAuthHandler(manager), urllib.request.HTTPBasicAuthHandler(manager)]
        opener = urllib.request.build_opener(*handlers)
        request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})

        def once() -> int:
            try:
                with opener.open(request, timeout=self.timeout) as response:
                    return int(response.status)
            except urllib.error.HTTPError as exc:
                if exc.code == 401:
                    raise RemoteError(f"{_safe(url)}: the server refused the credentials (401)") from None
                if exc.code in TRANSIENT_STATUS:
                    raise _Transient(f"HTTP {exc.code}") from None
                return int(exc.code)
            except (urllib.error.URLError, OSError) as exc:
                raise _Transient(f"{_safe(url)} unreachable ({_reason(exc)})") from None

        return self._retry(once, method)

    def put_graph(self, graph: str, triples: list[ox.Triple]) -> str:
        """Replace one named graph whole; returns the protocol used ("graph store" or "update")."""
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        if self.graph_store:
            url = (
                f"{self.graph_store}{'&' if '?' in self.graph_store else '?'}graph={urllib.parse.quote(graph, safe='')}"
            )
            status = self._request("PUT", url, body, "application/n-triples")
            if 200 <= status < 300:
                return "graph store"
            if status not in (400, 404, 405, 415, 501):
                raise RemoteError(f"{_safe(url)}: PUT of {graph} failed with HTTP {status}")
        self._update_replace(graph, triples)
        return "update"

    def _update_replace(self, graph: str, triples: list[ox.Triple]) -> None:
        """SPARQL Update fallback: fill a staging graph in batches, then MOVE it over the target."""
        target = self.update_endpoint or self.endpoint
        staging = f"{graph}.vskg-staging"
        self._update(target, f"DROP SILENT GRAPH <{staging}>")
        for start in range(0, len(triples), BATCH_TRIPLES):
            chunk = ox.serialize(triples[start : start + BATCH_TRIPLES], format=ox.RdfFormat.N_TRIPLES) or b""
            self._update(target, f"INSERT DATA {{ GRAPH <{staging}> {{ {chunk.decode('utf-8')} }} }}")
        if triples:
            self._update(target, f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph}>")
        else:
            self._update(target, f"DROP SILENT GRAPH <{graph}>")

    def _update(self, url: str, text: str) -> None:
        body = urllib.parse.urlencode({"update": text}).encode("utf-8")
        status = self._request("POST", url, body, "application/x-www-form-urlencoded")
        if not 200 <= status < 300:
            raise RemoteError(f"{_safe(url)}: SPARQL Update failed with HTTP {status}")


class _Transient(Exception):
    """A failure worth retrying (connection refused, timeout, 5xx)."""


def _safe(url: str) -> str:
    """The URL without user:password@, so that credentials never reach a message."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", exc)
    return str(reason)[:200]


def _parse_results(response: Any) -> QueryResult | bool:
    try:
        data = response.convert()
    except Exception as exc:  # SPARQLWrapper raises bare exceptions on bad JSON
        raise RemoteError(f"the server's answer is not SPARQL JSON results: {_first_line(exc)}") from None
    try:
        return result_from_json(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise RemoteError(f"the server's answer is {exc}") from None


@dataclass
class PushReport:
    pushed: list[tuple[str, int, str, float]] = field(default_factory=list)  # graph, triples, protocol, seconds


class PushError(RemoteError):
    """A push stopped part-way: the graphs already pushed are complete, the rest are named."""

    def __init__(self, cause: str, pushed: list[str], not_pushed: list[str]) -> None:
        self.pushed = pushed
        self.not_pushed = not_pushed
        super().__init__(
            f"{cause}\n  pushed and complete ({len(pushed)}): {', '.join(pushed) or 'none'}"
            f"\n  not pushed ({len(not_pushed)}): {', '.join(not_pushed)}"
        )


def push(
    quads_by_graph: Mapping[str, list[ox.Quad]],
    remote: RemoteStore,
    *,
    on_graph: Callable[[str, int], None] | None = None,
) -> PushReport:
    """Replace every named graph on the remote store, one whole graph at a time."""
    report = PushReport()
    names = sorted(quads_by_graph)
    for i, name in enumerate(progress(names, "pushing graphs")):
        triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads_by_graph[name]}, key=str)
        started = time.perf_counter()
        try:
            protocol = remote.put_graph(name, triples)
        except KGError as exc:
            raise PushError(str(exc), [p[0] for p in report.pushed], names[i:]) from None
        report.pushed.append((name, len(triples), protocol, time.perf_counter() - started))
        if on_graph:
            on_graph(name, len(triples))
    return report
