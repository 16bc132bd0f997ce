"""networkx views of the graph: the evidence network of sources, groups, treatments and outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from kg.store.results import QueryResult, plain

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

_PREFIX = """PREFIX vskg: <https://w3id.org/vskg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

_NODES = (
    _PREFIX
    + """
SELECT ?node ?kind ?label WHERE {
  { ?node a vskg:Source ; vskg:displayLabel ?label . BIND("source" AS ?kind) }
  UNION { ?node a vskg:Case ; rdfs:label ?label . BIND("case" AS ?kind) }
  UNION { ?node a vskg:Cohort ; rdfs:label ?label . BIND("cohort" AS ?kind) }
  UNION { ?g vskg:hasEvent/a ?node . ?node rdfs:subClassOf vskg:Intervention ; rdfs:label ?label .
          BIND("intervention" AS ?kind) }
  UNION { ?g vskg:hasEvent/a ?node . ?node rdfs:subClassOf vskg:Outcome ; rdfs:label ?label .
          BIND("outcome" AS ?kind) }
} ORDER BY ?node
"""
)

_EDGES = (
    _PREFIX
    + """
SELECT DISTINCT ?from ?to ?relation ?patients WHERE {
  { ?to vskg:reportedIn ?from . BIND("reports" AS ?relation) }
  UNION { ?from vskg:hasEvent ?e . ?e a ?to ; vskg:exposure/rdfs:label ?patients .
          ?to rdfs:subClassOf vskg:Intervention . BIND("received" AS ?relation) }
  UNION { ?from vskg:hasEvent ?e . ?e a ?to ; vskg:exposure/rdfs:label ?patients .
          ?to rdfs:subClassOf vskg:Outcome . BIND("had" AS ?relation) }
  UNION { ?c a/rdfs:subClassOf vskg:Citation ; vskg:citedIn ?from ; vskg:citedWork ?to .
          FILTER(?from != ?to) BIND("cites" AS ?relation) }
  UNION { ?from vskg:hasReferenceEntry/vskg:refersTo ?to . BIND("lists in references" AS ?relation) }
} ORDER BY ?from ?to ?relation
"""
)


def evidence_network(graph: KnowledgeGraph) -> nx.MultiDiGraph:
    """Sources -> cases/cohorts -> interventions and outcomes, plus the citation graph."""
    net = nx.MultiDiGraph()
    nodes = graph.sparql(_NODES)
    edges = graph.sparql(_EDGES)
    assert isinstance(nodes, QueryResult) and isinstance(edges, QueryResult)
    for row in nodes.records():
        net.add_node(row["node"], kind=row["kind"], label=row["label"])
    for f, t, relation, patients in edges.rows:
        attrs = {"relation": plain(relation)}
        if patients is not None:
            attrs["patients"] = plain(patients)
        net.add_edge(plain(f), plain(t), key=plain(relation), **attrs)
    return net


KIND_COLOURS = {
    "source": "#23395d",
    "case": "#d9822b",
    "cohort": "#b3261e",
    "intervention": "#1b7f3b",
    "outcome": "#7b3fa0",
}


def write_graphml(net: nx.MultiDiGraph, path: Path) -> Path:
    """GraphML for Gephi or Cytoscape, with kind, label and relation as attributes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(net, path)
    return path


def draw_network(net: nx.MultiDiGraph, path: Path) -> Path:
    """PNG or SVG of the evidence network, nodes coloured by kind, laid out deterministically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    layout = nx.spring_layout(nx.Graph(net), seed=7, k=0.9 / max(1, len(net)) ** 0.5)
    fig, ax = plt.subplots(figsize=(16, 12))
    for kind, colour in KIND_COLOURS.items():
        nodes = [n for n, d in net.nodes(data=True) if d.get("kind") == kind]
        size = [60 + 25 * net.degree(n) for n in nodes]
        nx.draw_networkx_nodes(
            net, layout, nodelist=nodes, node_color=colour, node_size=size, label=kind, ax=ax, alpha=0.85
        )
    styles = {"cites": ("#8a94a6", "dashed"), "lists in references": ("#d5dbe3", "dotted")}
    for relation in sorted({d["relation"] for _, _, d in net.edges(data=True)}):
        colour, style = styles.get(relation, ("#9aa5b5", "solid"))
        edges = [(u, v) for u, v, d in net.edges(data=True) if d["relation"] == relation]
        nx.draw_networkx_edges(
            net, layout, edgelist=edges, edge_color=colour, style=style, arrows=False, ax=ax, width=0.7
        )
    labels = {
        n: d.get("label", n)[:28]
        for n, d in net.nodes(data=True)
        if d.get("kind") in ("source", "intervention", "outcome")
    }
    nx.draw_networkx_labels(net, layout, labels=labels, font_size=6.5, ax=ax)
    ax.legend(loc="lower left", fontsize=9)
    ax.set_title("Evidence network: sources, their cases and cohorts, treatments and outcomes; citations dashed")
    ax.axis("off")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=path.suffix.lstrip(".").lower(), dpi=100)
    plt.close(fig)
    return path
