"""The concise bounded description of one resource: its own statements and those of the nodes it
owns - a group's events, tumour, sites, lesion responses, markers and caveats, a source's reading
limits, reference entries and citation supplements - as stated in the source graphs (the inferred
subclass closure left out), and the statements by which other groups and sources link to it (a
source's groups, a cohort's sub-groups), without their descriptions. `vskg describe` prints it and
the server answers a data IRI's RDF with it."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from kg.errors import QueryError, TermError
from kg.iris import DATA, INFERRED_GRAPH, PRINTED_PREFIXES, RDFS, VSKG, compact
from kg.query.terms import MAX_CHOICES, closest, spellings
from kg.store.dumps import sorted_quads, sorted_triples
from kg.store.embedded import Store
from kg.store.results import QueryResult

# kinds of data IRI that stand on their own; a node of any other kind belongs to the one that links to it
STANDALONE = ("case", "cohort", "source")
DESCRIBE_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}
_ASSERTED = f"FILTER(?g != <{INFERRED_GRAPH}>)"
# a node that points at a resource with one of these belongs to the resource's description
OWNED_FROM = (VSKG + "supplements",)
Select = Callable[[str], QueryResult]


def _kind(iri: str) -> str | None:
    return iri[len(DATA) :].split("/", 1)[0] if iri.startswith(DATA) else None


def _owned(subject: str, obj: str) -> bool:
    """Whether the description of `subject` takes in `obj`: a node that belongs to it. Events order
    one another (precedes, reason, ...) without owning one another."""
    kind = _kind(obj)
    return kind is not None and kind not in STANDALONE and not (kind == "event" == _kind(subject))


def find_resource(store: Store, text: str) -> str:
    """The IRI a user's spelling names (bare slug or term name, prefixed name, full IRI with or
    without <>) among the resources the graph says something about; a TermError with the
    closest ones otherwise."""
    iris = spellings(text)
    found: list[str] = []
    if iris:
        values = " ".join(str(ox.NamedNode(i)) for i in iris)
        result = store.select(
            f"SELECT DISTINCT ?term WHERE {{ VALUES ?term {{ {values} }} GRAPH ?g {{ ?term ?p ?o }} {_ASSERTED} }} "
            "ORDER BY ?term",
            {},
        )
        found = [v for v in result.column("term") if v]
        # a bare slug may name a case and its tumour alike: the case is meant, and describes the tumour
        standalone = [f for f in found if _kind(f) in STANDALONE]
        found = standalone if len(standalone) == 1 else found
    if len(found) == 1:
        return found[0]
    expected = "the IRI of a resource the graph describes, e.g. case:hong-2016-table-1 or vskg:FemoralVein"
    if found:
        problem = f"{text!r} names more than one resource; give one of them"
        raise TermError("describe", "IRI", text, problem, expected, [compact(f) for f in found])
    choices = store.select(
        f"SELECT ?term (SAMPLE(?l) AS ?label) WHERE {{ GRAPH ?g {{ ?term ?p ?o }} {_ASSERTED} FILTER(isIRI(?term) && "
        f'(STRSTARTS(STR(?term), "{DATA}") || STRSTARTS(STR(?term), "{VSKG}"))) '
        f"OPTIONAL {{ ?term <{RDFS}label> ?l }} }} GROUP BY ?term ORDER BY ?term LIMIT {MAX_CHOICES}",
        {},
    )
    problem = f"the graph says nothing about {text[:200]!r}"
    raise TermError("describe", "IRI", text, problem, expected, closest(text, choices))


def describe(store: Store, iri: str) -> list[ox.Quad]:
    """The resource's description (see the module's docstring), each statement in its source graph, sorted."""
    return describe_with(lambda text: store.select(text, {}), iri)


def describe_with(select: Select, iri: str) -> list[ox.Quad]:
    """`describe` over any way of running a SELECT: a store, or the server's query workers."""
    seen = {iri}
    quads = _links_to(select, iri, seen)
    frontier = sorted(seen)
    while frontier:
        values = " ".join(str(ox.NamedNode(i)) for i in frontier)
        result = select(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} {_ASSERTED} }}")
        frontier = []
        for s, p, o, g in result.rows:
            if not (isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode) and isinstance(g, ox.NamedNode)):
                continue
            if not isinstance(o, ox.NamedNode | ox.Literal | ox.BlankNode):
                continue
            quads.append(ox.Quad(s, p, o, g))
            if isinstance(o, ox.NamedNode) and o.value not in seen and _owned(s.value, o.value):
                seen.add(o.value)
                frontier.append(o.value)
    return sorted_quads(quads)


def _links_to(select: Select, iri: str, owned: set[str]) -> list[ox.Quad]:
    """The statements by which groups and sources link to a data IRI (a source's groups, a cohort's
    sub-groups); a node that supplements it joins `owned`, to be described with it."""
    if _kind(iri) is None:
        return []  # an ontology term: every resource typed with it would link to it
    node = ox.NamedNode(iri)
    result = select(f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {node} }} {_ASSERTED} }}")
    links: list[ox.Quad] = []
    for s, p, g in result.rows:
        if not (isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode) and isinstance(g, ox.NamedNode)):
            continue
        if p.value in OWNED_FROM:
            owned.add(s.value)
        elif _kind(s.value) in STANDALONE and s.value != iri:
            links.append(ox.Quad(s, p, node, g))
    return links


def serialize(quads: list[ox.Quad], fmt: str = "ttl", *, jsonld_graphs: bool = True) -> bytes:
    """The description in one RDF format; formats that hold datasets (TriG, N-Quads, JSON-LD) keep
    each statement's source graph, JSON-LD only with `jsonld_graphs` (a linked-data client reads a
    JSON-LD document as one graph, and would not find the statements put in named graphs)."""
    chosen = DESCRIBE_FORMATS.get(fmt)
    if chosen is None:
        raise QueryError(f"unknown description format {fmt!r}; valid: {', '.join(DESCRIBE_FORMATS)}")
    keep = chosen.supports_datasets and (jsonld_graphs or chosen != ox.RdfFormat.JSON_LD)
    data: list[ox.Quad] | list[ox.Triple] = quads if keep else sorted_triples(quads)
    named = {t.value for q in quads for t in (q.subject, q.predicate, q.object) if isinstance(t, ox.NamedNode)}
    used = {p: ns for p, ns in PRINTED_PREFIXES.items() if any(iri.startswith(ns) for iri in named)}
    return ox.serialize(data, None, chosen, prefixes=used) or b""
