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


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ for tests that corrupt records."""
    target = tmp_path / "data"
    shutil.copytree(PROJECT.data, target)
    return target
