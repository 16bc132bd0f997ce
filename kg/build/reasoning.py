"""OWL reasoning with HermiT through owlready2: consistency and inferred types."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import ReasonerError
from kg.iris import INFERRED_GRAPH, OWL, RDF, VSKG


def java_available() -> bool:
    return shutil.which("java") is not None


def hermit_types(quads: Iterable[ox.Quad]) -> dict[str, set[str]]:
    """Run HermiT on the triples; return each individual's vskg classes (asserted and inferred),
    and each vskg class's vskg superclasses including itself (the classified hierarchy).

    Raises ReasonerError when the ontology plus data is inconsistent or Java is missing.
    """
    import owlready2

    if not java_available():
        raise ReasonerError("HermiT needs Java on PATH; install a JRE (scripts/setup.sh does)")
    # The materialised closure is left out: it is what HermiT is asked to confirm, and owlready2
    # warns about the reflexive subClassOf triples.
    inferred = ox.NamedNode(INFERRED_GRAPH)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads if q.graph_name != inferred}
    # OWL 2 DL wants every individual declared; the data only types its nodes, so declare them here.
    rdf_type = ox.NamedNode(RDF + "type")
    named_individual = ox.NamedNode(OWL + "NamedIndividual")
    triples |= {
        ox.Triple(t.subject, rdf_type, named_individual)
        for t in list(triples)
        if t.predicate == rdf_type and isinstance(t.object, ox.NamedNode) and t.object.value.startswith(VSKG)
    }
    with tempfile.TemporaryDirectory(prefix="vskg-hermit-") as tmp:
        path = Path(tmp) / "graph.nt"
        ox.serialize(sorted(triples, key=str), str(path), ox.RdfFormat.N_TRIPLES)
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load(format="ntriples")
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            raise ReasonerError("HermiT: the ontology and data are inconsistent") from exc
        except (subprocess.CalledProcessError, OSError) as exc:
            raise ReasonerError(f"HermiT could not run: {exc}") from exc
        types: dict[str, set[str]] = {}
        for cls in world.classes():
            if cls.iri.startswith(VSKG):
                types[cls.iri] = {a.iri[len(VSKG) :] for a in cls.ancestors() if getattr(a, "iri", "").startswith(VSKG)}
        for individual in world.individuals():
            classes = {
                c.iri[len(VSKG) :] for c in individual.INDIRECT_is_a if hasattr(c, "iri") and c.iri.startswith(VSKG)
            }
            types[individual.iri] = classes
        return types
