"""The files the server offers beside its answers - the dumps of the whole graph and the HTML
report - written on the first request that needs them, never at start: no answer depends on them,
and writing them (about 1 s and 8 s on the corpus) held up the server's start."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import multiprocessing as mp
from pathlib import Path

log = logging.getLogger("kg.web")
LOCK = ".writing"  # a dot file: never listed as a dump


def dumps_present(folder: Path) -> bool:
    return any(folder.glob("vskg.*"))


def report_present(folder: Path) -> bool:
    return (folder / "report.html").is_file()


def _write(kind: str, store_path: str, queries_dir: str, folder: str) -> None:
    """Child process: write the dumps or the report from the build served, unless another process
    wrote them while this one waited for the lock. Its own process: the report draws with
    matplotlib and computes for seconds, which would hold the server process's interpreter."""
    import pyoxigraph as ox

    from kg.query.graph import KnowledgeGraph

    target = Path(folder)
    with (target / LOCK).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (dumps_present if kind == "dumps" else report_present)(target):
            return
        graph = KnowledgeGraph(ox.Store.read_only(store_path), queries_dir=Path(queries_dir))
        if kind == "dumps":
            graph.export(target)
        else:
            from kg.views.report import write_report

            write_report(graph, target)


class Artefacts:
    """Writes a missing artefact once per folder: requests of one server process wait for the same
    writer, and the server's other processes wait on the folder's lock file, then find it written."""

    def __init__(self, queries_dir: Path) -> None:
        self.queries_dir = queries_dir
        self._locks: dict[str, asyncio.Lock] = {}
        self._done: set[Path] = set()

    async def ensure(self, kind: str, folder: Path | None, store_path: Path) -> bool:
        """Whether the dumps (kind "dumps") or the report ("report") are in `folder`, written
        first from the build at `store_path` when they are missing."""
        if folder is None:
            return False
        if folder in self._done:
            return True
        lock = self._locks.setdefault(kind, asyncio.Lock())
        async with lock:
            if folder not in self._done:
                written = await asyncio.to_thread(self._write_and_wait, kind, folder, store_path)
                if written:
                    self._done.add(folder)
        return folder in self._done

    def _write_and_wait(self, kind: str, folder: Path, store_path: Path) -> bool:
        present = dumps_present if kind == "dumps" else report_present
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / LOCK).open("w") as lock:  # wait while another server process writes
            fcntl.flock(lock, fcntl.LOCK_EX)
            if present(folder):
                return True
        writer = mp.get_context("spawn").Process(
            target=_write, args=(kind, str(store_path), str(self.queries_dir), str(folder)), daemon=True
        )
        writer.start()
        writer.join()
        if writer.exitcode != 0 or not present(folder):
            log.error("writing the %s into %s failed (exit status %s)", kind, folder, writer.exitcode)
            return False
        return True
