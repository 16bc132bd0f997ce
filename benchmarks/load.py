"""Load test of `vskg serve` on loopback: 50 concurrent clients for 60 s, then the same with one
client sending runaway queries. Bounded in time and in requests; stops by itself.

    .venv/bin/python -m benchmarks.load [--clients 50] [--seconds 60]

Prints a Markdown table and writes benchmarks/results/load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx

from kg.build.pipeline import build
from kg.project import Project
from kg.query.catalog import load_catalog
from tests.server_fixtures import RUNAWAY, free_port

MAX_REQUESTS_PER_PHASE = 200_000
RAW = [
    "SELECT ?label WHERE { ?s a vskg:Source ; vskg:displayLabel ?label } ORDER BY ?label",
    "SELECT (COUNT(*) AS ?n) WHERE { ?g a vskg:Case }",
    "ASK { ?c a vskg:Cohort ; vskg:patientCount ?n FILTER(?n > 50) }",
    "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/vskg/id/case/hong-2016-table-1> AS ?s) ?s ?p ?o }",
]


@dataclass
class Phase:
    name: str
    seconds: float
    requests: int = 0
    errors: int = 0
    runaway_requests: int = 0
    runaway_stopped: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float | int | str]:
        lat = sorted(self.latencies_ms) or [0.0]
        return {
            "phase": self.name,
            "requests": self.requests,
            "throughput_per_s": round(self.requests / self.seconds, 1),
            "p50_ms": round(statistics.median(lat), 1),
            "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1),
            "errors": self.errors,
            "runaway_requests": self.runaway_requests,
            "runaway_stopped_at_timeout": self.runaway_stopped,
        }


async def client_loop(
    client: httpx.AsyncClient, targets: list[tuple[str, dict[str, str]]], phase: Phase, deadline: float, offset: int
) -> None:
    i = offset
    while time.monotonic() < deadline and phase.requests < MAX_REQUESTS_PER_PHASE:
        path, params = targets[i % len(targets)]
        i += 1
        started = time.perf_counter()
        try:
            response = await client.get(path, params=params)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        phase.latencies_ms.append((time.perf_counter() - started) * 1000)
        phase.requests += 1
        phase.errors += 0 if ok else 1


async def runaway_loop(client: httpx.AsyncClient, phase: Phase, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            response = await client.get("/sparql", params={"query": RUNAWAY}, timeout=120)
            phase.runaway_stopped += response.status_code == 503
        except httpx.HTTPError:
            pass
        phase.runaway_requests += 1


async def run_phase(base: str, name: str, clients: int, seconds: float, runaway: bool) -> Phase:
    catalog = load_catalog(Project.find().queries)
    targets: list[tuple[str, dict[str, str]]] = [
        (f"/queries/{q}", {}) for q in sorted(catalog) if not q.startswith("qc/")
    ]
    targets += [("/sparql", {"query": q}) for q in RAW]
    phase = Phase(name, seconds)
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients + 2, max_keepalive_connections=clients + 2)
    async with httpx.AsyncClient(
        base_url=base, limits=limits, timeout=60, headers={"Accept": "application/sparql-results+json, text/turtle"}
    ) as client:
        tasks = [client_loop(client, targets, phase, deadline, i) for i in range(clients)]
        if runaway:
            tasks.append(runaway_loop(client, phase, deadline))
        await asyncio.gather(*tasks)
    return phase


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=5.0, help="the server's query time limit")
    args = parser.parse_args()
    project = Project.find()
    build(project.data, store_path=project.store)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--timeout", str(args.timeout)],
        cwd=project.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        phases = [
            asyncio.run(run_phase(base, "stored queries and raw SPARQL", args.clients, args.seconds, False)),
            asyncio.run(
                run_phase(base, "same, plus one client sending runaway queries", args.clients, args.seconds, True)
            ),
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = [p.summary() for p in phases]
    machine = f"{platform.machine()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, Python {platform.python_version()}"
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine,
        "clients": args.clients,
        "seconds": args.seconds,
        "query_timeout_s": args.timeout,
        "phases": rows,
    }
    out = project.root / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        f"Load test, {report['date']}, {machine}; {args.clients} clients, {args.seconds:g} s per phase, query timeout {args.timeout:g} s\n"
    )
    print("| phase | requests | req/s | p50 ms | p99 ms | errors | runaway queries (stopped at timeout) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['phase']} | {r['requests']} | {r['throughput_per_s']} | {r['p50_ms']} | {r['p99_ms']} | {r['errors']} | "
            f"{r['runaway_requests']} ({r['runaway_stopped_at_timeout']}) |"
        )
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
