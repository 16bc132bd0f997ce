"""The query workers as the event loop uses them: no thread is held while a query waits for a
worker or runs, yet time limits, queueing and a cancelled request behave as in the blocking path."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from kg.store.disk import current_store_path
from kg.web.executor import BadQuery, QueryExecutor, QueryTimeout
from kg.web.idle_pool import IdlePool
from tests.server_fixtures import RUNAWAY


def test_the_pool_serves_blocking_and_async_takers_in_the_order_they_asked() -> None:
    pool: IdlePool[str] = IdlePool()
    got: list[tuple[str, str | None]] = []

    async def scenario() -> None:
        first = asyncio.ensure_future(pool.take_async(30))
        await asyncio.sleep(0.05)
        blocking = threading.Thread(target=lambda: got.append(("thread", pool.take(30))))
        blocking.start()
        await asyncio.sleep(0.05)
        third = asyncio.ensure_future(pool.take_async(30))
        await asyncio.sleep(0.05)
        for item in ("a", "b", "c"):
            pool.put(item)
        got.append(("first", await first))
        await asyncio.to_thread(blocking.join)
        got.append(("third", await third))

    asyncio.run(scenario())
    assert sorted(got) == [("first", "a"), ("third", "c"), ("thread", "b")]


def test_a_taker_that_gave_up_or_was_cancelled_loses_no_item() -> None:
    pool: IdlePool[str] = IdlePool()
    assert pool.take(0.05) is None  # nothing idle: the wait ends empty-handed

    async def scenario() -> str | None:
        assert await pool.take_async(0.05) is None
        waiting = asyncio.ensure_future(pool.take_async(30))
        await asyncio.sleep(0.05)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        pool.put("only")  # the given-up and the cancelled takers are skipped
        return await pool.take_async(1)

    assert asyncio.run(scenario()) == "only"
    assert pool.take(0.05) is None


@pytest.fixture()
def one_worker(built_store: Path):  # type: ignore[no-untyped-def]
    executor = QueryExecutor(current_store_path(built_store), workers=1, timeout=2, queue_wait=60)
    yield executor
    executor.close()


def test_an_awaited_runaway_query_is_stopped_and_the_queued_one_answered(one_worker: QueryExecutor) -> None:
    async def scenario() -> bytes:
        stopped = asyncio.ensure_future(one_worker.run_async(RUNAWAY))
        await asyncio.sleep(0.3)  # the runaway query has the only worker
        queued = asyncio.ensure_future(one_worker.run_async("ASK { ?s ?p ?o }"))
        with pytest.raises(QueryTimeout, match="longer than 2 s"):
            await stopped
        return (await queued).body

    assert b"true" in asyncio.run(scenario())


def test_a_cancelled_request_does_not_leave_its_answer_for_the_next(one_worker: QueryExecutor) -> None:
    """A client that goes away mid-query must not leave an unread answer in the worker's pipe,
    where the next query would read it as its own."""

    async def scenario() -> tuple[bytes, bytes]:
        first = asyncio.ensure_future(one_worker.run_async("SELECT (1 AS ?first) {}"))
        await asyncio.sleep(0)  # the query is sent, its answer not yet read
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        second = await one_worker.run_async("SELECT (2 AS ?second) {}")
        blocking = await asyncio.to_thread(one_worker.run, "SELECT (3 AS ?third) {}")
        return second.body, blocking.body

    second, third = asyncio.run(scenario())
    assert b'"second"' in second and b'"first"' not in second and b'"third"' in third


def test_a_worker_that_dies_is_replaced(one_worker: QueryExecutor) -> None:
    async def scenario() -> bytes:
        worker = one_worker._all[0]
        worker.process.kill()
        worker.process.join()
        with pytest.raises(BadQuery, match="stopped unexpectedly"):
            await one_worker.run_async("ASK {}")
        return (await one_worker.run_async("ASK { ?s ?p ?o }")).body

    assert b"true" in asyncio.run(scenario())


def test_answers_larger_than_the_pipe_buffer_arrive_whole_under_uvloop(one_worker: QueryExecutor) -> None:
    """uvloop (what `vskg serve` runs on) leaves a watched pipe non-blocking; an answer larger than
    the pipe's buffer must still be read whole, by the awaited and then by the blocking path."""
    import json

    import uvloop

    big = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 3000"

    async def scenario() -> list[bytes]:
        return [(await one_worker.run_async(big)).body for _ in range(3)]

    bodies = uvloop.run(scenario())
    assert all(len(b) > 200_000 for b in bodies) and len(set(bodies)) == 1
    assert len(json.loads(bodies[0])["results"]["bindings"]) == 3000
    assert one_worker.run(big).body == bodies[0]


def test_a_worker_starting_does_not_use_up_the_time_limit_of_its_first_query(built_store: Path) -> None:
    """A worker needs a while to start (imports, the store copied into memory): it takes queries
    only once it is ready, so a limit shorter than that start still lets a quick query through,
    both from a new pool and from the worker that replaces one ended by the limit."""
    executor = QueryExecutor(current_store_path(built_store), workers=1, timeout=0.3, in_memory=True)
    try:
        assert b"true" in executor.run("ASK { ?s ?p ?o }").body
        with pytest.raises(QueryTimeout, match=r"longer than 0\.3 s"):
            executor.run(RUNAWAY)
        assert b"true" in executor.run("ASK { ?s ?p ?o }").body

        async def awaited() -> bytes:
            with pytest.raises(QueryTimeout, match=r"longer than 0\.3 s"):
                await executor.run_async(RUNAWAY)
            return (await executor.run_async("ASK { ?s ?p ?o }")).body

        assert b"true" in asyncio.run(awaited())
    finally:
        executor.close()


def test_closing_while_workers_start_is_quiet(built_store: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A server stopped right after it started (as the tests' short-lived apps are) closes its
    workers once each: no pipe is closed twice, and no worker is reported as failing to start."""
    from kg.web.executor import STARTING

    for _ in range(3):
        QueryExecutor(current_store_path(built_store), workers=2).close()
    for thread in threading.enumerate():
        if thread.name == STARTING:
            thread.join(timeout=60)
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
