"""Reads the ontology file and hands out its vocabulary as plain Python data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import OntologyError
from kg.iris import ONTOLOGY_GRAPH, OWL, RDF, RDFS, VSKG

ONTOLOGY_FILE = "vskg.ttl"
SHAPES_FILE = "shapes.ttl"


@dataclass(frozen=True)
class Vocabulary:
    """Local names of the vskg terms, the class hierarchy and the value sets.

    Records are checked against this, so they never have to see RDF.
    """

    ancestors: dict[str, frozenset[str]]
    individuals: dict[str, frozenset[str]]
    default_levels: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def is_class(self, name: str) -> bool:
        return name in self.ancestors

    def is_a(self, name: str, root: str) -> bool:
        """True when class `name` is `root` or below it."""
        return root in self.ancestors.get(name, frozenset())

    def subclasses(self, root: str) -> list[str]:
        return sorted(n for n, up in self.ancestors.items() if root in up)

    def members(self, value_class: str) -> list[str]:
        return sorted(self.individuals.get(value_class, frozenset()))


def ontology_path(ontology_dir: Path) -> Path:
    path = ontology_dir / ONTOLOGY_FILE
    if not path.is_file():
        raise OntologyError(f"{path}: ontology file not found (expected {ONTOLOGY_FILE} in {ontology_dir})")
    return path


def read_ontology(ontology_dir: Path) -> list[ox.Quad]:
    """The ontology's triples as quads in the ontology graph."""
    path = ontology_path(ontology_dir)
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    try:
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise OntologyError(f"{path}: not valid Turtle: {exc}") from exc
    quads: list[ox.Quad] = []
    for t in triples:
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            raise OntologyError(
                f"{path}: blank node in triple {t}: name every node with an IRI so that dumps are "
                "byte-identical between builds"
            )
        quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
    return quads


def vocabulary(quads: Iterable[ox.Quad]) -> Vocabulary:
    """Extract the class hierarchy and value sets from ontology quads."""
    type_ = ox.NamedNode(RDF + "type")
    sub = ox.NamedNode(RDFS + "subClassOf")
    owl_class = ox.NamedNode(OWL + "Class")
    default_level = ox.NamedNode(VSKG + "defaultEvidenceLevel")

    def local(node: object) -> str | None:
        if isinstance(node, ox.NamedNode) and node.value.startswith(VSKG):
            return node.value[len(VSKG) :]
        return None

    parents: dict[str, set[str]] = {}
    typed: dict[str, set[str]] = {}
    levels: dict[str, str] = {}
    labels: dict[str, str] = {}
    label = ox.NamedNode(RDFS + "label")
    for q in quads:
        s, o = local(q.subject), local(q.object)
        if s is None:
            continue
        if q.predicate == type_ and q.object == owl_class:
            parents.setdefault(s, set())
        elif q.predicate == sub and o is not None:
            parents.setdefault(s, set()).add(o)
        elif q.predicate == type_ and o is not None:
            typed.setdefault(o, set()).add(s)
        elif q.predicate == default_level and o is not None:
            levels[s] = o
        elif q.predicate == label and isinstance(q.object, ox.Literal):
            labels[s] = q.object.value

    ancestors: dict[str, frozenset[str]] = {}

    def climb(name: str, seen: tuple[str, ...]) -> frozenset[str]:
        if name in ancestors:
            return ancestors[name]
        if name in seen:
            raise OntologyError(f"subclass cycle through vskg:{name}")
        result = {name}
        for p in parents.get(name, ()):
            result |= climb(p, (*seen, name))
        ancestors[name] = frozenset(result)
        return ancestors[name]

    for name in parents:
        climb(name, ())
    individuals = {c: frozenset(m) for c, m in typed.items() if c in ancestors}
    return Vocabulary(ancestors=ancestors, individuals=individuals, default_levels=levels, labels=labels)
