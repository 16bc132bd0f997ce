"""Runs read-only queries in worker processes, so that a runaway query can be stopped.

pyoxigraph cannot interrupt a query, so each worker process opens the on-disk store read-only
and a query that outlives its time limit is ended by ending its worker; a fresh worker takes its
place while the other workers keep answering. Results come back already serialised, cut off at a
row limit.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing as mp
import os
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg.web.evaluation import DIED, answer_of, respond
from kg.web.evaluation import Answer as Answer
from kg.web.evaluation import BadQuery as BadQuery  # where callers have always imported them from
from kg.web.evaluation import QueryTimeout as QueryTimeout
from kg.web.evaluation import ResultTooLarge as ResultTooLarge
from kg.web.idle_pool import IdlePool, settle
from kg.web.inline import InlineQueries

log = logging.getLogger("kg.web")


def _serve(path: str, conn: Connection, in_memory: bool = False) -> None:
    """Worker loop: open the store read-only (or copy it into memory), answer until the pipe closes."""
    import pyoxigraph as ox

    from kg.store.embedded import memory_copy

    store = ox.Store.read_only(path)
    if in_memory:  # every lookup from memory instead of a RocksDB seek; costs the copy at start
        store = memory_copy(store)
    conn.send(READY)
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        conn.send(respond(store, request))


BUSY = "every query worker is busy; try again shortly"
READY = ("ready", None)
STARTUP_SECONDS = 600.0  # opening the store, or copying a large one into memory
STARTING = "vskg-query-worker-start"  # the threads that wait for a new worker to be ready


class _Worker:
    def __init__(self, path: str, context: Any, in_memory: bool = False) -> None:
        self.parent, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(path, child, in_memory), daemon=True)
        self.process.start()
        child.close()
        self._stopping = threading.Lock()
        self.stopped = False

    def stop(self) -> None:
        """End the process and close the pipe, once: the pool, a timed-out query and the thread
        waiting for the worker's start may all try, and a pipe closed twice could close another's."""
        with self._stopping:
            if self.stopped:
                return
            self.stopped = True
            if self.process.is_alive():
                self.process.kill()
            self.process.join(timeout=5)
            self.parent.close()


class QueryExecutor:
    """A pool of worker processes over one on-disk store."""

    def __init__(
        self,
        store_path: Path,
        *,
        workers: int = 2,
        timeout: float = 10.0,
        max_results: int = 10_000,
        in_memory: bool = False,
        queue_wait: float = 30.0,
    ) -> None:
        self.store_path = str(store_path)
        self.in_memory = in_memory
        self.timeout = timeout
        # a query's time limit counts from when a worker takes it: a short query queued behind a
        # runaway one (or on a machine loaded by something else) waits for a worker, up to this long
        self.queue_wait = max(queue_wait, timeout)
        self.max_results = max_results
        self._context = mp.get_context("spawn")
        self._idle: IdlePool[_Worker] = IdlePool()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        self._closed = False
        self._inline = InlineQueries(store_path, in_memory=in_memory)  # cheap requests, answered without a worker
        # the first worker starts alone, the others once it takes queries: at a server's start every
        # process starts workers at once, and the first answer waits for the first of them
        self._later = max(1, workers) - 1
        self._add()

    def _add(self) -> None:
        with self._lock:
            if self._closed:
                return
            worker = _Worker(self.store_path, self._context, self.in_memory)
            self._all.append(worker)
        threading.Thread(target=self._hand_out_when_ready, args=(worker,), name=STARTING, daemon=True).start()

    def _hand_out_when_ready(self, worker: _Worker) -> None:
        """Put a new worker in the pool once it has the store open: its start (imports, the copy into
        memory) must not count against the time limit of the first query it is given."""
        try:
            ready = worker.parent.poll(STARTUP_SECONDS) and worker.parent.recv() == READY
        except (EOFError, OSError):
            ready = False
        if worker.stopped:  # the executor was closed while the worker started
            return
        if not ready:
            log.error("a query worker on %s did not start", self.store_path)
            worker.stop()  # its first query finds it gone, reports that and starts another
        self._idle.put(worker)
        with self._lock:
            later, self._later = self._later, 0
        for _ in range(later):
            self._add()

    def _request(self, text: str, request: dict[str, Any]) -> dict[str, Any]:
        return {
            "text": text,
            "limit": self.max_results,
            "solutions_format": "application/sparql-results+json",
            "boolean_format": "application/sparql-results+json",
            "graph_format": "application/n-triples",
            **request,
        }

    def run(self, text: str, *, wait: float | None = None, **request: Any) -> Answer:
        """Evaluate one query, blocking; raises QueryTimeout, ResultTooLarge or BadQuery."""
        full = self._request(text, request)
        known = self._inline.answer(full)
        if known is not None:
            return known
        worker = self._idle.take(wait if wait is not None else self.queue_wait)
        if worker is None:
            raise QueryTimeout(BUSY)
        outcome = self._ask(worker, full, self.timeout)
        if outcome is None or outcome == DIED:
            self._replace(worker)
        else:
            self._idle.put(worker)
        return self._inline.learn(full, answer_of(outcome, self.timeout))

    async def run_async(
        self, text: str, *, wait: float | None = None, seconds: float | None = None, **request: Any
    ) -> Answer:
        """`run` for the event loop: no thread is held while the query waits or runs. `seconds`
        replaces the time limit, for a query the server asks itself (never a client's text)."""
        limit = seconds if seconds is not None else self.timeout
        full = self._request(text, request)
        known = self._inline.answer(full)
        if known is not None:
            return known
        worker = await self._idle.take_async(wait if wait is not None else self.queue_wait)
        if worker is None:
            raise QueryTimeout(BUSY)
        try:
            outcome = await self._ask_async(worker, full, limit)
        except asyncio.CancelledError:  # its answer would be left unread in the pipe
            await asyncio.to_thread(self._replace, worker)
            raise
        if outcome is None or outcome == DIED:
            await asyncio.to_thread(self._replace, worker)  # starting a process takes a while
        else:
            self._idle.put(worker)
        return self._inline.learn(full, answer_of(outcome, limit))

    @staticmethod
    def _ask(worker: _Worker, request: dict[str, Any], seconds: float) -> tuple[str, Any] | None:
        """The worker's answer, None when it is too slow, DIED when it is gone."""
        try:
            worker.parent.send(request)
            if not worker.parent.poll(seconds):
                return None
            status, payload = worker.parent.recv()
            return str(status), payload
        except (EOFError, BrokenPipeError, ConnectionError, OSError):
            return DIED

    @staticmethod
    async def _ask_async(worker: _Worker, request: dict[str, Any], seconds: float) -> tuple[str, Any] | None:
        """`_ask`, waiting for the worker's pipe to become readable on the event loop."""
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        try:
            worker.parent.send(request)
            fd = worker.parent.fileno()
            loop.add_reader(fd, settle, readable)
            try:
                await asyncio.wait_for(readable, seconds)
            except TimeoutError:
                return None
            finally:
                loop.remove_reader(fd)
                # uvloop leaves a watched descriptor non-blocking, and a Connection reads and
                # writes whole messages only on a blocking one
                os.set_blocking(fd, True)
            # the answer is complete before the worker starts writing it: reading it waits only
            # for the copy through the pipe
            status, payload = worker.parent.recv()
            return str(status), payload
        except (EOFError, BrokenPipeError, ConnectionError, OSError):
            return DIED

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        worker.stop()
        self._add()

    def close(self) -> None:
        self._inline.close()
        with self._lock:
            self._closed = True
            workers, self._all = self._all, []
        for worker in workers:
            worker.stop()

    def close_when_idle(self) -> None:
        """Stop every worker once it has answered what it holds (a query runs at most `timeout`)."""
        for _ in range(len(self._all)):
            worker = self._idle.take(self.timeout + 5)
            if worker is None:
                break
            with self._lock:
                if worker in self._all:
                    self._all.remove(worker)
            worker.stop()
        self.close()
