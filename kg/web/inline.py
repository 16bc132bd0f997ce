"""Queries that a worker has shown to be cheap, answered again in the server's own process.

A query sent to a worker process pays two pipe hops, pickling and a process switch: for a count
that pyoxigraph answers in 50 us, that was nine tenths of the request. pyoxigraph cannot stop a
query, so the server's process may only run a query whose cost it knows: each request a worker
answered within CHEAP_SECONDS is remembered (its text and every option, on this build's store),
and the same request is then evaluated here, without a time limit it could never reach. A request
that runs slower here than it did in the worker (a loaded machine) goes back to the workers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from kg.web.evaluation import Answer, respond

CHEAP_SECONDS = 0.002  # what a worker took, at most; the event loop is held this long at most
SLOW_HERE = 4  # times CHEAP_SECONDS: a request this slow here is sent to the workers again
REMEMBERED = 4096  # requests, least recently used forgotten first


class InlineQueries:
    """The cheap requests of one build, and a read-only handle on its store (opened at first use).

    With `in_memory` (what the workers do for a small build) the store is copied into memory in a
    thread of its own at first use, and the workers answer until the copy is ready: a cheap query
    then costs 60 % of what it costs on the disk store, and a cheap answer's time here matches the
    time that made it cheap in a worker."""

    def __init__(self, store_path: Path, *, in_memory: bool = False) -> None:
        self.store_path = store_path
        self.in_memory = in_memory
        self._copying = False
        self._cheap: OrderedDict[Hashable, None] = OrderedDict()
        self._lock = threading.Lock()
        self._store: Any = None
        self._closed = False

    @staticmethod
    def key(request: dict[str, Any]) -> Hashable:
        """The request as a dictionary key: every option, lists (the dataset's graphs) as tuples."""
        key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in request.items()))
        try:
            hash(key)
        except TypeError:  # an option of a kind no caller sends today
            return repr(key)
        return key

    def learn(self, request: dict[str, Any], answer: Answer) -> Answer:
        """Remember a request a worker answered, if it was cheap; gives the answer back."""
        if answer.seconds is not None and answer.seconds <= CHEAP_SECONDS:
            key = self.key(request)
            with self._lock:
                self._cheap[key] = None
                self._cheap.move_to_end(key)
                while len(self._cheap) > REMEMBERED:
                    self._cheap.popitem(last=False)
        return answer

    def answer(self, request: dict[str, Any]) -> Answer | None:
        """The answer computed here, or None when the request is not known to be cheap."""
        key = self.key(request)
        with self._lock:
            if key not in self._cheap or self._closed:
                return None
            self._cheap.move_to_end(key)
        store = self._open()
        if store is None:
            return None
        status, payload = respond(store, request)
        if status != "ok" or payload.seconds > SLOW_HERE * CHEAP_SECONDS:
            self.forget(key)  # a worker answers it from now on (and says what went wrong, if anything)
        return payload if status == "ok" else None

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._cheap.pop(key, None)

    def _open(self) -> Any:
        with self._lock:
            if self._store is None and not self._closed and not self._copying:
                if self.in_memory:
                    self._copying = True
                    threading.Thread(target=self._copy, name="vskg-inline-copy", daemon=True).start()
                else:
                    self._store = self._read_only()
            return self._store

    def _read_only(self) -> Any:
        import pyoxigraph as ox

        try:
            return ox.Store.read_only(str(self.store_path))
        except OSError:
            self._closed = True  # the workers report what is wrong with the store
            return None

    def _copy(self) -> None:
        from kg.store.embedded import memory_copy

        with self._lock:
            disk = None if self._closed else self._read_only()
        if disk is None:
            return
        try:
            copy = memory_copy(disk)
        except (OSError, MemoryError, SyntaxError):
            self.close()  # the workers answer everything, and say what is wrong with the store
            return
        with self._lock:
            if not self._closed:
                self._store = copy

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._store = None
            self._cheap.clear()
