"""Conversion of pyoxigraph terms and quads to rdflib, the interchange API."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib_term(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # RDF 1.1: a simple literal is an xsd:string
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r} to rdflib")


def to_rdflib_graph(triples: Iterable[ox.Quad | ox.Triple], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    out = graph if graph is not None else rdflib.Graph()
    for t in triples:
        out.add((to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object)))
    return out


def to_rdflib_dataset(quads: Iterable[ox.Quad]) -> rdflib.Dataset:
    ds = rdflib.Dataset()
    for q in quads:
        ctx = (
            ds.graph(rdflib.URIRef(q.graph_name.value)) if isinstance(q.graph_name, ox.NamedNode) else ds.default_graph
        )
        ctx.add((to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object)))
    return ds
