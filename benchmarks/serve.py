"""Serving benchmark: `vskg serve` against Oxigraph's own server (PyPI `oxigraph`, serve-read-only,
the same engine version) and a throw-away Virtuoso 7, on the same graph and the same query texts,
loaded by `wrk` on loopback.

    bash scripts/bench-serve.sh [--seconds 10] [--clients 1,10,50] [--sources 1000] [--processes 2] [--runaway-seconds 60]

For the corpus and a synthetic literature of N sources it measures the headline query (raw SPARQL,
site bound), a cheap count, a heavy stored query (data-gaps, raw SPARQL) and a repeated stored-query
request (`GET /queries/...`, vskg only), first checking that the three servers give the same rows.
Writes benchmarks/results/serve.json and prints a Markdown table of req/s, p50, p99 and the ratios.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.targets import serve_targets
from benchmarks.targets import table as targets_table
from tests.server_fixtures import RUNAWAY, free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
JSON = "application/sparql-results+json"
COUNT = "PREFIX vskg: <https://w3id.org/vskg/ontology#>\nSELECT (COUNT(*) AS ?n) WHERE { ?g a vskg:Case }"


def wait_for(url: str, process: subprocess.Popen[bytes] | None, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
                raise RuntimeError(f"no answer from {url}") from None
            time.sleep(0.3)


def texts() -> dict[str, str]:
    """The query texts every server runs: prefixes written out, parameters bound (as VALUES, or
    written in where a parameter is inline)."""
    from kg.iris import PREFIXES
    from kg.query.catalog import load_catalog

    catalog = load_catalog(ROOT / "queries")
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    out = {}
    for label, name in (("headline", "femoral-recurrence-after-surgery-alone"), ("heavy", "data-gaps")):
        stored = catalog[name]
        text = stored.bound_text(stored.bindings({}))
        # no comment lines or indentation: Virtuoso refuses a GET of 10,000 characters or more
        lines = (line.strip() for line in text.splitlines() if not line.startswith("PREFIX "))
        out[label] = prologue + "\n".join(line for line in lines if line and not line.startswith("#"))
    out["count"] = COUNT
    return out


def rows(url: str) -> list[tuple[str, ...]]:
    request = urllib.request.Request(url, headers={"Accept": JSON})
    data = json.loads(urllib.request.urlopen(request, timeout=120).read())
    names = data["head"]["vars"]

    def value(cell: dict[str, str] | None) -> str:
        if cell is None:
            return ""
        text = cell["value"]
        try:
            return repr(round(float(text), 6))
        except ValueError:  # a GROUP_CONCAT's parts come in any order
            return "; ".join(sorted(text.split("; ")))

    return sorted(tuple(value(b.get(v)) for v in names) for b in data["results"]["bindings"])


def wrk(url: str, clients: int, seconds: int) -> dict[str, float]:
    done = subprocess.run(
        ["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "60s", "--latency",
         "-H", f"Accept: {JSON}", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    out = done.stdout

    def ms(label: str) -> float:
        found = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            return float("nan")
        return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(refused.group(1)) if refused else 0) + (sum(int(n) for n in socket.groups()) if socket else 0)
    return {"rps": float(rate.group(1)) if rate else 0.0, "p50_ms": ms("50%"), "p99_ms": ms("99%"),
            "errors": float(errors)}  # fmt: skip


def serve_all(name: str, data: Path, work: Path, processes: int) -> tuple[dict[str, str], list[Any]]:
    """Build the graph and start the servers on it (vskg with and without its answer cache,
    Oxigraph, a Virtuoso of its own); their query URLs, and what to stop."""
    from benchmarks.run import start_virtuoso
    from kg.build.pipeline import build
    from kg.store.remote import RemoteStore, push
    from kg.views.report import write_report

    store = work / name / "store"
    graph = build(data, ontology_dir=ROOT / "ontology", queries_dir=ROOT / "queries", store_path=store, validate=False)
    dump = graph.export(work / name / "dumps", formats=["nq"])[0]
    write_report(graph, work / name / "dumps" / "report")  # once, before the servers start (each would write it)
    by_graph: dict[str, list[Any]] = {}
    for quad in graph.quads():
        by_graph.setdefault(quad.graph_name.value, []).append(quad)  # type: ignore[union-attr]
    virtuoso = start_virtuoso(work / name)
    if virtuoso is None:
        raise SystemExit("Virtuoso is not available (scripts/install-virtuoso.sh installs it)")
    push(
        by_graph,
        RemoteStore(virtuoso.endpoint, graph_store=virtuoso.graph_store, user="dba", password=virtuoso.password),
    )
    del graph, by_graph
    oxi = work / name / "oxigraph"
    binary = str(Path(sys.executable).parent / "oxigraph")
    subprocess.run([binary, "load", "--location", str(oxi), "--file", str(dump)], check=True, capture_output=True)
    ports = {"vskg": free_port(), "vskg_nocache": free_port(), "oxigraph": free_port()}
    started = []
    for label, cache in (("vskg", "64000000"), ("vskg_nocache", "0")):
        started.append(subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--dumps", str(work / name / "dumps"),
             "--port", str(ports[label]), "--processes", str(processes), "--timeout", "60", "--max-results", "100000",
             "--cache-bytes", cache],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))  # fmt: skip
    started.append(subprocess.Popen(
        [binary, "serve-read-only", "--location", str(oxi), "--bind", f"127.0.0.1:{ports['oxigraph']}", "--union-default-graph"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    ))  # fmt: skip
    bases = {
        "vskg": f"http://127.0.0.1:{ports['vskg']}/sparql",
        "vskg_nocache": f"http://127.0.0.1:{ports['vskg_nocache']}/sparql",
        "oxigraph": f"http://127.0.0.1:{ports['oxigraph']}/query",
        "virtuoso": virtuoso.endpoint,
    }
    for label, process in zip(("vskg", "vskg_nocache", "oxigraph"), started, strict=True):
        wait_for(bases[label] + "?query=ASK%7B%7D", process)
    return bases, [*started, virtuoso]


def measure(
    name: str, bases: dict[str, str], clients: list[int], seconds: int, runaway_seconds: int = 0
) -> list[dict[str, Any]]:
    results = []
    for label, text in texts().items():
        urls = {server: base + "?" + urllib.parse.urlencode({"query": text}) for server, base in bases.items()}
        answers = {server: rows(url) for server, url in urls.items()}
        equal = len({json.dumps(a) for a in answers.values()}) == 1
        for c in clients:
            entry: dict[str, Any] = {"graph": name, "query": label, "clients": c, "answers_equal": equal,
                                     "rows": len(answers["vskg"])}  # fmt: skip
            for server, url in urls.items():
                for key, value in wrk(url, c, seconds).items():
                    entry[f"{server}_{key}"] = value
            results.append(entry)
            print(json.dumps(entry), flush=True)
    stored = bases["vskg"].removesuffix("/sparql") + "/queries/femoral-recurrence-after-surgery-alone"
    for c in clients:
        entry = {"graph": name, "query": "stored query, repeated", "clients": c, "answers_equal": True}
        entry |= {f"vskg_{k}": v for k, v in wrk(stored, c, seconds).items()}
        results.append(entry)
        print(json.dumps(entry), flush=True)
    if runaway_seconds:
        results.append(under_runaway(name, bases["vskg_nocache"], texts()["headline"], runaway_seconds))
        print(json.dumps(results[-1]), flush=True)
    return results


def under_runaway(name: str, base: str, text: str, seconds: int) -> dict[str, Any]:
    """50 clients on the headline query (vskg without its answer cache, so every request needs a
    query worker) while one more client keeps sending a query that runs until the time limit."""
    import threading
    import urllib.error

    stop = threading.Event()
    statuses: list[int] = []

    def runaway() -> None:
        url = base + "?" + urllib.parse.urlencode({"query": RUNAWAY})
        while not stop.is_set():
            try:
                statuses.append(urllib.request.urlopen(url, timeout=600).status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
            except OSError:
                statuses.append(0)

    client = threading.Thread(target=runaway, daemon=True)
    client.start()
    time.sleep(1)
    measured = wrk(base + "?" + urllib.parse.urlencode({"query": text}), 50, seconds)
    stop.set()
    client.join(timeout=600)
    entry: dict[str, Any] = {"graph": name, "query": "headline, no answer cache, one runaway client", "clients": 50,
                             "answers_equal": True, "runaway_statuses": sorted(set(statuses))}  # fmt: skip
    return entry | {f"vskg_{k}": v for k, v in measured.items()}


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| graph | query | clients | vskg req/s | p50 / p99 ms | errors | vskg, no answer cache | Oxigraph req/s "
        "| Virtuoso req/s | vskg/Oxigraph | vskg/Virtuoso | no cache / Oxigraph | no cache / Virtuoso | same rows |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        vskg, bare, oxi, virt = (r.get(f"{k}_rps") for k in ("vskg", "vskg_nocache", "oxigraph", "virtuoso"))
        peers = [_rate(bare), _rate(oxi), _rate(virt)]
        peers += [_ratio(a, b) for a, b in ((vskg, oxi), (vskg, virt), (bare, oxi), (bare, virt))]
        lines.append(
            f"| {r['graph']} | {r['query']} | {r['clients']} | {_rate(vskg)} | "
            f"{r['vskg_p50_ms']:.1f} / {r['vskg_p99_ms']:.1f} | {r.get('vskg_errors', 0):.0f} | {' | '.join(peers)} | "
            f"{'yes' if r['answers_equal'] else 'NO'} |"
        )
    return "\n".join(lines)


def _rate(value: float | None) -> str:
    """A request rate; 0 means that no request finished within the run, "-" that none was made."""
    if value is None:
        return "-"
    return f"{value:.1f}" if 0 < value < 10 else f"{value:.0f}"


def _ratio(over: float | None, under: float | None) -> str:
    return f"{over / under:.2f}" if over is not None and under else "-"


def save(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """benchmarks/results/serve.json, rewritten after each graph so a later failure keeps what was measured."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"date": time.strftime("%Y-%m-%d"), "seconds": args.seconds, "processes": args.processes}
    (RESULTS / "serve.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=1) + "\n", encoding="utf-8"
    )


def main() -> int:
    from benchmarks.run import synth

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--sources", type=int, default=1000, help="size of the synthetic literature")
    parser.add_argument("--processes", type=int, default=2, help="vskg's HTTP processes")
    parser.add_argument(
        "--runaway-seconds", type=int, default=60, help="50 clients and one runaway client for this long (0: skip)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (scripts/bench-serve.sh installs it)")
    work = Path(tempfile.mkdtemp(prefix="vskg-serve-bench-"))
    clients = [int(c) for c in args.clients.split(",")]
    results: list[dict[str, Any]] = []
    try:
        graphs = [("corpus", ROOT / "data"), (f"{args.sources} sources", synth(work, args.sources * 195)[0])]
        for name, data in graphs:
            bases, servers = serve_all(name, data, work, args.processes)
            try:
                results += measure(name, bases, clients, args.seconds, args.runaway_seconds)
                save(results, args)
            finally:
                for server in servers:
                    if isinstance(server, subprocess.Popen):
                        server.terminate()
                        server.wait(timeout=30)
                    else:
                        server.stop()
                        server.cleanup()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"date": time.strftime("%Y-%m-%d"), "seconds": args.seconds, "processes": args.processes}
    (RESULTS / "serve.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=1) + "\n", encoding="utf-8"
    )
    print(table(results))
    print()
    print(
        targets_table(
            serve_targets(results), f"Targets ({meta['date']}, {args.processes} HTTP processes, wrk {args.seconds} s)"
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
