"""Rebuild after some records changed: only the changed sources' graphs are redone.

A build leaves a manifest beside its store (hashes of the ontology, the shapes, the queries and
every record file) and a cache of the parsed records. The next build reuses the cached records
of unchanged files, still checks every record against every other, maps only the changed
sources, applies them to a copy of the current store, validates the changed graphs and the QC
checks, and switches to the copy atomically. Anything else (first build, ontology or shapes
changed, cache unreadable) is a full build.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.checks import check_records
from kg.errors import ValidationError
from kg.graph import KnowledgeGraph
from kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, graph_iri
from kg.loading import load_file
from kg.mapping import source_quads
from kg.ontology import SHAPES_FILE, read_ontology, vocabulary
from kg.records import SourceRecord
from kg.store import EmbeddedStore, current_store_path, new_store_dir, switch_to
from kg.validation import validate_graph

MANIFEST = "manifest.json"
CACHE = "records.pickle"


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


def save_state(store_dir: Path, prints: dict[str, object], cache: list[bytes]) -> None:
    """Manifest and parsed-record cache (pickled shares of records by file) of a finished store,
    written before it becomes current."""
    side = store_dir.parent / f"{store_dir.name}.state"
    side.mkdir(exist_ok=True)
    (side / MANIFEST).write_text(json.dumps(prints, sort_keys=True), encoding="utf-8")
    (side / CACHE).write_bytes(pickle.dumps(cache, protocol=pickle.HIGHEST_PROTOCOL))


def record_cache(by_file: dict[Path, SourceRecord]) -> list[bytes]:
    return [pickle.dumps({str(p): r for p, r in by_file.items()}, protocol=pickle.HIGHEST_PROTOCOL)]


def _load_state(store_dir: Path) -> tuple[dict[str, object], dict[str, SourceRecord]] | None:
    side = store_dir.parent / f"{store_dir.name}.state"
    try:
        prints = json.loads((side / MANIFEST).read_text(encoding="utf-8"))
        shares = pickle.loads((side / CACHE).read_bytes())
        records = {r.id: r for share in shares for r in pickle.loads(share).values()}
    except (OSError, ValueError, TypeError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return prints, records


def incremental_build(data_dir: Path, ontology_dir: Path, queries_dir: Path, store_root: Path) -> RebuildReport | None:
    """Rebuild only what changed, or None when a full build is needed."""
    try:
        current = current_store_path(store_root)
    except Exception:
        return None
    state = _load_state(current)
    if state is None:
        return None
    old, cached = state
    prints = fingerprints(data_dir, ontology_dir, queries_dir)
    if old.get("ontology") != prints["ontology"] or old.get("queries") != prints["queries"]:
        return None
    old_files: dict[str, str] = old["records"]  # type: ignore[assignment]
    new_files: dict[str, str] = prints["records"]  # type: ignore[assignment]
    changed = sorted(sid for sid, digest in new_files.items() if old_files.get(sid) != digest)
    removed = sorted(set(old_files) - set(new_files))
    if not changed and not removed:
        return RebuildReport(full=False)
    records_by_path: dict[Path, SourceRecord] = {}
    for sid in sorted(new_files):
        path = data_dir / f"{sid}.yaml"
        records_by_path[path] = load_file(path) if sid in changed or sid not in cached else cached[sid]
    ontology = read_ontology(ontology_dir)
    vocab = vocabulary(ontology)
    check_records(records_by_path, vocab)
    records = {r.id: r for r in records_by_path.values()}
    kinds: dict[str, str] = {g.id: g.kind for r in records.values() for g in r.groups}
    target = new_store_dir(store_root)
    shutil.copytree(current, target)
    store = ox.Store(str(target))
    for sid in changed + removed:
        store.remove_graph(ox.NamedNode(graph_iri(sid)))
    for sid in changed:
        store.bulk_extend(source_quads(records[sid], vocab, kinds))
    store.flush()
    graph = KnowledgeGraph(EmbeddedStore(store), queries_dir=queries_dir)
    scope = [ONTOLOGY_GRAPH, INFERRED_GRAPH, *(graph_iri(s) for s in changed)]
    problems = validate_graph(graph, ontology_dir / SHAPES_FILE, graphs=scope)
    del graph, store
    if problems:
        shutil.rmtree(target, ignore_errors=True)
        raise ValidationError(problems)
    save_state(target, prints, record_cache(records_by_path))
    switch_to(store_root, target)
    return RebuildReport(full=False, changed=changed, removed=removed)
