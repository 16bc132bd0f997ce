"""Rebuilding after records changed: only the changed sources are redone, and the result is
exactly what a full build gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import KGError, KnowledgeGraph, build
from kg.build.pipeline import update
from kg.store.disk import current_store_path, open_store
from tests.conftest import PROJECT


def _quads(store: Path) -> list[str]:
    return sorted(str(q) for q in open_store(store))


def _full(data: Path) -> list[str]:
    return sorted(str(q) for q in build(data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries).quads())


def _update(data: Path, store: Path, ontology: Path = PROJECT.ontology) -> object:
    return update(data, ontology_dir=ontology, queries_dir=PROJECT.queries, store_path=store)


def test_changed_added_and_removed_sources(data_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert _update(data_copy, store).full  # type: ignore[attr-defined]
    assert not _update(data_copy, store).changed  # type: ignore[attr-defined]
    valle = data_copy / "valle-2014.yaml"
    valle.write_text(valle.read_text(encoding="utf-8").replace("  age: 77", "  age: 78"), encoding="utf-8")
    shutil.copy(data_copy / "reddy-2010.yaml", data_copy / "reddy-2010-copy.yaml")
    copy = data_copy / "reddy-2010-copy.yaml"
    copy.write_text(copy.read_text(encoding="utf-8").replace("reddy-2010", "reddy-2010-copy"), encoding="utf-8")
    (data_copy / "braun-2013.yaml").unlink()
    report = _update(data_copy, store)
    assert report.changed == ["reddy-2010-copy", "valle-2014"] and report.removed == ["braun-2013"]  # type: ignore[attr-defined]
    assert _quads(store) == _full(data_copy)


def test_a_broken_change_leaves_the_store(data_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    _update(data_copy, store)
    before = (current_store_path(store), _quads(store))
    valle = data_copy / "valle-2014.yaml"
    valle.write_text(
        valle.read_text(encoding="utf-8").replace("term: SurgicalResection", "term: Surgery"), encoding="utf-8"
    )
    with pytest.raises(KGError, match="Surgery"):
        _update(data_copy, store)
    assert (current_store_path(store), _quads(store)) == before
    # removing a source other records refer to is caught by the checks of every record
    valle.write_text((PROJECT.data / "valle-2014.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (data_copy / "hong-2016.yaml").unlink()
    with pytest.raises(KGError, match="hong-2016"):
        _update(data_copy, store)
    assert (current_store_path(store), _quads(store)) == before


def test_ontology_change_means_a_full_build(data_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    _update(data_copy, store)
    ontology = tmp_path / "ontology"
    shutil.copytree(PROJECT.ontology, ontology)
    with open(ontology / "vskg.ttl", "a", encoding="utf-8") as handle:
        handle.write("\n# a comment changes the file, so the ontology is rebuilt\n")
    assert _update(data_copy, store, ontology).full  # type: ignore[attr-defined]


def test_unchanged_record_naming_a_removed_source_is_checked_again(data_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    _update(data_copy, store)
    before = _quads(store)
    (data_copy / "judson-2014.yaml").unlink()
    with pytest.raises(KGError) as caught:
        _update(data_copy, store)
    assert "aalaoui-2026.yaml" in str(caught.value) and "judson-2014" in str(caught.value)
    assert _quads(store) == before


def test_records_linking_to_a_changed_group_are_redone(data_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    _update(data_copy, store)
    seed = data_copy / "aalaoui-2026.yaml"
    seed.write_text(seed.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    report = _update(data_copy, store)
    assert report.changed == ["aalaoui-2026"]  # type: ignore[attr-defined]
    assert _quads(store) == _full(data_copy)


def test_affected_records_are_those_naming_a_touched_group_or_a_missing_source() -> None:
    from kg.build.pipeline import compile_quads
    from kg.records.summaries import affected

    summaries = {
        PROJECT.data / f"{sid}.yaml": s for sid, s in compile_quads(PROJECT.data, PROJECT.ontology).summaries.items()
    }
    seed = PROJECT.data / "aalaoui-2026.yaml"
    known = {p: s for p, s in summaries.items() if p != seed}
    assert {p.name for p in affected(known, {seed: summaries[seed]})} == {"sheaffer-2019-scvs.yaml"}
    judson = PROJECT.data / "judson-2014.yaml"
    without_judson = {p: s for p, s in summaries.items() if p != judson}
    assert seed in affected(without_judson, {})  # the seed names judson-2014, which is gone
    assert {p.name for p in affected({seed: summaries[seed]}, {})} == {"aalaoui-2026.yaml"}


def test_scoped_qc_sees_references_from_the_scope_to_everything(graph: KnowledgeGraph) -> None:
    import pyoxigraph as ox

    from kg.build.validation import validate_graph
    from kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, graph_iri
    from kg.store.embedded import memory_store

    seed = graph_iri("aalaoui-2026")
    scope = [ONTOLOGY_GRAPH, INFERRED_GRAPH, seed]
    store = memory_store(graph.quads())
    checked = KnowledgeGraph(store, queries_dir=PROJECT.queries)
    # the seed names sources whose triples live in other graphs: no problem
    assert validate_graph(checked, PROJECT.ontology / "shapes.ttl", graphs=scope) == []
    case = ox.NamedNode("https://w3id.org/vskg/id/case/hong-2016-table-1")
    nowhere = ox.NamedNode("https://w3id.org/vskg/id/source/nowhere")
    store.add(ox.Quad(case, ox.NamedNode("https://w3id.org/vskg/ontology#reportedIn"), nowhere, ox.NamedNode(seed)))
    problems = validate_graph(checked, PROJECT.ontology / "shapes.ttl", graphs=scope)
    assert any(p.startswith("qc/dangling-source") and "nowhere" in p for p in problems)
