"""A request that a worker answered cheaply is answered again in the server's process, identically;
anything else still goes to the workers, with their time limit."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store.disk import current_store_path
from kg.web.evaluation import Answer
from kg.web.executor import QueryExecutor, QueryTimeout
from kg.web.inline import CHEAP_SECONDS, InlineQueries
from tests.server_fixtures import RUNAWAY

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?g a vskg:Case }"


@pytest.fixture()
def executor(built_store: Path):  # type: ignore[no-untyped-def]
    running = QueryExecutor(current_store_path(built_store), workers=1, timeout=2, queue_wait=60)
    yield running
    running.close()


def _stop_every_worker(executor: QueryExecutor) -> None:
    for worker in list(executor._all):
        worker.process.kill()
        worker.process.join()


def _answer_of_a_worker(executor: QueryExecutor, text: str) -> Answer:
    # a loaded machine can make one evaluation slower than CHEAP_SECONDS: ask until one is not
    for _ in range(50):
        answer = executor.run(text, prefixes=True)
        assert answer.seconds is not None
        if answer.seconds <= CHEAP_SECONDS:
            return answer
    pytest.skip("no evaluation was cheap on this loaded machine")


def test_a_cheap_request_is_answered_again_without_a_worker(executor: QueryExecutor) -> None:
    first = _answer_of_a_worker(executor, COUNT)
    _stop_every_worker(executor)
    again = executor.run(COUNT, prefixes=True)
    assert (again.kind, again.body, again.media_type) == (first.kind, first.body, first.media_type)
    assert asyncio.run(executor.run_async(COUNT, prefixes=True)).body == first.body


def test_the_same_text_with_other_options_is_another_request(executor: QueryExecutor) -> None:
    _answer_of_a_worker(executor, COUNT)
    _stop_every_worker(executor)
    with pytest.raises(Exception, match="stopped unexpectedly"):  # went to the (dead) worker
        executor.run(COUNT, prefixes=True, solutions_format="text/csv")


def test_a_slow_query_is_never_run_here_and_still_stopped_at_the_limit(executor: QueryExecutor) -> None:
    for _ in range(2):
        with pytest.raises(QueryTimeout, match="longer than 2 s"):
            asyncio.run(executor.run_async(RUNAWAY))
    assert executor._inline.answer(executor._request(RUNAWAY, {})) is None


def test_a_request_that_fails_is_not_remembered(executor: QueryExecutor) -> None:
    with pytest.raises(Exception, match=r"cannot|parse|Syntax|expected"):
        executor.run("SELECT ?x WHERE { ?x ", prefixes=True)
    assert not executor._inline._cheap


def test_nothing_is_answered_here_after_closing(built_store: Path) -> None:
    inline = InlineQueries(current_store_path(built_store))
    request = {"text": "ASK {}", "limit": 10, "boolean_format": "application/sparql-results+json"}
    inline.learn(request, Answer("boolean", b"", "x", seconds=0.0))
    assert inline.answer(request) is not None
    inline.close()
    assert inline.answer(request) is None


def test_a_small_build_is_answered_here_from_memory_once_copied(built_store: Path) -> None:
    path = current_store_path(built_store)
    on_disk, in_memory = InlineQueries(path), InlineQueries(path, in_memory=True)
    json_results = "application/sparql-results+json"
    request = {"text": COUNT, "limit": 10, "solutions_format": json_results, "prefixes": True, "union": True}
    cheap = Answer("solutions", b"", json_results, seconds=0.0)
    on_disk.learn(request, cheap)
    expected = on_disk.answer(request)
    assert expected is not None and b'"n"' in expected.body
    for _ in range(600):  # the copy is made in a thread of its own; the workers answer meanwhile
        in_memory.learn(request, cheap)  # an answer slower here than in a worker forgets the request
        again = in_memory.answer(request)
        if again is not None:
            break
        time.sleep(0.1)
    assert again is not None and again.body == expected.body
    copy = in_memory._store  # a copy of its own: it takes a write, which the store on disk refuses
    copy.add(ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"), ox.Literal("o")))
    assert len(copy) == len(ox.Store.read_only(str(path))) + 1
    in_memory.close()
    on_disk.close()
