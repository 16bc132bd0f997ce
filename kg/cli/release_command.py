"""`vskg release`: everything a reader cites in one folder - dumps, ontology files, phenopackets,
SSSOM, VoID, report - described as an RO-Crate, with the w3id.org redirect rules for the IRIs."""

from __future__ import annotations

import argparse
from pathlib import Path

import pyoxigraph as ox

from kg.cli.common import paths
from kg.iris import DCTERMS, EXPORT_PREFIXES, GRAPH, ONTOLOGY_IRI, OWL, VSKG
from kg.query.graph import KnowledgeGraph, release_time
from kg.store.results import QueryResult
from kg.views.crate import w3id_rules, write_crate
from kg.views.report import write_report
from kg.web.linked_data import void_triples


def _select(graph: KnowledgeGraph, text: str) -> QueryResult:
    result = graph.sparql(text)
    assert isinstance(result, QueryResult)
    return result


def cmd_release(args: argparse.Namespace) -> int:
    _, _, queries, store = paths(args)
    graph = KnowledgeGraph.open(store, queries_dir=queries)
    out, host = Path(args.out), args.host.rstrip("/")
    created = args.created or release_time()
    files = graph.export(out, created=created)
    files.append(write_report(graph, out / "report"))
    dumps = {p.name: p for p in files if p.parent == out}
    stats = _select(
        graph, f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
    )
    sources = _select(graph, f"SELECT ?s WHERE {{ ?s a <{VSKG}Source> }} ORDER BY ?s")
    version = _select(graph, f"SELECT ?v WHERE {{ <{ONTOLOGY_IRI}> <{OWL}versionInfo> ?v }}")
    void = out / "void.ttl"
    triples = void_triples(host, stats, sources, version, dumps)
    ox.serialize(sorted(triples, key=str), str(void), ox.RdfFormat.TURTLE, prefixes=EXPORT_PREFIXES)
    files.append(void)
    rules = out / "w3id" / ".htaccess"
    rules.parent.mkdir(parents=True, exist_ok=True)
    rules.write_text(w3id_rules(host), encoding="utf-8")
    files.append(rules)
    works = _select(
        graph, f"SELECT DISTINCT ?doi ?title WHERE {{ ?s <{OWL}sameAs> ?doi ; <{DCTERMS}title> ?title }} ORDER BY ?doi"
    )
    cited = [(str(r["doi"]), str(r["title"])) for r in works.records()]
    crate = write_crate(out, files, version=graph.version(), works=cited, created=created)
    print(f"{crate} ({len(files)} files)")
    return 0
