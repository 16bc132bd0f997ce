"""Build: records and ontology to a validated store, replaced atomically on disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.checks import check_records
from kg.errors import ValidationError
from kg.graph import KnowledgeGraph
from kg.inference import class_closure
from kg.loading import load_directory
from kg.mapping import dataset_quads
from kg.ontology import SHAPES_FILE, Vocabulary, read_ontology, vocabulary
from kg.project import Project
from kg.rebuild import RebuildReport, fingerprints, incremental_build, save_state
from kg.records import SourceRecord
from kg.store import memory_store, write_store
from kg.validation import validate_graph


@dataclass(frozen=True)
class Compiled:
    records: list[SourceRecord]
    vocabulary: Vocabulary
    quads: list[ox.Quad]


def compile_quads(data_dir: Path, ontology_dir: Path) -> Compiled:
    """Records and ontology to quads; raises RecordError/RecordErrors before anything is stored."""
    ontology = read_ontology(ontology_dir)
    vocab = vocabulary(ontology)
    by_file = load_directory(data_dir)
    check_records(by_file, vocab)
    records = list(by_file.values())
    return Compiled(records, vocab, ontology + class_closure(vocab, ontology) + list(dataset_quads(records, vocab)))


def build(
    data_dir: str | Path | None = None,
    *,
    ontology_dir: str | Path | None = None,
    queries_dir: str | Path | None = None,
    store_path: str | Path | None = None,
    validate: bool = True,
) -> KnowledgeGraph:
    """Build the graph in memory; with `store_path`, also replace the on-disk store atomically.

    Nothing on disk changes unless records, shapes and QC checks all pass.
    """
    project = Project.find()
    data = Path(data_dir) if data_dir is not None else project.data
    onto = Path(ontology_dir) if ontology_dir is not None else project.ontology
    queries = Path(queries_dir) if queries_dir is not None else project.queries
    compiled = compile_quads(data, onto)
    graph = KnowledgeGraph(memory_store(compiled.quads), queries_dir=queries)
    if validate:
        problems = validate_graph(graph, onto / SHAPES_FILE)
        if problems:
            raise ValidationError(problems)
    if store_path is not None:
        prints = fingerprints(data, onto, queries)
        records = {r.id: r for r in compiled.records}
        write_store(Path(store_path), compiled.quads, before_switch=lambda target: save_state(target, prints, records))
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
