"""Rebuild after some records changed: only the changed sources' graphs are redone.

A build leaves a manifest beside its store (hashes of the ontology, the shapes, the queries and
every record file) and a summary of each record (ids, groups, what it names). The next build
reads only the changed files, and the unchanged ones that name a source or group they touch;
checks those in full and everything across records again (the rest by their summaries); maps
only those sources, applies them to a copy of the current store, validates their graphs and the
QC checks, and switches to the copy atomically. Anything else (first build, ontology or shapes
changed, state unreadable) is a full build.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.build.mapping import source_quads
from kg.build.validation import validate_graph
from kg.errors import ValidationError
from kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, graph_iri
from kg.query.graph import KnowledgeGraph
from kg.records.checks import check_records
from kg.records.loading import load_file
from kg.records.summaries import RecordSummary, affected, summarize
from kg.records.vocabulary import SHAPES_FILE, read_ontology, vocabulary
from kg.store.disk import current_store_path, new_store_dir, switch_to
from kg.store.embedded import EmbeddedStore

MANIFEST = "manifest.json"
SUMMARIES = "summaries.pickle"


@dataclass
class RebuildReport:
    full: bool
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _folder_hash(folder: Path, pattern: str) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob(pattern)):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def fingerprints(data_dir: Path, ontology_dir: Path, queries_dir: Path) -> dict[str, object]:
    files = {p.stem: _sha(p.read_bytes()) for p in sorted(data_dir.glob("*.yaml"))}
    return {
        "ontology": _folder_hash(ontology_dir, "*.ttl"),
        "queries": _folder_hash(queries_dir, "*.rq"),
        "records": files,
    }


def save_state(store_dir: Path, prints: dict[str, object], summaries: dict[str, RecordSummary]) -> None:
    """Manifest and record summaries (by source id) of a finished store, written before it becomes current."""
    side = store_dir.parent / f"{store_dir.name}.state"
    side.mkdir(exist_ok=True)
    (side / MANIFEST).write_text(json.dumps(prints, sort_keys=True), encoding="utf-8")
    (side / SUMMARIES).write_bytes(pickle.dumps(summaries, protocol=pickle.HIGHEST_PROTOCOL))


def _load_state(store_dir: Path) -> tuple[dict[str, object], dict[str, RecordSummary]] | None:
    side = store_dir.parent / f"{store_dir.name}.state"
    try:
        prints = json.loads((side / MANIFEST).read_text(encoding="utf-8"))
        summaries = pickle.loads((side / SUMMARIES).read_bytes())
    except (OSError, ValueError, TypeError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(summaries, dict) or not all(isinstance(v, RecordSummary) for v in summaries.values()):
        return None
    return prints, summaries


def incremental_build(data_dir: Path, ontology_dir: Path, queries_dir: Path, store_root: Path) -> RebuildReport | None:
    """Rebuild only what changed, or None when a full build is needed."""
    try:
        current = current_store_path(store_root)
    except Exception:
        return None
    state = _load_state(current)
    if state is None:
        return None
    old, summaries = state
    prints = fingerprints(data_dir, ontology_dir, queries_dir)
    if old.get("ontology") != prints["ontology"] or old.get("queries") != prints["queries"]:
        return None
    old_files: dict[str, str] = old["records"]  # type: ignore[assignment]
    new_files: dict[str, str] = prints["records"]  # type: ignore[assignment]
    changed = sorted(sid for sid, digest in new_files.items() if old_files.get(sid) != digest or sid not in summaries)
    removed = sorted(set(old_files) - set(new_files))
    if not changed and not removed:
        return RebuildReport(full=False)
    # Unchanged records passed every check against this ontology last time: only their summaries are
    # needed to check the changed ones against them.
    known = {data_dir / f"{sid}.yaml": summaries[sid] for sid in new_files if sid not in changed}
    fresh = {data_dir / f"{sid}.yaml": load_file(data_dir / f"{sid}.yaml") for sid in changed}
    fresh_summaries = {p: summarize(r) for p, r in fresh.items()}
    for path in affected(known, fresh_summaries):
        del known[path]
        fresh[path] = load_file(path)
        fresh_summaries[path] = summarize(fresh[path])
    redone = sorted(r.id for r in fresh.values())
    ontology = read_ontology(ontology_dir)
    vocab = vocabulary(ontology)
    check_records(fresh, vocab, known)
    records = {r.id: r for r in fresh.values()}
    after = {s.id: s for s in known.values()} | {s.id: s for s in fresh_summaries.values()}
    kinds: dict[str, str] = {g.id: g.kind for s in after.values() for g in s.groups}
    target = new_store_dir(store_root)
    shutil.copytree(current, target)
    store = ox.Store(str(target))
    for sid in redone + removed:
        store.remove_graph(ox.NamedNode(graph_iri(sid)))
    for sid in redone:
        store.bulk_extend(source_quads(records[sid], vocab, kinds))
    store.flush()
    graph = KnowledgeGraph(EmbeddedStore(store), queries_dir=queries_dir)
    scope = [ONTOLOGY_GRAPH, INFERRED_GRAPH, *(graph_iri(s) for s in redone)]
    problems = validate_graph(graph, ontology_dir / SHAPES_FILE, graphs=scope)
    del graph, store
    if problems:
        shutil.rmtree(target, ignore_errors=True)
        raise ValidationError(problems)
    save_state(target, prints, after)
    switch_to(store_root, target)
    return RebuildReport(full=False, changed=changed, removed=removed)
