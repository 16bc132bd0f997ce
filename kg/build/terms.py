"""RDF terms and quads of the mapping as N-Quads text, written without a pyoxigraph object per term.

A build maps about a million quads; making each as a pyoxigraph Quad (about 3 us) and serialising
it again cost more than reading the records. Terms are written here directly in N-Triples form:
IRIs from curated ids and ontology names (both already restricted to safe characters by the record
model), literals with pyoxigraph's own escaping whenever a value holds anything to escape.
`reference=True` writes every term through pyoxigraph's constructors and serialiser instead: the
reference a test compares the fast path with.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.iris import VSKG, XSD, data_iri


class Iri(str):
    """An IRI already written as an N-Triples term: `<...>`."""

    __slots__ = ()


Obj = Iri | ox.NamedNode | ox.Literal
Value = Obj | str | int | float | bool

_VOCAB: dict[str, Iri] = {}
_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f\ud800-\udfff]')  # anything pyoxigraph would escape or refuse
_BOOLEAN = {True: f'"true"^^<{XSD}boolean>', False: f'"false"^^<{XSD}boolean>'}
_INTEGER = f"^^<{XSD}integer>"
_DECIMAL = f"^^<{XSD}decimal>"


def iri(value: str) -> Iri:
    return Iri(f"<{value}>")


def v(name: str) -> Iri:
    """An ontology term by its local name."""
    term = _VOCAB.get(name)
    if term is None:
        term = _VOCAB[name] = iri(VSKG + name)
    return term


def data(kind: str, slug: str) -> Iri:
    return iri(data_iri(kind, slug))


def decimal_text(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}.0"


def lit(value: str | int | float | bool) -> ox.Literal:
    """A Python value as the literal the graph holds (the reference for literal_text)."""
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(decimal_text(value), datatype=ox.NamedNode(XSD + "decimal"))
    return ox.Literal(value)


def literal_text(value: str | int | float | bool) -> str:
    """lit(value) in N-Triples form."""
    if isinstance(value, str):
        return str(ox.Literal(value)) if _ESCAPE.search(value) else f'"{value}"'
    if isinstance(value, bool):
        return _BOOLEAN[value]
    if isinstance(value, int):
        return f'"{value}"{_INTEGER}'
    return f'"{decimal_text(value)}"{_DECIMAL}'


def _object(term: Iri | ox.NamedNode | ox.Literal) -> ox.NamedNode | ox.Literal:
    return ox.NamedNode(term[1:-1]) if isinstance(term, Iri) else term


class Quads:
    """The quads of one named graph, as N-Quads lines."""

    def __init__(self, graph: str, *, reference: bool = False) -> None:
        self.graph = f" {iri(graph)} .\n"
        self.lines: list[str] = []
        # the reference: pyoxigraph terms and quads, each IRI checked by pyoxigraph, serialised by it
        self.reference: list[ox.Quad] | None = [] if reference else None
        self.graph_node = ox.NamedNode(graph)

    def add(self, s: Iri | ox.NamedNode, p: str | Iri | ox.NamedNode, o: Value | None) -> None:
        """One quad; `p` as a plain string is an ontology term's local name, `o` as a Python value a literal."""
        if o is None:
            return
        pred = v(p) if type(p) is str else p
        if self.reference is not None:
            obj = _object(o) if isinstance(o, Iri | ox.NamedNode | ox.Literal) else lit(o)
            self.reference.append(ox.Quad(_object(s), _object(pred), obj, self.graph_node))  # type: ignore[arg-type]
        elif type(o) is Iri or isinstance(o, ox.NamedNode | ox.Literal):
            self.lines.append(f"{s} {pred} {o}{self.graph}")
        else:
            self.lines.append(f"{s} {pred} {literal_text(o)}{self.graph}")

    def text(self) -> str:
        if self.reference is not None:
            return (ox.serialize(self.reference, None, ox.RdfFormat.N_QUADS) or b"").decode()
        return "".join(self.lines)
