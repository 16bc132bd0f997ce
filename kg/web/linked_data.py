"""Linked-data views of the graph: HTML pages of nodes, the VoID description, dump files."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path

import pyoxigraph as ox

from kg.iris import BIBO, DATA, DCTERMS, PROV, RDFS, VSKG, compact
from kg.store.results import QueryResult
from kg.views.html import link
from kg.web import pages, structured
from kg.web.negotiation import GRAPHS

RDF_NAMES = {GRAPHS["ttl"]: "ttl", GRAPHS["jsonld"]: "jsonld", GRAPHS["nt"]: "nt", GRAPHS["rdfxml"]: "rdfxml"}
# a data IRI's description also in the formats that keep each statement's source graph
DATA_RDF_NAMES = {**RDF_NAMES, GRAPHS["trig"]: "trig", GRAPHS["nq"]: "nq"}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def dump_media(name: str) -> str:
    for suffix, media in (
        (".ttl", "text/turtle"),
        (".trig", "application/trig"),
        (".nt", "application/n-triples"),
        (".nq", "application/n-quads"),
        (".jsonld", "application/ld+json"),
        (".owl", "application/rdf+xml"),
    ):
        if name.endswith(suffix):
            return media
    return "application/octet-stream"


def safe_path(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and all(p and p not in (".", "..") and "\\" not in p for p in parts) and len(path) < 500


async def html_page(
    iri: str, select: Callable[[str], Awaitable[QueryResult]], alternates: list[tuple[str, str]], base: str = ""
) -> str:
    node = str(ox.NamedNode(iri))
    out = await select(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }} ORDER BY ?p ?o LIMIT 2000")
    inc = await select(f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {node} }} ORDER BY ?p ?s LIMIT 500")
    iris = {iri} | {str(t.value) for row in out.rows + inc.rows for t in row if isinstance(t, ox.NamedNode)}
    values = " ".join(str(ox.NamedNode(i)) for i in sorted(iris))
    labels_result = await select(
        f"SELECT ?x (SAMPLE(?l) AS ?label) WHERE {{ VALUES ?x {{ {values} }} "
        f"{{ ?x <{VSKG}displayLabel> ?l }} UNION {{ ?x <{RDFS}label> ?l }} }} GROUP BY ?x"
    )
    labels = {r["x"]: r["label"] for r in labels_result.records() if r["x"] and r["label"]}
    types = [(o, labels.get(o, compact(o))) for r in out.records() if r["p"] == RDF_TYPE and (o := r["o"]) is not None]
    outgoing = []
    provenance = []
    for (_, o_term, _), r in zip(out.rows, out.records(), strict=True):
        p, o, g = r["p"], r["o"], r["g"]
        if p is None or o is None or g is None or p == RDF_TYPE:
            continue
        iri_value = isinstance(o_term, ox.NamedNode)
        shown = link(o, labels.get(o)) if iri_value else escape(o)
        outgoing.append((p, labels.get(p, compact(p)), shown, g))
        if p == "http://www.w3.org/ns/prov#wasDerivedFrom" and iri_value:
            provenance.append(f"stated in {link(o, labels.get(o))}")
        if p == VSKG + "locator":
            provenance.append(f"at {escape(o)}")
    incoming = [
        (
            str(s.value),
            labels.get(str(s.value), compact(str(s.value))),
            str(p.value),
            labels.get(str(p.value), compact(str(p.value))),
        )
        for s, p in inc.rows
        if isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode)
    ]
    title = labels.get(iri, compact(iri))
    extra = ""
    if iri.startswith(DATA) and any(t in (VSKG + "Case", VSKG + "Cohort") for t, _ in types):
        path = iri[len(DATA) :]
        extra = (
            f'<h2>Timeline</h2><p><img src="/timeline/{escape(path)}.svg" alt="timeline of {escape(title)}" '
            'style="max-width:100%" loading="lazy"></p>'
        )
    facts: dict[str, list[str]] = {}
    for r in out.records():
        if r["p"] and r["o"]:
            facts.setdefault(str(r["p"]), []).append(str(r["o"]))
    described = structured.item(iri, title, {t for t, _ in types}, facts, base)
    names = [(DATA_RDF_NAMES.get(m, "html"), h) for m, h in alternates]
    head = structured.script(described) if described else ""
    return pages.resource_page(iri, title, types, outgoing, incoming, provenance, names, extra, head)


def void_triples(
    base: str, stats: QueryResult, sources: QueryResult, version: QueryResult, dumps: dict[str, Path]
) -> list[ox.Triple]:
    void = "http://rdfs.org/ns/void#"
    dcat = "http://www.w3.org/ns/dcat#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    dataset = ox.NamedNode(f"{base}/.well-known/void#vskg")

    def t(p: str, o: ox.NamedNode | ox.Literal, s: ox.NamedNode = dataset) -> ox.Triple:
        return ox.Triple(s, ox.NamedNode(p), o)

    count = stats.rows[0][0] if stats.rows else ox.Literal("0")
    out = [
        ox.Triple(dataset, rdf_type, ox.NamedNode(void + "Dataset")),
        ox.Triple(dataset, rdf_type, ox.NamedNode(dcat + "Dataset")),
        t(DCTERMS + "title", ox.Literal("vskg: vascular sarcoma evidence graph", language="en")),
        t(
            DCTERMS + "description",
            ox.Literal(
                "Curated evidence on vascular sarcoma (venous leiomyosarcoma and arterial sarcomas) "
                "from case reports, series and trials, with per-statement provenance.",
                language="en",
            ),
        ),
        t(DCTERMS + "license", ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")),
        t(void + "sparqlEndpoint", ox.NamedNode(f"{base}/sparql")),
        t(void + "uriSpace", ox.Literal(DATA)),
        *(t(void + "vocabulary", ox.NamedNode(v)) for v in (VSKG, DCTERMS, BIBO, PROV, "https://schema.org/")),
        t(void + "triples", count if isinstance(count, ox.Literal) else ox.Literal("0")),
        t(void + "rootResource", ox.NamedNode(f"{base}/")),
    ]
    if version.rows and version.rows[0][0] is not None:
        out.append(t("http://www.w3.org/2002/07/owl#versionInfo", version.rows[0][0]))  # type: ignore[arg-type]
        out.append(t(DCTERMS + "hasVersion", version.rows[0][0]))  # type: ignore[arg-type]
    for (src,) in sources.rows:
        if isinstance(src, ox.NamedNode):
            out.append(t(DCTERMS + "source", src))
    for name in dumps:
        url = ox.NamedNode(f"{base}/dumps/{name}")
        dist = ox.NamedNode(f"{base}/.well-known/void#dump-{name}")
        out += [
            t(void + "dataDump", url),
            t(dcat + "distribution", dist),
            ox.Triple(dist, rdf_type, ox.NamedNode(dcat + "Distribution")),
            t(dcat + "downloadURL", url, dist),
            t(dcat + "mediaType", ox.Literal(dump_media(name)), dist),
        ]
    return out


def service_description_triples(endpoint: str, graphs: list[tuple[str, int]]) -> list[ox.Triple]:
    """The endpoint's SPARQL 1.1 Service Description, with the size of every graph it holds."""
    sd = "http://www.w3.org/ns/sparql-service-description#"
    formats = "http://www.w3.org/ns/formats/"
    void = "http://rdfs.org/ns/void#"
    a = ox.NamedNode(RDF_TYPE)
    service = ox.NamedNode(endpoint)
    dataset = ox.NamedNode(endpoint + "#dataset")
    default = ox.NamedNode(endpoint + "#default-graph")
    out = [
        ox.Triple(service, a, ox.NamedNode(sd + "Service")),
        ox.Triple(service, ox.NamedNode(sd + "endpoint"), service),
        ox.Triple(service, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")),
        ox.Triple(service, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")),
        ox.Triple(service, ox.NamedNode(sd + "defaultDataset"), dataset),
        ox.Triple(dataset, a, ox.NamedNode(sd + "Dataset")),
        ox.Triple(dataset, ox.NamedNode(sd + "defaultGraph"), default),
        ox.Triple(default, a, ox.NamedNode(sd + "Graph")),
        ox.Triple(
            default,
            ox.NamedNode(void + "triples"),
            ox.Literal(
                str(sum(n for _, n in graphs)), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            ),
        ),
    ]
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
        "TriG",
    ):
        out.append(ox.Triple(service, ox.NamedNode(sd + "resultFormat"), ox.NamedNode(formats + name)))
    for i, (graph, size) in enumerate(graphs):
        named = ox.NamedNode(f"{endpoint}#named-graph-{i + 1}")
        description = ox.NamedNode(f"{endpoint}#graph-{i + 1}")
        out += [
            ox.Triple(dataset, ox.NamedNode(sd + "namedGraph"), named),
            ox.Triple(named, a, ox.NamedNode(sd + "NamedGraph")),
            ox.Triple(named, ox.NamedNode(sd + "name"), ox.NamedNode(graph)),
            ox.Triple(named, ox.NamedNode(sd + "graph"), description),
            ox.Triple(description, a, ox.NamedNode(sd + "Graph")),
            ox.Triple(
                description,
                ox.NamedNode(void + "triples"),
                ox.Literal(str(size), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            ),
        ]
    return out
