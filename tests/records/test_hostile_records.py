"""Malformed and adversarial records: always a KGError naming file and field, never a traceback,
a hang, or a change to the store that is already there."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import KGError, RecordError, RecordErrors, build
from kg.store.disk import current_store_path, open_store
from tests.conftest import PROJECT, ROOT

BASE: dict[str, Any] = {
    "id": "fuzz-2025",
    "label": "Fuzz et al. (2025)",
    "citation": {"authors": "Fuzz A", "title": "A fuzzed case", "year": 2025, "locator": "Title"},
    "study_design": "CaseReport",
    "design_basis": "Title",
    "groups": [
        {
            "id": "fuzz-2025-case",
            "kind": "case",
            "locator": "Case",
            "age": 60,
            "sex": "Male",
            "tumour": {
                "histology": "Leiomyosarcoma",
                "site": {"term": "FemoralVein", "laterality": "Left"},
                "locator": "Case",
            },
            "events": [
                {"id": "resection", "term": "SurgicalResection", "locator": "Case"},
                {
                    "id": "recurrence",
                    "term": "LocalRecurrence",
                    "at": {"months": 9, "after": "resection"},
                    "locator": "Case",
                },
            ],
        }
    ],
}

WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.text(min_size=5000, max_size=6000),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.just("NoSuchTerm"),
    st.just("-1"),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


PATHS = _paths(BASE)


def _set(record: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        record = record[key]
    record[path[-1]] = value


def _delete(record: Any, path: tuple[Any, ...]) -> None:
    for key in path[:-1]:
        record = record[key]
    del record[path[-1]]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    import copy

    record = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["wrong", "unknown", "delete", "duplicate", "deep", "year", "negative"]))
        path = draw(st.sampled_from(PATHS))
        try:
            if kind == "wrong":
                _set(record, path, draw(WRONG))
            elif kind == "unknown":
                target = record
                for key in path[:-1]:
                    target = target[key]
                if isinstance(target, dict):
                    target[draw(st.text(min_size=1, max_size=12))] = draw(WRONG)
            elif kind == "delete":
                _delete(record, path)
            elif kind == "duplicate":
                record["groups"].append(copy.deepcopy(record["groups"][0]))
            elif kind == "deep":
                value: Any = 1
                for _ in range(draw(st.integers(30, 300))):
                    value = [value]
                _set(record, path, value)
            elif kind == "year":
                record["citation"]["year"] = draw(st.integers(-(10**9), 10**9))
            else:
                record["groups"][0]["age"] = draw(st.integers(-(10**9), -1))
        except (KeyError, IndexError, TypeError, AttributeError):
            continue  # an earlier mutation removed what this one would change
    text = yaml.safe_dump(record, allow_unicode=True, width=10**6)
    raw = text.encode("utf-8")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + draw(st.binary(min_size=1, max_size=8)) + raw[cut:]
    return raw


@pytest.fixture(scope="module")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    data.mkdir()
    for name in ("hong-2016.yaml", "maki-2007.yaml"):
        text = (PROJECT.data / name).read_text(encoding="utf-8").replace("  taken_from: aalaoui-2026\n", "")
        (data / name).write_text(text, encoding="utf-8")
    store = root / "store"
    build(data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=store)
    return data, store


def _snapshot(store: Path) -> tuple[Path, list[str]]:
    return current_store_path(store), sorted(str(q) for q in open_store(store))


@settings(
    max_examples=int(os.environ.get("VSKG_HYPOTHESIS_EXAMPLES", "120")),
    deadline=10_000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=mutated())
def test_mutated_records_fail_cleanly_and_leave_the_store(small_data: tuple[Path, Path], raw: bytes) -> None:
    data, store = small_data
    before = _snapshot(store)
    target = data / "fuzz-2025.yaml"
    target.write_bytes(raw)
    try:
        build(data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=store)
    except (RecordError, RecordErrors) as exc:
        errors = exc.errors if isinstance(exc, RecordErrors) else [exc]
        for error in errors:
            assert error.file and error.field and error.problem, error
            assert "fuzz-2025.yaml" in error.file or Path(error.file).parent == data
        assert _snapshot(store) == before
    except KGError:
        assert _snapshot(store) == before
    else:
        # the mutation happened to be a valid record: the store was replaced whole
        assert current_store_path(store) != before[0]
    finally:
        target.unlink()


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (
            "id: bomb\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
            "line",
            "aliases",
        ),
        ("id: x\nlabel: " + "[" * 1000 + "]" * 1000 + "\n", "line 2", "nesting"),
        ("- just\n- a list\n", "(document)", "must be a mapping"),
        ("", "(document)", "must be a mapping"),
    ],
)
def test_classic_attacks(small_data: tuple[Path, Path], text: str, field: str, words: str) -> None:
    data, store = small_data
    before = _snapshot(store)
    target = data / "attack.yaml"
    target.write_text(text, encoding="utf-8")
    started = time.monotonic()
    try:
        with pytest.raises(RecordError) as info:
            build(data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=store)
    finally:
        target.unlink()
    assert time.monotonic() - started < 30
    assert info.value.field.startswith(field) and words in info.value.problem
    assert _snapshot(store) == before


def test_huge_file_is_refused(small_data: tuple[Path, Path]) -> None:
    data, _ = small_data
    target = data / "huge.yaml"
    target.write_text("id: huge\nnote: " + "x" * 3_000_000 + "\n", encoding="utf-8")
    try:
        with pytest.raises(RecordError, match="may be at most"):
            build(data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)
    finally:
        target.unlink()


def test_provenance_and_part_of_cycles_are_refused(data_copy: Path) -> None:
    hong = data_copy / "hong-2016.yaml"
    maki = data_copy / "maki-2007.yaml"
    hong.write_text(
        hong.read_text(encoding="utf-8").replace("taken_from: aalaoui-2026", "taken_from: maki-2007"), encoding="utf-8"
    )
    maki.write_text(
        maki.read_text(encoding="utf-8").replace("taken_from: aalaoui-2026", "taken_from: hong-2016"), encoding="utf-8"
    )
    with pytest.raises(KGError, match="provenance loops back: hong-2016 -> maki-2007 -> hong-2016"):
        build(data_copy, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)


KILLED_BUILD = """
import sys, pyoxigraph as ox
from pathlib import Path
from kg.store.disk import write_store
quads = (ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), ox.NamedNode("https://example.org/p"),
                 ox.Literal(str(i)), ox.NamedNode("https://example.org/g")) for i in range(30_000_000))
write_store(Path(sys.argv[1]), quads)
"""


def test_build_killed_part_way_leaves_the_previous_store(small_data: tuple[Path, Path], tmp_path: Path) -> None:
    _, store = small_data
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    before = _snapshot(copy)
    child = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(copy)], cwd=ROOT)
    deadline = time.monotonic() + 60
    existing = {p.name for p in (copy / "stores").iterdir()}
    while time.monotonic() < deadline and not {p.name for p in (copy / "stores").iterdir()} - existing:
        time.sleep(0.05)
    time.sleep(0.5)  # well into writing the new store
    assert child.poll() is None, "the child build finished before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert _snapshot(copy) == before
    from kg import KnowledgeGraph

    graph = KnowledgeGraph.open(copy, queries_dir=PROJECT.queries)
    assert graph.query("therapy-evidence") is not None
    build(PROJECT.data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries, store_path=copy)
    current = current_store_path(copy).name
    assert sorted(p.name for p in (copy / "stores").iterdir()) == [current, f"{current}.state"]  # leftovers cleaned
