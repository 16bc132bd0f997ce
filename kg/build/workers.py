"""Record files read, checked and mapped to quads by worker processes, each owning a fixed share of the files.

A full build spends most of its time in Python (YAML, pydantic, the checks, the mapping), which one
process cannot spread over cores. Each worker reads its share and sends back a summary of each
record (not the record: unpickling every record in the main process was a tenth of a build). The
main process checks the summaries against each other and sends back what checking one record
needs of all the others (source ids, every group), and each worker checks its own records and, when
every check passed, maps them and answers with N-Quads, which pyoxigraph loads without the GIL.
The serial path, for small folders, runs the same steps in-process.
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
from kg.records.checks import check_each, raise_all
from kg.records.loading import load_file
from kg.records.model import SourceRecord
from kg.records.summaries import Corpus, RecordSummary, summarize
from kg.records.vocabulary import Vocabulary

PARALLEL_FROM_FILES = 200  # below this, starting interpreters costs more than it saves
TICK = 25  # files between progress messages
LOST = "a build worker stopped without answering (killed, or out of memory?)"
WORKER = "import sys; from kg.build.workers import serve; serve(int(sys.argv[1]))"
Problem = tuple[str, str, str]  # a RecordError's file, field and problem, as sent between processes


@dataclass
class Share:
    """What one reader found: a summary of each record by file, the errors of the files that failed,
    and the records themselves (pickled) only when the caller keeps them."""

    summaries: dict[str, RecordSummary]
    errors: list[Problem]
    records: bytes | None = None


def _problems(errors: Iterable[RecordError]) -> list[Problem]:
    return [(e.file, e.field, e.problem) for e in errors]


def read_share(paths: Iterable[Path], keep: bool = False, tick: Any = None) -> tuple[Share, dict[str, SourceRecord]]:
    records: dict[str, SourceRecord] = {}
    errors: list[Problem] = []
    for i, path in enumerate(paths, start=1):
        try:
            records[str(path)] = load_file(path)
        except RecordErrors as exc:
            errors += _problems(exc.errors)
        except RecordError as exc:
            errors += _problems([exc])
        if tick is not None and i % TICK == 0:
            tick(TICK)
    kept = pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL) if keep else None
    return Share({p: summarize(r) for p, r in records.items()}, errors, kept), records


def check_and_map(
    records: dict[str, SourceRecord], vocab: Vocabulary, corpus: Corpus, map_them: bool
) -> tuple[list[Problem], bytes]:
    """The problems of each record; its N-Quads only if there are none and `map_them`."""
    problems = _problems(check_each({Path(p): r for p, r in records.items()}, vocab, corpus))
    if problems or not map_them:
        return problems, b""
    kinds = corpus.kinds
    return [], "".join(source_nquads(rec, vocab, kinds) for rec in records.values()).encode()


def serve(fd: int) -> None:
    """A worker's life: read its share, wait for the corpus, check and map, answer.

    The main process sees any failure."""
    # Reading allocates millions of short-lived acyclic objects, which refcounting frees: the cycle
    # collector's passes over them were a tenth of a reader's time, and a worker lives for one build.
    gc.disable()
    conn = Connection(fd)
    try:
        paths, vocab, keep = conn.recv()
        share, records = read_share([Path(p) for p in paths], keep, lambda n: conn.send(("tick", n)))
        conn.send(("read", share))
        corpus, map_them = conn.recv()
        conn.send(("mapped", check_and_map(records, vocab, corpus, map_them)))
    except (EOFError, BrokenPipeError):
        pass  # the main process has gone (it failed, or was interrupted): nothing to report to
    except BaseException as exc:
        with contextlib.suppress(OSError):
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


class Readers:
    """Reads, checks and maps the record files: in worker processes, or in this one when `workers`
    is 1 (default: 2 on a multi-core machine for PARALLEL_FROM_FILES files or more). With `keep`,
    the parsed records come back to this process too (`records`); a build needs only summaries.

    Use as a context manager so that no worker outlives the build.
    """

    def __init__(self, paths: list[Path], vocab: Vocabulary, workers: int | None = None, keep: bool = False) -> None:
        if workers is None:
            workers = min(2, os.cpu_count() or 1) if len(paths) >= PARALLEL_FROM_FILES else 1
        self.paths = paths
        self.vocab = vocab
        self.conns: list[Connection] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        self.keep = keep
        self.records: dict[Path, SourceRecord] = {}  # every parsed record, by file, when kept
        self._own: dict[str, SourceRecord] = {}  # records in this process: the serial path's, or the kept ones
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
                self._send(conn, ([str(p) for p in paths[k::workers]], vocab, keep))
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

    def read(self) -> dict[Path, RecordSummary]:
        """A summary of every record by file, in sorted order; raises every file's errors together."""
        if self.conns:
            replies: dict[Any, Share] = {}
            for _ in progress(self._ticks(replies), "reading records", total=len(self.paths)):
                pass
            shares = [replies[c] for c in self.conns]
        else:
            share, self._own = read_share(progress(self.paths, "reading records"))
            shares = [share]
        raise_all(self._in_file_order(share.errors for share in shares))
        if self.keep:
            for share in shares:
                if share.records is not None:
                    self._own.update(pickle.loads(share.records))
            self.records = {p: self._own[str(p)] for p in self.paths}
        summaries = {path: summary for share in shares for path, summary in share.summaries.items()}
        return {p: summaries[str(p)] for p in self.paths}

    def check_and_map(self, corpus: Corpus, map_them: bool = True) -> tuple[list[RecordError], list[bytes]]:
        """The problems of every record checked against the corpus, in file order, and (with
        `map_them`, when there are none) the N-Quads of every record: a chunk from each worker."""
        if self.conns:
            for conn in self.conns:
                self._send(conn, (corpus, map_them))
            replies = [self._receive(conn)[1] for conn in self.conns]
        else:
            replies = [check_and_map(self._own, self.vocab, corpus, map_them)]
            if not self.keep:
                self._own.clear()
        return self._in_file_order(problems for problems, _ in replies), [chunk for _, chunk in replies]

    def _in_file_order(self, shares: Iterable[list[Problem]]) -> list[RecordError]:
        order = {str(p): i for i, p in enumerate(self.paths)}
        errors = [RecordError(*e) for problems in shares for e in problems]
        return sorted(errors, key=lambda e: order.get(e.file, len(order)))
