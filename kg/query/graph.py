"""KnowledgeGraph: the Python face of a built graph (query, export, interchange)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import KGError, QueryError
from kg.iris import GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, ONTOLOGY_IRI, graph_iri
from kg.project import Project
from kg.query.catalog import StoredQuery, load_catalog
from kg.query.terms import resolve
from kg.store.disk import open_store
from kg.store.embedded import EmbeddedStore, Store
from kg.store.results import QueryResult

if TYPE_CHECKING:
    import networkx as nx
    import rdflib

    from kg.query.similar import SimilaritySearch
    from kg.query.similar_patient import Patient, Weights
    from kg.query.similar_result import SimilarResult


EXPORT_FORMATS = ("ttl", "trig", "nt", "nq", "jsonld", "owl", "phenopackets", "sssom")


def release_time() -> str:
    """SOURCE_DATE_EPOCH (the reproducible-builds convention) as an ISO timestamp, else today at 00:00 UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch and epoch.isdigit() else dt.datetime.now(dt.UTC)
    if not epoch:
        moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class KnowledgeGraph:
    """A built graph in a store (embedded or remote), with the stored queries that run on it."""

    def __init__(self, store: Store | ox.Store, *, queries_dir: Path | None = None) -> None:
        self.store: Store = EmbeddedStore(store) if isinstance(store, ox.Store) else store
        self.queries_dir = queries_dir or Project.find().queries
        self._catalog: dict[str, StoredQuery] | None = None
        self._similarity: SimilaritySearch | None = None

    @classmethod
    def open(cls, path: str | Path | None = None, *, queries_dir: str | Path | None = None) -> KnowledgeGraph:
        """Open the graph last built on disk (default: the project's `.vskg/`)."""
        project = Project.find()
        root = Path(path) if path is not None else project.store
        return cls(open_store(root), queries_dir=Path(queries_dir) if queries_dir else project.queries)

    @classmethod
    def remote(cls, endpoint: str, *, queries_dir: str | Path | None = None, **options: Any) -> KnowledgeGraph:
        """A graph held by a SPARQL 1.1 endpoint (Virtuoso, Fuseki, GraphDB, ...); see kg.store.remote.RemoteStore."""
        from kg.store.remote import RemoteStore

        queries = Path(queries_dir) if queries_dir else Project.find().queries
        return cls(RemoteStore(endpoint, **options), queries_dir=queries)

    # ------------------------------------------------------------------ queries
    @property
    def catalog(self) -> dict[str, StoredQuery]:
        if self._catalog is None:
            self._catalog = load_catalog(self.queries_dir)
        return self._catalog

    def stored_queries(self, *, include_qc: bool = False) -> list[StoredQuery]:
        return [q for n, q in sorted(self.catalog.items()) if include_qc or not n.startswith("qc/")]

    def stored(self, name: str) -> StoredQuery:
        try:
            return self.catalog[name]
        except KeyError:
            names = ", ".join(q.name for q in self.stored_queries())
            raise QueryError(f"no stored query '{name}'; stored queries: {names}") from None

    def query(self, name: str, /, *, sources: list[str] | None = None, **params: Any) -> QueryResult:
        """Run a stored query by name; keyword arguments are its typed parameters.

        `sources` restricts the query to those sources' graphs (and the ontology), e.g. to ask a
        question of the seed report alone.
        """
        stored = self.stored(name)
        bound, terms = stored.split(params)
        # terms are looked up in the whole graph: a misspelled one is an error, never an empty answer
        bound |= resolve(f"stored query '{name}'", terms, lambda text: self.store.select(text, {}))
        graphs = None
        if sources is not None:
            known = {g.removeprefix(GRAPH) for g in self.graphs()} - {"ontology", "inferred"}
            unknown = sorted(set(sources) - known)
            if unknown:
                raise QueryError(f"no source graph for {', '.join(unknown)}; known sources: {', '.join(sorted(known))}")
            graphs = [ONTOLOGY_GRAPH, INFERRED_GRAPH, *(graph_iri(s) for s in sources)]
        try:
            result = self.store.select(stored.bound_text(bound), {}, graphs=graphs)
        except QueryError as exc:
            raise QueryError(f"stored query '{name}': {exc}") from exc
        return result.with_sorted_lists(stored.lists)

    def sparql(self, text: str, /) -> QueryResult | bool | list[ox.Triple]:
        """Run raw SPARQL over the union of all graphs (common prefixes are predeclared)."""
        return self.store.sparql(text)

    def describe(self, iri: str, /) -> list[ox.Quad]:
        """The concise bounded description of a resource named in any spelling (`case:x`, `x`,
        `vskg:Term`, a full IRI with or without <>): its statements, and for a group those of its
        events, tumour and sites, each in its source graph. See kg.query.describe.serialize."""
        from kg.query.describe import describe, find_resource

        return describe(self.store, find_resource(self.store, iri))

    def similar(
        self,
        patient: Patient | None = None,
        /,
        *,
        top: int = 10,
        phenopacket: str | Path | dict[str, Any] | None = None,
        weights: Weights | dict[str, Any] | None = None,
        min_facts: int = 1,
        **facts: Any,
    ) -> SimilarResult:
        """The published cases and cohorts most like a patient, and what happened to them.

        Describe the patient with `site`, `laterality`, `age`, `sex`, `size_cm`, `grade`,
        `presentations`, `initial_diagnoses`, `treatments` (vskg term names), with a Patient, or
        with a phenopacket (a file or its JSON as a dict; facts given beside it replace its own).
        `weights` (a Weights, or a dict of some facts' weights) changes how much facts count. The
        candidates are read once per graph and kept.
        """
        from kg.query.similar import AUXILIARY, SimilaritySearch, selecting
        from kg.query.similar_input import patient_for, weights_from

        select = selecting(self.sparql)
        if self._similarity is None:
            answers = [select(text) for text in AUXILIARY.values()]
            self._similarity = SimilaritySearch.from_answers(self.query("similar-candidates"), *answers)
        found, notes = patient_for(self._similarity.index, patient, phenopacket, facts)
        chosen = weights_from(weights)
        return self._similarity.search(select, found, top=top, weights=chosen, min_facts=min_facts, notes=notes)

    # ------------------------------------------------------------------ content
    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        return self.store.quads(graph)

    def graphs(self) -> list[str]:
        return self.store.graphs()

    def __len__(self) -> int:
        return len(self.store)

    def export(
        self, out_dir: str | Path, *, formats: list[str] | None = None, created: str | None = None
    ) -> list[Path]:
        """Dumps (ttl, trig, nt, nq, jsonld, owl), phenopackets and the SSSOM mapping set; default all.
        `created` (ISO date-time) stamps the phenopackets; by default SOURCE_DATE_EPOCH, or today."""
        from kg.query.phenopacket_files import write_phenopackets
        from kg.query.sssom import write_sssom
        from kg.store.dumps import FORMATS, export

        chosen = list(formats or EXPORT_FORMATS)
        unknown = [f for f in chosen if f not in EXPORT_FORMATS]
        if unknown:
            raise KGError(f"unknown export format(s) {', '.join(unknown)}; valid: {', '.join(EXPORT_FORMATS)}")
        out = Path(out_dir)
        dumps = [f for f in chosen if f in FORMATS]
        written = export(self.quads(), out, formats=dumps) if dumps else []
        if "phenopackets" in chosen:
            written += write_phenopackets(self.store, out, created=created or release_time())
        if "sssom" in chosen:
            written += [write_sssom(self.store, out, version=self.version())]
        return written

    def to_phenopackets(self, *, created: str | None = None) -> dict[str, dict[str, Any]]:
        """One GA4GH phenopacket (protobuf JSON as a dict) per case, by case id."""
        from kg.query.phenopackets import phenopackets

        return phenopackets(self.store, created=created or release_time())

    def version(self) -> str:
        """The ontology's version (owl:versionInfo), which versions the releases."""
        result = self.store.sparql(f"SELECT ?v WHERE {{ <{ONTOLOGY_IRI}> owl:versionInfo ?v }}")
        found = result.column("v") if isinstance(result, QueryResult) else []
        return str(found[0]) if found else "unversioned"

    def to_rdflib(self) -> rdflib.Dataset:
        from kg.store.interop import to_rdflib_dataset

        return to_rdflib_dataset(self.quads())

    def to_networkx(self) -> nx.MultiDiGraph:
        from kg.query.network import evidence_network

        return evidence_network(self.store)
