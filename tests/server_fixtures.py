"""A live `vskg serve` on loopback for the tests, over a store built from the repository's data."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from kg.store.disk import current_store_path
from tests.conftest import PROJECT, ROOT

if TYPE_CHECKING:
    from kg.web.backend import Settings

# a four-way cartesian product of every triple: runs for hours unless a time limit stops it
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_settings(store: Path, **options: Any) -> Settings:
    """Server settings over the current build of a test store, its dumps beside it."""
    from kg.web.backend import Settings

    return Settings(current_store_path(store), PROJECT.queries, store.parent / "dumps", **options)


@dataclass
class LiveServer:
    base: str
    process: subprocess.Popen[bytes]


def start_server(store: Path, dumps: Path, *extra: str) -> Generator[LiveServer, None, None]:
    # the log goes to a file, not a pipe: nobody reads it while the server runs, and a full pipe
    # would stop the server mid-test
    with tempfile.TemporaryFile() as log:
        yield from _serve_logging_to(log, store, dumps, extra)


def _serve_logging_to(log: IO[bytes], store: Path, dumps: Path, extra: tuple[str, ...]) -> Iterator[LiveServer]:
    port = free_port()
    command = ["-m", "kg.cli", "serve", "--store", str(store), "--dumps", str(dumps), "--port", str(port), *extra]
    process = subprocess.Popen([sys.executable, *command], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=2).read()
                break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    raise RuntimeError(f"vskg serve did not start: {output[-2000:]}") from None
                time.sleep(0.2)
        yield LiveServer(base, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
