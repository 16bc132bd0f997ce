"""The evidence network as a networkx graph: sources, their cases and cohorts, treatments, outcomes, citations."""

from __future__ import annotations

import networkx as nx

from kg.store.embedded import Store
from kg.store.results import QueryResult, plain

_PREFIX = """PREFIX vskg: <https://w3id.org/vskg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

NODES = (
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

EDGES = (
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


def evidence_network(graph: Store) -> nx.MultiDiGraph:
    """Sources -> cases/cohorts -> interventions and outcomes, plus the citation graph."""
    net = nx.MultiDiGraph()
    nodes = graph.sparql(NODES)
    edges = graph.sparql(EDGES)
    assert isinstance(nodes, QueryResult) and isinstance(edges, QueryResult)
    for row in nodes.records():
        net.add_node(row["node"], kind=row["kind"], label=row["label"])
    for f, t, relation, patients in edges.rows:
        attrs = {"relation": plain(relation)}
        if patients is not None:
            attrs["patients"] = plain(patients)
        net.add_edge(plain(f), plain(t), key=plain(relation), **attrs)
    return net
