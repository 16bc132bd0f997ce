"""Build: records and ontology to a validated store, replaced atomically on disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.build.inference import class_closure
from kg.build.rebuild import RebuildReport, fingerprints, incremental_build, save_state
from kg.build.validation import validate_graph
from kg.build.workers import Readers
from kg.errors import ValidationError
from kg.project import Project
from kg.query.graph import KnowledgeGraph
from kg.records.checks import check_across, raise_all
from kg.records.loading import record_paths
from kg.records.model import SourceRecord
from kg.records.summaries import Corpus, RecordSummary
from kg.records.vocabulary import SHAPES_FILE, Vocabulary, read_ontology, vocabulary
from kg.store.disk import write_store
from kg.store.embedded import NQuads, memory_store


@dataclass(frozen=True)
class Compiled:
    summaries: dict[str, RecordSummary]  # by source id, in file order
    vocabulary: Vocabulary
    nquads: NQuads  # ontology, inferred closure and every source graph
    records: list[SourceRecord]  # the parsed records, only when asked for (`keep_records`)

    @property
    def quads(self) -> list[ox.Quad]:
        return [q for chunk in self.nquads.chunks for q in ox.parse(chunk, ox.RdfFormat.N_QUADS)]


def compile_quads(
    data_dir: Path, ontology_dir: Path, *, workers: int | None = None, keep_records: bool = False
) -> Compiled:
    """Records and ontology to N-Quads; raises RecordError/RecordErrors before anything is stored."""
    ontology = read_ontology(ontology_dir)
    vocab = vocabulary(ontology)
    paths = record_paths(data_dir)
    with Readers(paths, vocab, workers, keep=keep_records) as readers:
        summaries = readers.read()
        before, after = check_across(summaries)
        # a record that names what another lacks cannot be mapped: only check then
        each, body = readers.check_and_map(Corpus.of(summaries.values()), map_them=not (before or after))
        raise_all(before + each + after)
        records = list(readers.records.values())
    head = NQuads.of(ontology + class_closure(vocab, ontology))
    by_id = {s.id: s for s in summaries.values()}
    return Compiled(by_id, vocab, NQuads(head.chunks + tuple(body)), records)


def build(
    data_dir: str | Path | None = None,
    *,
    ontology_dir: str | Path | None = None,
    queries_dir: str | Path | None = None,
    store_path: str | Path | None = None,
    validate: bool = True,
    workers: int | None = None,
) -> KnowledgeGraph:
    """Build the graph in memory; with `store_path`, also replace the on-disk store atomically.

    Nothing on disk changes unless records, shapes and QC checks all pass. `workers` processes read
    and map the records (default: 2 on a multi-core machine for 200 files or more, else 1).
    """
    project = Project.find()
    data = Path(data_dir) if data_dir is not None else project.data
    onto = Path(ontology_dir) if ontology_dir is not None else project.ontology
    queries = Path(queries_dir) if queries_dir is not None else project.queries
    compiled = compile_quads(data, onto, workers=workers)
    nquads, summaries = compiled.nquads, compiled.summaries
    graph: KnowledgeGraph | None = None

    def load_and_check() -> None:
        nonlocal graph
        graph = KnowledgeGraph(memory_store(nquads), queries_dir=queries)
        if validate:
            problems = validate_graph(graph, onto / SHAPES_FILE)
            if problems:
                raise ValidationError(problems)

    if store_path is None:
        load_and_check()
    else:
        prints = fingerprints(data, onto, queries)
        # The on-disk store is written while the in-memory copy is loaded and validated: pyoxigraph's
        # bulk loader runs without the GIL. A failed check discards the new store before it is current.
        # The text is parsed strictly once, by the in-memory copy; the disk loader, the longest step
        # of a build, skips those checks on the same bytes (lenient).
        write_store(
            Path(store_path),
            nquads,
            while_writing=load_and_check,
            before_switch=lambda target: save_state(target, prints, summaries),
            lenient=True,
        )
    assert graph is not None
    return graph


def update(
    data_dir: str | Path | None = None,
    *,
    ontology_dir: str | Path | None = None,
    queries_dir: str | Path | None = None,
    store_path: str | Path | None = None,
) -> RebuildReport:
    """Bring the on-disk store up to date, redoing only the sources whose files changed.

    Falls back to a full build when there is no usable previous build; like build(), it leaves the
    current store untouched unless every check passes.
    """
    project = Project.find()
    data = Path(data_dir) if data_dir is not None else project.data
    onto = Path(ontology_dir) if ontology_dir is not None else project.ontology
    queries = Path(queries_dir) if queries_dir is not None else project.queries
    root = Path(store_path) if store_path is not None else project.store
    report = incremental_build(data, onto, queries, root)
    if report is not None:
        return report
    build(data, ontology_dir=onto, queries_dir=queries, store_path=root)
    return RebuildReport(full=True)
