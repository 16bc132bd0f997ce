"""The layout is the architecture: imports run one way, from the command line down to records.

Each wing of `kg/` is a stage of the data flow. A module may import its own wing and any wing of a
lower rank; wings of the same rank (build and views) do not import each other. Imports inside
functions and under TYPE_CHECKING count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import ROOT

KG = ROOT / "kg"

# rank of each wing; "core" is the handful of modules at the root of kg/ that every stage shares
RANKS = {
    "core": 0,  # errors, iris, project, progress
    "records": 1,  # YAML records: model, loading, vocabulary, checks
    "curation": 2,  # tools that write records: sheet import, templates, synthetic literature
    "store": 3,  # where quads live and SPARQL runs; results, dumps, interop
    "query": 4,  # stored-query catalog and the KnowledgeGraph facade
    "build": 5,  # records -> quads -> store, validation, reasoning, rebuilds
    "views": 5,  # timelines, network drawing, report
    "web": 6,  # the HTTP server
    "cli": 7,  # the command line
    "api": 8,  # kg/__init__: the public names, for users only
}
MAX_LINES = 350


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def wing(module: str) -> str:
    parts = module.split(".")
    if module == "kg":
        return "api"
    if (KG / parts[1]).is_dir():
        return parts[1]
    return "core"


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(KG.rglob("*.py"))}


def imported(path: Path, known: set[str]) -> set[str]:
    """The kg modules a file imports, wherever the import statement stands."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name == "kg" or a.name.startswith("kg.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module != "kg" and not node.module.startswith("kg."):
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return found & known


def dependencies() -> nx.DiGraph:
    known = modules()
    graph = nx.DiGraph()
    for name, path in known.items():
        graph.add_node(name)
        for target in imported(path, set(known)):
            if target != name:
                graph.add_edge(name, target)
    return graph


def test_every_wing_has_a_rank() -> None:
    wings = {wing(m) for m in modules()}
    assert wings <= set(RANKS), f"wings without a rank in this test: {sorted(wings - set(RANKS))}"


def test_imports_run_down_the_stages() -> None:
    wrong = []
    for source, target in dependencies().edges:
        a, b = wing(source), wing(target)
        if a == b:
            continue
        if RANKS[b] >= RANKS[a]:
            wrong.append(f"{source} ({a}) imports {target} ({b})")
    assert not wrong, "imports against the stage order:\n" + "\n".join(sorted(wrong))


def test_no_import_cycle() -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(dependencies()) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def test_modules_stay_short() -> None:
    long = {n: len(p.read_text(encoding="utf-8").splitlines()) for n, p in modules().items()}
    over = {n: count for n, count in long.items() if count > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines; split them by job: {over}"


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("kg.web.app", "kg.views.html", True),
        ("kg.build.validation", "kg.query.graph", True),
        ("kg.records.checks", "kg.build.mapping", False),
        ("kg.store.dumps", "kg.query.graph", False),
        ("kg.views.report", "kg.build.pipeline", False),
        ("kg.build.pipeline", "kg.views.report", False),
    ],
)
def test_the_rule_itself(source: str, target: str, allowed: bool) -> None:
    a, b = wing(source), wing(target)
    assert (a == b or RANKS[b] < RANKS[a]) is allowed


def test_a_lazy_upward_import_is_found(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from kg.query.graph import KnowledgeGraph\n    return KnowledgeGraph\n")
    assert imported(sample, set(modules())) == {"kg.query.graph"}
