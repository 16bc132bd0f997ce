"""A throw-away Virtuoso 7 on loopback for the tests: own database folder, free ports, generated password."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 120
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def available() -> str | None:
    """None when Virtuoso can run here, else the reason it cannot."""
    missing = [b for b in ("virtuoso-t", "isql-vt") if shutil.which(b) is None]
    return f"{', '.join(missing)} not installed (scripts/install-virtuoso.sh installs it)" if missing else None


@dataclass
class Virtuoso:
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="vskg-virtuoso-")))
    sql_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16), repr=False)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def graph_store(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    def start(self, timeout: float = 60.0) -> None:
        ini = self.directory / "virtuoso.ini"
        ini.write_text(INI.format(d=self.directory, sql_port=self.sql_port, http_port=self.http_port), encoding="utf-8")
        log = open(self.directory / "stdout.log", "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            ["virtuoso-t", "-f", "-c", str(ini)], cwd=self.directory, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"virtuoso-t exited: {(self.directory / 'virtuoso.log').read_text(errors='replace')[-2000:]}"
                )
            try:
                urllib.request.urlopen(f"{self.endpoint}?query=ASK%7B%7D", timeout=2).read()
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        else:
            self.stop()
            raise RuntimeError("Virtuoso did not answer within the time limit")
        # The new password goes through stdin, so it never shows in a process listing.
        script = f"user_change_password('dba', 'dba', '{self.password}');\n"
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba"],
            input=script.encode(),
            capture_output=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            self.stop()
            raise RuntimeError(f"could not set the dba password: {done.stdout[-500:]!r}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
