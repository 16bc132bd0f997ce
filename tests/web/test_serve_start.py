"""`vskg serve` starts without doing work no answer needs: it prints nothing but where it serves
(no warning), writes no dump or report at start, and writes them when they are first asked for."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.server_fixtures import free_port

BROWSER = {"Accept": "text/html"}


def _wait_for_answer(client: httpx.Client, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120  # a guard against a server that never answers, not a measure
    while True:
        try:
            if client.get("/sparql", params={"query": "ASK {}"}).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"vskg serve did not answer: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)


def test_serve_starts_quietly_and_writes_dumps_and_report_only_when_asked(built_store: Path, tmp_path: Path) -> None:
    dumps = tmp_path / "dist"  # nothing exported yet: the server used to write it all before serving
    log = tmp_path / "serve.log"
    port = free_port()
    command = [sys.executable, "-m", "kg.cli", "serve", "--store", str(built_store), "--dumps", str(dumps),
               "--port", str(port), "--processes", "2"]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            _wait_for_answer(client, process, log)
            assert not dumps.exists()
            for path in ("/browse", "/queries/patients-per-site", "/id/case/hong-2016-table-1", "/openapi.json"):
                assert client.get(path, headers=BROWSER).status_code == 200, path
            started = log.read_text(errors="replace")
            assert "warning" not in started.lower() and "Traceback" not in started, started
            assert not dumps.exists()
            # the landing page lists the dumps among the dataset's downloads: they are written now
            assert client.get("/", headers=BROWSER).status_code == 200
            listing = client.get("/dumps", headers={"Accept": "application/json"}).json()
            assert {"vskg.ttl", "vskg.trig", "vskg.nq"} <= {d["name"] for d in listing}
            assert (dumps / "vskg.ttl").is_file() and not (dumps / "report").exists()
            report = client.get("/report")
            assert report.status_code == 200 and "Citation audit" in report.text
            assert (dumps / "report" / "report.html").is_file()
    finally:
        process.terminate()
        process.wait(timeout=30)
