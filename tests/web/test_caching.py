"""Answers carry an ETag made of the build and the request; a client that names it gets 304 without
the query running, and repeated requests are answered from a bounded cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.store.disk import current_store_path
from kg.web.app import create_app
from kg.web.backend import Settings
from kg.web.caching import AnswerCache, Cached, etag, matches
from tests.conftest import PROJECT
from tests.server_fixtures import app_settings

HEADLINE = "/queries/femoral-recurrence-after-surgery-alone"


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    settings = app_settings(built_store, in_memory=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_an_etag_answers_if_none_match_with_304(client: Any) -> None:
    first = client.get(HEADLINE, headers={"Accept": "text/csv"})
    tag = first.headers["etag"]
    assert first.status_code == 200 and first.headers["cache-control"].startswith("public")
    again = client.get(HEADLINE, headers={"Accept": "text/csv", "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = client.get(HEADLINE, headers={"Accept": "application/sparql-results+json", "If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag  # another format, another answer
    cached = client.get(HEADLINE, headers={"Accept": "text/csv"})
    assert cached.content == first.content and cached.headers["etag"] == tag


def test_posted_queries_are_told_apart_by_their_body(client: Any) -> None:
    one = client.post("/sparql", content="SELECT (1 AS ?x) {}", headers={"Content-Type": "application/sparql-query"})
    two = client.post("/sparql", content="SELECT (2 AS ?x) {}", headers={"Content-Type": "application/sparql-query"})
    assert one.status_code == two.status_code == 200
    assert one.headers["etag"] != two.headers["etag"] and one.content != two.content


def test_errors_are_not_cached_and_other_routes_are_untouched(client: Any) -> None:
    bad = client.get("/sparql", params={"query": "SELEC nothing"})
    assert bad.status_code == 400 and "etag" not in bad.headers
    assert "etag" not in client.get("/").headers


def test_a_new_build_changes_every_tag_and_the_cache_is_bounded() -> None:
    assert etag("build-1", "GET", "/x", "", b"") != etag("build-2", "GET", "/x", "", b"")
    assert matches('W/"a", "b"', '"b"') and matches("*", '"c"') and not matches('"a"', '"b"')
    cache = AnswerCache(max_bytes=10)
    cache.put("a", Cached(b"12345", ()))
    cache.put("b", Cached(b"12345", ()))
    cache.get("a")  # a is now the most recently used
    cache.put("c", Cached(b"123", ()))
    assert cache.get("b") is None and cache.get("a") is not None and cache.size <= 10
    cache.put("huge", Cached(b"x" * 11, ()))
    assert cache.get("huge") is None


def test_the_same_body_with_another_content_type_is_another_request(client: Any) -> None:
    good = client.post("/sparql", content="ASK {}", headers={"Content-Type": "application/sparql-query"})
    wrong = client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert good.status_code == 200 and wrong.status_code in (400, 415)


def test_in_memory_workers_answer_as_the_on_disk_store(built_store: Path, client: Any) -> None:
    from fastapi.testclient import TestClient

    settings = app_settings(built_store, in_memory=True)
    with TestClient(create_app(settings), raise_server_exceptions=False) as memory:
        for path in (HEADLINE, "/queries/patients-per-site", "/queries/corpus-table"):
            assert (
                memory.get(path, headers={"Accept": "text/csv"}).content
                == client.get(path, headers={"Accept": "text/csv"}).content
            )


def test_a_new_build_is_served_without_a_restart(tmp_path: Path, data_copy: Path) -> None:
    """`vskg build` switches the store's CURRENT pointer; both HTTP processes of a running server
    see it, answer from the new build, and no tag of the old build still matches."""
    import time

    import httpx

    from kg import build
    from tests.server_fixtures import start_server

    store = tmp_path / "store"
    build(PROJECT.data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=store, validate=False)
    serving = start_server(store, tmp_path / "dumps", "--processes", "2", "--workers", "1")
    live = next(serving)
    count = "PREFIX vskg: <https://w3id.org/vskg/ontology#> SELECT (COUNT(?s) AS ?n) WHERE { ?s a vskg:Source }"

    def ask(client: httpx.Client, **headers: str) -> httpx.Response:
        return client.get("/sparql", params={"query": count}, headers={"Accept": "text/csv", **headers})

    try:
        with httpx.Client(base_url=live.base, timeout=60) as client:
            before = ask(client)
            sources = int(before.text.split()[1])
            old_tag = before.headers["etag"]
            assert ask(client, **{"If-None-Match": old_tag}).status_code == 304
            (data_copy / "kumar-2014-acta.yaml").unlink()
            build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=store,
                  validate=False)  # fmt: skip
            deadline = time.monotonic() + 120
            seen: list[int] = []
            while time.monotonic() < deadline and seen[-10:] != [sources - 1] * 10:
                seen.append(int(ask(client).text.split()[1]))
                time.sleep(0.1)
            assert seen[-10:] == [sources - 1] * 10, seen[-20:]  # both processes answer from the new build
            after = ask(client, **{"If-None-Match": old_tag})
            assert after.status_code == 200 and after.headers["etag"] != old_tag
    finally:
        serving.close()


def test_an_answer_from_the_cache_still_carries_cors_headers(client: Any) -> None:
    """The cache sits inside the CORS layer: a browser on another origin gets the header whether or
    not the answer was already cached by a request that had no Origin."""
    query = {"query": "SELECT (3 AS ?cors) {}"}
    plain = client.get("/sparql", params=query)
    assert plain.status_code == 200 and "access-control-allow-origin" not in plain.headers
    cross = client.get("/sparql", params=query, headers={"Origin": "https://example.org"})
    assert cross.content == plain.content and cross.headers["etag"] == plain.headers["etag"]
    assert cross.headers["access-control-allow-origin"] == "*"
    unchanged = client.get(
        "/sparql", params=query, headers={"Origin": "https://example.org", "If-None-Match": plain.headers["etag"]}
    )
    assert unchanged.status_code == 304 and unchanged.headers["access-control-allow-origin"] == "*"
    # public answers may sit in a shared cache: it must not hand the one without the CORS header
    # to a browser on another origin
    for response in (plain, cross, unchanged):
        assert [v.strip() for v in response.headers["vary"].split(",")] == ["Accept", "Origin"]


def test_a_body_without_a_length_is_refused_once_it_passes_the_limit() -> None:
    """A chunked body declares no length: the cache layer counts it as it arrives and answers 413 at
    the limit, without reading the rest or calling the route."""
    import asyncio

    from kg.web.middleware import ConditionalCache

    routed: list[bytes] = []
    chunks_read: list[int] = []
    sent: list[dict[str, Any]] = []

    async def route(scope: Any, receive: Any, send: Any) -> None:
        routed.append((await receive())["body"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"yes", "more_body": True})
        await send({"type": "http.response.body", "body": b"!"})

    def ask(chunks: int) -> list[dict[str, Any]]:
        async def receive() -> dict[str, Any]:
            chunks_read.append(1)
            return {"type": "http.request", "body": b"x" * 1000, "more_body": len(chunks_read) < chunks}

        async def send(message: Any) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/sparql", "headers": [], "query_string": b"",
                 "scheme": "http", "server": ("test", 80), "root_path": ""}  # fmt: skip
        chunks_read.clear()
        sent.clear()
        layer = ConditionalCache(route, build=lambda: "b1", cache=AnswerCache(10_000), max_body=2500)
        asyncio.run(layer(scope, receive, send))
        return list(sent)

    refused = ask(1000)
    assert refused[0]["status"] == 413 and len(chunks_read) == 3 and routed == []
    assert b"larger than 2500 bytes" in refused[1]["body"]
    answered = ask(2)
    assert routed == [b"x" * 2000] and answered[0]["status"] == 200
    headers = dict(answered[0]["headers"])
    assert headers[b"content-length"] == b"4" and headers[b"etag"] and answered[1]["body"] == b"yes!"


def test_other_methods_and_routes_pass_through_untouched(client: Any) -> None:
    head = client.head("/queries/patients-per-site")
    assert head.status_code in (200, 405) and "etag" not in head.headers
    page = client.get("/browse")
    assert page.status_code == 200 and "etag" not in page.headers and "cache-control" not in page.headers


def test_small_builds_are_served_from_memory_unless_told_otherwise(built_store: Path) -> None:
    import dataclasses

    from kg.cli.main import parser
    from kg.web.backend import serve_from_memory

    path = current_store_path(built_store)
    auto = Settings(path, PROJECT.queries, None)
    assert auto.in_memory is None and serve_from_memory(auto, path)  # the corpus: about 12k quads
    assert not serve_from_memory(dataclasses.replace(auto, in_memory_below=1000), path)
    assert not serve_from_memory(dataclasses.replace(auto, in_memory=False), path)
    assert serve_from_memory(dataclasses.replace(auto, in_memory=True, in_memory_below=0), path)
    flags = {(): None, ("--in-memory",): True, ("--on-disk",): False}
    for given, meant in flags.items():
        assert parser().parse_args(["serve", *given]).in_memory is meant
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--in-memory", "--on-disk"])


def test_the_server_spreads_over_the_cores_unless_told() -> None:
    from kg.cli.main import parser

    assert parser().parse_args(["serve"]).processes is None  # one HTTP process per core, at most 4
    assert parser().parse_args(["serve", "--processes", "3"]).processes == 3
    for wrong in ("0", "-1", "two"):
        with pytest.raises(SystemExit):
            parser().parse_args(["serve", "--processes", wrong])
