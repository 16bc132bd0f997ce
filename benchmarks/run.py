"""Benchmarks of vskg at about 10k, 100k, 400k and 1M triples of synthetic literature.

    .venv/bin/python -m benchmarks.run [--sizes 10000,100000,400000,1000000] [--runs 3] [--no-virtuoso]

Each figure is a median of several runs and is reported as a ratio to a baseline measured in the
same run. Steps whose memory matters run in a child process and report its peak RSS. Writes
benchmarks/results/bench.json and benchmarks/results/scaling.png and prints a Markdown table, then
the speed targets each measure is judged against (benchmarks.targets).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.targets import DEFAULT_SITE, EMPTY_SITE, build_targets, growth_pair
from benchmarks.targets import table as targets_table

ROOT = Path(__file__).resolve().parent.parent
TRIPLES_PER_SOURCE = 185.0  # measured on the generator's output at 100k-1M triples
RDFLIB_LIMIT_S = 20.0
QUERY_RUNS = 11
# What one triple-pattern scan and one join cost at each size, with no query design involved: the
# growth this machine shows by itself, to read a stored query's growth against.
SCAN_REFERENCE = {
    "scan": "SELECT (COUNT(*) AS ?n) WHERE { ?group vskg:hasEvent ?event }",
    "join": "SELECT (COUNT(*) AS ?n) WHERE { ?group vskg:hasEvent ?event . ?event a ?class }",
}
HEADLINE = "femoral-recurrence-after-surgery-alone"
SITE_GROUPS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g vskg:hasTumour/vskg:primarySite/a/rdfs:subClassOf ?site }"


def child(code: str, *args: str, timeout: float = 3600) -> dict[str, Any]:
    """Run a measurement in a fresh interpreter; it prints one JSON line; add its peak memory."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across fork and exec, so it would count this parent too
    wrapper = code + (
        "\nimport json, re\nhwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())\n"
        "RESULT['peak_mb'] = int(hwm.group(1)) / 1024 if hwm else float('nan')\n"
        # the largest child (a build's reader processes): they exit before the stores are loaded
        "import resource\nRESULT['child_peak_mb'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps(RESULT))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark step failed: {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


BUILD = """
import sys, time
from pathlib import Path
from kg.build.pipeline import build
t = time.perf_counter(); g = build(Path(sys.argv[1]), store_path=Path(sys.argv[2])); s = time.perf_counter() - t
RESULT = {"seconds": s, "quads": len(g)}
"""
BULK = """
import sys, time, pyoxigraph as ox
t = time.perf_counter(); store = ox.Store(sys.argv[2]); store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS); store.flush()
RESULT = {"seconds": time.perf_counter() - t, "quads": len(store)}
"""
RDFLIB_BUILD = """
import sys, time
from pathlib import Path
from kg.build.pipeline import compile_quads
from kg.store.interop import to_rdflib_dataset
t = time.perf_counter(); c = compile_quads(Path(sys.argv[1]), Path("ontology")); ds = to_rdflib_dataset(c.quads)
RESULT = {"seconds": time.perf_counter() - t, "quads": len(c.quads)}
"""
RDFLIB_QUERY = """
import sys, time, rdflib
ds = rdflib.Dataset(default_union=True); ds.parse(sys.argv[1], format="nquads")
text = open(sys.argv[2]).read()
times = []
for _ in range(int(sys.argv[3])):
    t = time.perf_counter(); list(ds.query(text)); times.append(time.perf_counter() - t)
RESULT = {"times": times}
"""
SHACL = """
import sys, time
from pathlib import Path
from kg.query.graph import KnowledgeGraph
from kg.store.disk import open_store
from kg.build.validation import compiled_shacl_problems, shacl_problems
g = KnowledgeGraph(open_store(Path(sys.argv[1])))
t = time.perf_counter(); compiled_shacl_problems(g.store, Path("ontology/shapes.ttl")); compiled = time.perf_counter() - t
RESULT = {"compiled_s": compiled}
if sys.argv[2] == "1":
    t = time.perf_counter(); shacl_problems(g.store, Path("ontology/shapes.ttl")); RESULT["pyshacl_s"] = time.perf_counter() - t
"""
REBUILD = """
import sys, time
from pathlib import Path
from kg.build.pipeline import update
path = Path(sys.argv[1]) / sys.argv[3]
text = path.read_text()
# a different edit every run: the previous run's store holds the previous edit
path.write_text(text.replace("label: Synthetic", "label: Edited synthetic", 1) + f"# edit {time.time_ns()}\\n")
t = time.perf_counter(); report = update(Path(sys.argv[1]), store_path=Path(sys.argv[2])); s = time.perf_counter() - t
path.write_text(text)
assert report.changed == [path.stem] and not report.full, report
RESULT = {"seconds": s, "changed": len(report.changed), "full": int(report.full)}
"""
QUERIES = """
import sys
from pathlib import Path
from benchmarks.run import time_queries
RESULT = time_queries(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
"""
REASON = """
import time
from pathlib import Path
from kg.records.vocabulary import read_ontology
from kg.build.reasoning import hermit_types
t = time.perf_counter(); hermit_types(read_ontology(Path("ontology"))); RESULT = {"seconds": time.perf_counter() - t}
"""


def synth(work: Path, target_triples: int) -> tuple[Path, int, int]:
    """The synthetic literature of one size (seed 1), written once per run: (folder, sources, patients)."""
    from kg.curation.synth import synthesize

    data, sizes = work / f"synth-{target_triples}", work / f"synth-{target_triples}.json"
    if not sizes.exists():
        sources, patients = synthesize(None, 1, data, sources=max(5, round(target_triples / TRIPLES_PER_SOURCE)))
        sizes.write_text(json.dumps([sources, patients]), encoding="utf-8")
    sources, patients = json.loads(sizes.read_text(encoding="utf-8"))
    return data, sources, patients


def median_runs(runs: int, fn: Any) -> dict[str, Any]:
    return median_of([fn() for _ in range(runs)])


def median_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    out = {k: statistics.median(r[k] for r in results) for k in results[0] if isinstance(results[0][k], int | float)}
    return out


def plain_form(text: str) -> str:
    """The same question without the materialised closure: subclass paths walked at query time."""
    return re.sub(r"rdfs:subClassOf(?![*+])", "rdfs:subClassOf*", text)


def present_params(graph: Any, stored: Any) -> dict[str, Any]:
    """Parameter values the synthetic graph holds: an instance parameter whose default (a case or
    source of the real corpus) names nothing there takes the first instance of its class, as an
    absent one is refused."""
    from kg.errors import TermError
    from kg.query.terms import TermRequest, resolve

    chosen: dict[str, Any] = {}
    for p in stored.params:
        if p.range is None or not p.range.instances or p.default is None:
            continue
        try:
            resolve(stored.name, [TermRequest(p.name, p.default, p.range)], lambda t: graph.store.select(t, {}))
        except TermError:
            chosen[p.name] = str(graph.store.select(p.range.choices_query(), {}).column("term")[0])
    return chosen


def time_queries(data: Path, runs: int, store_root: Path | None = None) -> dict[str, Any]:
    """p50 and p95 of every stored query on the in-memory graph built from `data`, each run followed
    by its plain-SPARQL form on a store without the materialised closure; the p50 on the on-disk
    store at `store_root` (what `KnowledgeGraph.open`, `vskg query` and `vskg serve` read); and the
    scan reference."""
    import pyoxigraph as ox

    from kg.build.pipeline import build
    from kg.iris import INFERRED_GRAPH, PREFIXES
    from kg.query.catalog import load_catalog
    from kg.query.graph import KnowledgeGraph
    from kg.store.disk import open_store
    from kg.store.embedded import memory_store

    graph = build(data, validate=False)
    on_disk = KnowledgeGraph(open_store(store_root), queries_dir=ROOT / "queries") if store_root else None
    plain_store = memory_store(q for q in graph.quads() if q.graph_name != ox.NamedNode(INFERRED_GRAPH))
    catalog = {n: q for n, q in load_catalog(ROOT / "queries").items() if not n.startswith("qc/")}

    def plain(text: str) -> None:
        solutions = plain_store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
        assert isinstance(solutions, ox.QuerySolutions)
        list(solutions)

    queries = {}
    for name, stored in sorted(catalog.items()):
        params = present_params(graph, stored)
        text = plain_form(stored.bound_text(stored.bindings(params)))
        graph.query(name, **params)  # the first run pays for lazily built structures; not counted
        ours, theirs = [], []
        for _ in range(runs):
            t = time.perf_counter()
            graph.query(name, **params)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            plain(text)
            theirs.append(time.perf_counter() - t)
        queries[name] = {
            "p50_ms": 1000 * statistics.median(ours),
            "p95_ms": 1000 * percentile(ours, 0.95),
            "plain_pyoxigraph_p50_ms": 1000 * statistics.median(theirs),
        }
        if on_disk is not None:
            on_disk.query(name, **params)
            disk = []
            for _ in range(max(3, runs // 2)):
                t = time.perf_counter()
                on_disk.query(name, **params)
                disk.append(time.perf_counter() - t)
            queries[name]["on_disk_p50_ms"] = 1000 * statistics.median(disk)
    reference = {}
    for name, text in SCAN_REFERENCE.items():
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            plain(text)
            times.append(time.perf_counter() - t)
        reference[name] = {"query": text, "p50_ms": 1000 * statistics.median(times)}
    return {"queries": queries, "reference": reference, "headline_by_site": headline_by_site(graph, runs)}


def headline_by_site(graph: Any, runs: int) -> dict[str, Any]:
    """The headline at a site with no groups and at its default site: p50 and the site's groups, so
    that its growth can be read against the site's groups rather than the corpus."""
    import pyoxigraph as ox

    from kg.iris import VSKG

    out = {}
    for site in (EMPTY_SITE, DEFAULT_SITE):
        counted = graph.store.select(SITE_GROUPS, {"site": ox.NamedNode(VSKG + site.removeprefix("vskg:"))})
        graph.query(HEADLINE, site=site)  # not counted, as for every stored query
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            graph.query(HEADLINE, site=site)
            times.append(time.perf_counter() - t)
        out[site] = {"groups": int(counted.rows[0][0].value), "p50_ms": 1000 * statistics.median(times)}
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_size(target_triples: int, runs: int, work: Path, virtuoso: Any | None) -> dict[str, Any]:
    import pyoxigraph as ox

    from kg.build.pipeline import build
    from kg.iris import PREFIXES
    from kg.query.catalog import load_catalog
    from kg.store.dumps import export

    data, sources, patients = synth(work, target_triples)
    store_root = work / f"store-{target_triples}"
    report: dict[str, Any] = {"target_triples": target_triples, "sources": sources, "patients": patients}

    graph = build(data, validate=False)
    quads = list(graph.quads())
    report["triples"] = len(quads)
    nq = work / f"quads-{target_triples}.nq"
    ox.serialize(quads, str(nq), ox.RdfFormat.N_QUADS)
    # each build is paired with a bulk load run right after it, so that the ratio compares runs made
    # under the same machine conditions (on this shared machine both vary by up to 25 % over minutes)
    pairs = [
        (child(BUILD, str(data), str(store_root)), child(BULK, str(nq), tempfile.mkdtemp(dir=work)))
        for _ in range(runs)
    ]
    builds = median_of([b for b, _ in pairs])
    bulk = median_of([k for _, k in pairs])
    ratio_to_bulk_load = statistics.median(k["seconds"] / b["seconds"] for b, k in pairs)
    rdf_build = child(RDFLIB_BUILD, str(data)) if target_triples <= 1_000_000 else None
    first = sorted(p.name for p in data.glob("*.yaml"))[0]
    rebuild = median_runs(runs, lambda: child(REBUILD, str(data), str(store_root), first))
    report["rebuild_one_source"] = {
        "seconds": rebuild["seconds"],
        "full_build_seconds": builds["seconds"],
        "speedup": builds["seconds"] / rebuild["seconds"],
        "changed": rebuild["changed"],
        "was_full": rebuild["full"],
        "peak_mb": rebuild["peak_mb"],
    }
    report["build"] = {
        "seconds": builds["seconds"],
        "patients_per_s": patients / builds["seconds"],
        "triples_per_s": len(quads) / builds["seconds"],
        "peak_mb": builds["peak_mb"],
        "reader_peak_mb": builds["child_peak_mb"],
        "bulk_load_seconds": bulk["seconds"],
        "bulk_load_triples_per_s": len(quads) / bulk["seconds"],
        "ratio_to_bulk_load": ratio_to_bulk_load,
        "rdflib_seconds": rdf_build["seconds"] if rdf_build else None,
        "rdflib_peak_mb": rdf_build["peak_mb"] if rdf_build else None,
        "speedup_over_rdflib": (rdf_build["seconds"] / builds["seconds"]) if rdf_build else None,
    }

    catalog = {n: q for n, q in load_catalog(ROOT / "queries").items() if not n.startswith("qc/")}
    # timed in a fresh interpreter holding nothing but the graph
    timed = child(QUERIES, str(data), str(max(QUERY_RUNS, runs)), str(store_root))
    report["scan_reference"] = timed["reference"]
    report["headline_by_site"] = timed["headline_by_site"]
    queries: dict[str, Any] = {}
    for name, stored in sorted(catalog.items()):
        params = present_params(graph, stored)
        text = stored.bound_text(stored.bindings(params))
        entry = timed["queries"][name]
        if target_triples <= 100_000:
            qfile = work / f"{name}.rq"
            qfile.write_text(
                "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + plain_form(text), encoding="utf-8"
            )
            try:
                rdf = child(
                    RDFLIB_QUERY, str(nq), str(qfile), "3" if target_triples <= 10_000 else "1", timeout=RDFLIB_LIMIT_S
                )
                entry["rdflib_p50_ms"] = 1000 * statistics.median(rdf["times"])
            except subprocess.TimeoutExpired:
                entry["rdflib_p50_ms"] = None  # did not finish in time
            except RuntimeError:
                entry["rdflib_p50_ms"] = None  # rdflib could not evaluate it (e.g. an aggregate over unbound values)
        if virtuoso is not None:
            remote = virtuoso["graph"]
            remote.query(name, **params)  # as for the embedded store, the first run is not counted
            times = []
            for _ in range(max(QUERY_RUNS, runs)):
                t = time.perf_counter()
                remote.query(name, **params)
                times.append(time.perf_counter() - t)
            entry["virtuoso_p50_ms"] = 1000 * statistics.median(times)
        queries[name] = entry
    report["queries"] = queries

    exports = {}
    out = work / f"dumps-{target_triples}"
    for fmt in ("ttl", "trig", "nt", "nq", "jsonld"):
        t = time.perf_counter()
        export(graph.quads(), out, formats=[fmt])
        ours_s = time.perf_counter() - t
        rdf_format = {
            "ttl": ox.RdfFormat.TURTLE,
            "trig": ox.RdfFormat.TRIG,
            "nt": ox.RdfFormat.N_TRIPLES,
            "nq": ox.RdfFormat.N_QUADS,
            "jsonld": ox.RdfFormat.JSON_LD,
        }[fmt]
        data_in = (
            quads if rdf_format.supports_datasets else [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        )
        t = time.perf_counter()
        ox.serialize(data_in, str(out / f"baseline.{fmt}"), rdf_format)
        exports[fmt] = {"seconds": ours_s, "pyoxigraph_seconds": time.perf_counter() - t}
    report["export"] = exports
    report["shacl"] = child(SHACL, str(store_root), "1" if target_triples <= 100_000 else "0")
    report["reasoning"] = child(REASON)
    return report


def start_virtuoso(work: Path) -> Any | None:
    sys.path.insert(0, str(ROOT))
    from tests.virtuoso import Virtuoso, available

    if available() is not None:
        return None
    server = Virtuoso(directory=work / "virtuoso")
    server.directory.mkdir(parents=True, exist_ok=True)
    server.start()
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,400000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-virtuoso", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="vskg-bench-"))
    results = []
    server = None if args.no_virtuoso else start_virtuoso(work)
    try:
        for size in sizes:
            virtuoso = None
            if server is not None:
                import pyoxigraph as ox

                from kg.build.pipeline import build
                from kg.query.graph import KnowledgeGraph
                from kg.store.remote import RemoteStore, push

                data = synth(work, size)[0]
                g = build(data, validate=False)
                by_graph: dict[str, list[Any]] = {}
                for q in g.quads():
                    if isinstance(q.graph_name, ox.NamedNode):  # every quad of a built graph is in a named graph
                        by_graph.setdefault(q.graph_name.value, []).append(q)
                remote = RemoteStore(
                    server.endpoint, graph_store=server.graph_store, user="dba", password=server.password
                )
                t = time.perf_counter()
                push(by_graph, remote)
                del g, by_graph  # the parent keeps no second copy while it measures
                virtuoso = {
                    "graph": KnowledgeGraph(remote, queries_dir=ROOT / "queries"),
                    "push_s": time.perf_counter() - t,
                }
            result = bench_size(size, args.runs, work, virtuoso)
            if virtuoso:
                result["virtuoso_push_s"] = virtuoso["push_s"]
            results.append(result)
            print(f"measured {size}: {result['triples']} triples", file=sys.stderr)
    finally:
        if server is not None:
            server.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.machine()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, Python {platform.python_version()}"
    summary = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine,
        "runs": args.runs,
        "sizes": results,
        "peak_rss_parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    (out / "bench.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    plot(results, out / "scaling.png")
    print(table(summary))
    print()
    print(targets_table(build_targets(summary), f"Targets ({summary['date']}, {machine})"))
    return 0


def plot(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["triples"] for r in results]
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5))
    a.loglog(sizes, [r["build"]["seconds"] for r in results], "o-", label="vskg build (records to validated store)")
    a.loglog(sizes, [r["build"]["bulk_load_seconds"] for r in results], "s--", label="pyoxigraph bulk load (ceiling)")
    rd = [(r["triples"], r["build"]["rdflib_seconds"]) for r in results if r["build"]["rdflib_seconds"]]
    if rd:
        a.loglog(*zip(*rd, strict=True), "^:", label="records to rdflib in memory")
    a.set_xlabel("triples")
    a.set_ylabel("seconds")
    a.legend(fontsize=8)
    for name in sorted(results[0]["queries"]):
        b.loglog(sizes, [r["queries"][name]["p50_ms"] for r in results], marker=".", linewidth=0.8, label=name)
    b.set_xlabel("triples")
    b.set_ylabel("stored query p50 (ms)")
    b.legend(fontsize=5, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def reference_growth(prev: dict[str, Any], last: dict[str, Any]) -> str:
    """How much a scan and a join with no query design in them grew between the two sizes, same run."""
    if "scan_reference" not in last or "scan_reference" not in prev:
        return ""
    parts = [
        f"{name} `{ref['query']}` {ref['p50_ms']:.1f} ms, {ref['p50_ms'] / prev['scan_reference'][name]['p50_ms']:.1f}x"
        for name, ref in last["scan_reference"].items()
    ]
    return "Reference without query design, same run: " + "; ".join(parts) + "."


def table(summary: dict[str, Any]) -> str:
    lines = [f"Benchmarks {summary['date']} on {summary['machine']}, medians of {summary['runs']} runs", ""]
    lines += [
        "| triples | patients | build s | triples/s | vs bulk load | vs rdflib build | build peak MB (each of 2 readers) | rebuild after one change s | full/rebuild | SHACL (compiled) s | pyshacl s | HermiT (ontology) s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in summary["sizes"]:
        b = r["build"]
        lines.append(
            f"| {r['triples']:,} | {r['patients']:,} | {b['seconds']:.2f} | {b['triples_per_s']:,.0f} | "
            f"{100 * b['ratio_to_bulk_load']:.0f} % | {b['speedup_over_rdflib'] or 0:.1f}x | {b['peak_mb']:.0f} ({b.get('reader_peak_mb', 0):.0f}) | "
            f"{r['rebuild_one_source']['seconds']:.2f} | {r['rebuild_one_source']['speedup']:.1f}x | "
            f"{r['shacl']['compiled_s']:.2f} | {r['shacl'].get('pyshacl_s', float('nan')):.2f} | {r['reasoning']['seconds']:.1f} |"
        )
    prev, last = growth_pair(summary["sizes"])
    data_growth = last["triples"] / prev["triples"]
    lines += [
        "",
        "| query | "
        + " | ".join(f"p50 ms @{r['triples']:,}" for r in summary["sizes"])
        + f" | growth {prev['triples']:,} to {last['triples']:,} | vs plain pyoxigraph | vs rdflib | vs Virtuoso | on-disk store p50 ms @last (vs Virtuoso) |",
        "|---|" + "---|" * (len(summary["sizes"]) + 5),
    ]
    lines.insert(
        -2,
        f"Query growth is p50 at {last['triples']:,} over p50 at {prev['triples']:,} triples ({data_growth:.1f}x the "
        "data); in brackets, scaled to 10x the data (the target is at most 10x). "
        + reference_growth(prev, last)
        + "\n",
    )
    small = [
        r
        for r in summary["sizes"]
        if any(q.get("rdflib_p50_ms") is not None or "rdflib_p50_ms" in q for q in r["queries"].values())
    ]
    for name in sorted(last["queries"]):
        q = last["queries"][name]
        cells = " | ".join(f"{r['queries'][name]['p50_ms']:.1f}" for r in summary["sizes"])
        growth = q["p50_ms"] / max(prev["queries"][name]["p50_ms"], 1e-6)
        vs_plain = q["plain_pyoxigraph_p50_ms"] / max(q["p50_ms"], 1e-6)
        ref = small[-1]["queries"][name] if small else {}
        rd = ref.get("rdflib_p50_ms")
        vs_rdflib = f"{rd / max(ref['p50_ms'], 1e-6):.0f}x" if rd else ("did not finish" if small else "n/a")
        vs_virtuoso = f"{q['p50_ms'] / q['virtuoso_p50_ms']:.2f}" if q.get("virtuoso_p50_ms") else "n/a"
        scaled = growth * 10 / data_growth
        disk = q.get("on_disk_p50_ms")
        on_disk = "n/a" if disk is None else f"{disk:.1f}"
        if disk is not None and q.get("virtuoso_p50_ms"):
            on_disk += f" ({disk / q['virtuoso_p50_ms']:.2f})"
        lines.append(
            f"| {name} | {cells} | {growth:.1f}x ({scaled:.1f}x) | {vs_plain:.1f}x | {vs_rdflib} | {vs_virtuoso} | {on_disk} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
