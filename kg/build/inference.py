"""Facts inferred at build time, so that queries need no transitive paths.

The class hierarchy's reflexive-transitive closure is written as plain `rdfs:subClassOf`
triples (RDFS rules rdfs10 and rdfs11) into their own graph: `?x a/rdfs:subClassOf vskg:Vein`
then finds everything typed with Vein or a class below it, on pyoxigraph and on servers whose
property paths are slow or unreliable inside OPTIONAL. Tests check the closure against HermiT.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.iris import INFERRED_GRAPH, RDFS, VSKG
from kg.records.vocabulary import Vocabulary


def class_closure(vocab: Vocabulary, ontology: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The closure triples the ontology does not assert itself (so that no triple is in two graphs,
    which would make a union-graph query see it twice)."""
    graph = ox.NamedNode(INFERRED_GRAPH)
    sub = ox.NamedNode(RDFS + "subClassOf")
    asserted = {(q.subject, q.object) for q in ontology if q.predicate == sub}
    return [
        ox.Quad(ox.NamedNode(VSKG + name), sub, ox.NamedNode(VSKG + ancestor), graph)
        for name in sorted(vocab.ancestors)
        for ancestor in sorted(vocab.ancestors[name])
        if (ox.NamedNode(VSKG + name), ox.NamedNode(VSKG + ancestor)) not in asserted
    ]
