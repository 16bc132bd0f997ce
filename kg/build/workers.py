"""Record files read and mapped to quads by worker processes, each owning a fixed share of the files.

A full build spends most of its time in Python (YAML, pydantic, the mapping), which one process
cannot spread over cores. Each worker reads its share and sends back the parsed records. The main
process checks every record against every other, then sends every group's kind (links between
files name groups by id only), and each worker maps its own records and answers with N-Quads,
which pyoxigraph loads without the GIL.
The serial path, for small folders, runs the same two steps in-process.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import socket
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from kg.build.mapping import source_nquads
from kg.errors import KGError, RecordError, RecordErrors
from kg.progress import progress
from kg.records.loading import load_file
from kg.records.model import SourceRecord
from kg.records.vocabulary import Vocabulary

PARALLEL_FROM_FILES = 200  # below this, starting interpreters costs more than it saves
TICK = 25  # files between progress messages
LOST = "a build worker stopped without answering (killed, or out of memory?)"
WORKER = "import sys; from kg.build.workers import serve; serve(int(sys.argv[1]))"


@dataclass
class Share:
    """What one reader found: records by file, pickled, and the errors of the files that failed."""

    records: bytes
    errors: list[tuple[str, str, str]]


def read_share(paths: Iterable[Path], tick: Any = None) -> tuple[Share, dict[str, SourceRecord]]:
    records: dict[str, SourceRecord] = {}
    errors: list[tuple[str, str, str]] = []
    for i, path in enumerate(paths, start=1):
        try:
            records[str(path)] = load_file(path)
        except RecordErrors as exc:
            errors += [(e.file, e.field, e.problem) for e in exc.errors]
        except RecordError as exc:
            errors.append((exc.file, exc.field, exc.problem))
        if tick is not None and i % TICK == 0:
            tick(TICK)
    return Share(pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL), errors), records


def map_share(records: list[SourceRecord], vocab: Vocabulary, kinds: dict[str, str]) -> bytes:
    return "".join(source_nquads(rec, vocab, kinds) for rec in records).encode()


def serve(fd: int) -> None:
    """A worker's life: read its share, wait for the kinds, map, answer; the main process sees any failure."""
    # Reading allocates millions of short-lived acyclic objects, which refcounting frees: the cycle
    # collector's passes over them were a tenth of a reader's time, and a worker lives for one build.
    gc.disable()
    conn = Connection(fd)
    try:
        paths, vocab = conn.recv()
        share, records = read_share([Path(p) for p in paths], lambda n: conn.send(("tick", n)))
        conn.send(("read", share))
        kinds = conn.recv()
        conn.send(("mapped", map_share(list(records.values()), vocab, kinds)))
    except (EOFError, BrokenPipeError):
        pass  # the main process has gone (it failed, or was interrupted): nothing to report to
    except BaseException as exc:
        with contextlib.suppress(OSError):
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


class Readers:
    """Reads and maps the record files: in worker processes, or in this one when `workers` is 1
    (default: 2 on a multi-core machine for PARALLEL_FROM_FILES files or more).

    Use as a context manager so that no worker outlives the build.
    """

    def __init__(self, paths: list[Path], vocab: Vocabulary, workers: int | None = None) -> None:
        if workers is None:
            workers = min(2, os.cpu_count() or 1) if len(paths) >= PARALLEL_FROM_FILES else 1
        self.paths = paths
        self.vocab = vocab
        self.conns: list[Connection] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        self.records: dict[str, SourceRecord] = {}
        if workers <= 1:
            return
        # Plain interpreters, not multiprocessing's spawn: that would re-run the caller's main script.
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        try:
            for k in range(workers):
                mine, theirs = socket.socketpair()
                proc = subprocess.Popen(
                    [sys.executable, "-c", WORKER, str(theirs.fileno())], pass_fds=[theirs.fileno()], env=env
                )
                theirs.close()
                conn = Connection(mine.detach())
                self.conns.append(conn)
                self.procs.append(proc)
                self._send(conn, ([str(p) for p in paths[k::workers]], vocab))
        except BaseException:
            self.__exit__()
            raise

    def __enter__(self) -> Readers:
        return self

    def __exit__(self, *exc: object) -> None:
        for conn in self.conns:
            conn.close()
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    @staticmethod
    def _send(conn: Connection, message: object) -> None:
        try:
            conn.send(message)
        except OSError:
            raise KGError(LOST) from None

    def _receive(self, conn: Connection) -> tuple[Any, ...]:
        try:
            message: tuple[Any, ...] = conn.recv()
        except (EOFError, OSError):
            raise KGError(LOST) from None
        if message[0] == "failed":
            raise KGError(f"a build worker failed: {message[1]}")
        return message

    def _ticks(self, replies: dict[Any, Share]) -> Iterator[None]:
        while len(replies) < len(self.conns):
            for conn in wait([c for c in self.conns if c not in replies]):
                message = self._receive(conn)  # type: ignore[arg-type]
                if message[0] == "tick":
                    yield from [None] * message[1]
                else:
                    replies[conn] = message[1]

    def read(self) -> dict[Path, SourceRecord]:
        """Every record by file, in sorted order; raises every file's errors together."""
        if self.conns:
            replies: dict[Any, Share] = {}
            for _ in progress(self._ticks(replies), "reading records", total=len(self.paths)):
                pass
            shares = [replies[c] for c in self.conns]
        else:
            share, self.records = read_share(progress(self.paths, "reading records"))
            shares = [share]
        errors = [RecordError(*e) for share in shares for e in share.errors]
        if errors:
            order = {str(p): i for i, p in enumerate(self.paths)}
            errors.sort(key=lambda e: order.get(e.file, len(order)))
            raise errors[0] if len(errors) == 1 else RecordErrors(errors)
        if self.conns:
            for share in shares:
                self.records.update(pickle.loads(share.records))
        return {p: self.records[str(p)] for p in self.paths}

    def map(self, kinds: dict[str, str]) -> list[bytes]:
        """N-Quads of every record, a chunk from each worker, mapping the records it read."""
        if not self.conns:
            return [map_share(list(self.records.values()), self.vocab, kinds)]
        for conn in self.conns:
            self._send(conn, kinds)
        chunks = [self._receive(conn)[1] for conn in self.conns]
        self.records.clear()
        return chunks
