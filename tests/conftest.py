"""Shared fixtures: the project's own data, and copies of it that a test may break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import KnowledgeGraph, build
from kg.project import Project

ROOT = Path(__file__).resolve().parent.parent
PROJECT = Project(ROOT)


@pytest.fixture(scope="session")
def graph() -> KnowledgeGraph:
    """The graph built in memory from the repository's data/ (read-only for tests)."""
    return build(PROJECT.data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)


def _seed_sources() -> list[str]:
    """The seed report and the works whose records were taken from its reference list."""
    import yaml

    ids = []
    for path in sorted(PROJECT.data.glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if record["id"] == SEED_ID or record["citation"].get("taken_from") == SEED_ID:
            ids.append(record["id"])
    return ids


SEED_ID = "aalaoui-2026"
SEED = _seed_sources()


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's data built into an on-disk store, with its dumps beside it."""

    root = tmp_path_factory.mktemp("served")
    graph = build(PROJECT.data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=root / "store")
    graph.export(root / "dumps")
    return root / "store"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ for tests that corrupt records."""
    target = tmp_path / "data"
    shutil.copytree(PROJECT.data, target)
    return target
