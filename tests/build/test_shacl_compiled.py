"""The shapes compiled to SPARQL find exactly what pyshacl finds, on the real data and on broken data."""

from __future__ import annotations

import re
from collections.abc import Callable

import pyoxigraph as ox
import pytest

from kg import KnowledgeGraph
from kg.build.validation import compiled_shacl_problems, shacl_problems
from kg.iris import DATA_KINDS, PROV, VSKG, XSD
from kg.store.embedded import memory_store
from tests.conftest import PROJECT

SHAPES = PROJECT.ontology / "shapes.ttl"
HONG = ox.NamedNode("https://w3id.org/vskg/id/case/hong-2016-table-1")
KEVORKIAN = ox.NamedNode("https://w3id.org/vskg/id/cohort/kevorkian-1973-table-1")
SEED_GRAPH = ox.NamedNode("https://w3id.org/vskg/graph/aalaoui-2026")


def v(name: str) -> ox.NamedNode:
    return ox.NamedNode(VSKG + name)


def _focus_and_path(problem: str) -> tuple[str, str]:
    """(focus, path) from either validator's message."""
    match = re.search(rf"((?:{'|'.join(DATA_KINDS)}):\S+) (\S+):", problem)
    assert match, problem
    return match.group(1), match.group(2)


Breakage = Callable[[ox.Store], object]


def _replace_count(store: ox.Store, group: ox.NamedNode, value: str) -> None:
    for quad in list(store.quads_for_pattern(group, v("patientCount"), None, None)):
        store.remove(quad)
    store.add(ox.Quad(group, v("patientCount"), ox.Literal(value, datatype=ox.NamedNode(XSD + "integer")), SEED_GRAPH))


def _first_event_with(store: ox.Store, prop: str) -> ox.Quad:
    return next(iter(store.quads_for_pattern(None, v(prop), None, SEED_GRAPH)))


def _negative_months(store: ox.Store) -> None:
    quad = _first_event_with(store, "months")
    store.remove(quad)
    store.add(ox.Quad(quad.subject, v("months"), ox.Literal("-3", datatype=ox.NamedNode(XSD + "decimal")), SEED_GRAPH))


def _no_sequence_two_exposures(store: ox.Store) -> None:
    """Two violations on one focus node: both must be reported."""
    quad = _first_event_with(store, "sequence")
    store.remove(quad)
    store.add(ox.Quad(quad.subject, v("exposure"), v("AllPatients"), SEED_GRAPH))
    store.add(ox.Quad(quad.subject, v("exposure"), v("SomePatients"), SEED_GRAPH))


BREAKAGES: dict[str, Breakage] = {
    "negative months": _negative_months,
    "no sequence, two exposures": _no_sequence_two_exposures,
    "no locator": lambda s: s.remove(ox.Quad(HONG, v("locator"), ox.Literal("Table 1, row 4"), SEED_GRAPH)),
    "two counts": lambda s: s.add(
        ox.Quad(HONG, v("patientCount"), ox.Literal("2", datatype=ox.NamedNode(XSD + "integer")), SEED_GRAPH)
    ),
    "age as text": lambda s: s.add(ox.Quad(HONG, v("ageYears"), ox.Literal("fifty"), SEED_GRAPH)),
    "sex not a Sex": lambda s: s.add(ox.Quad(HONG, v("sex"), v("Left"), SEED_GRAPH)),
    "sex as text": lambda s: s.add(ox.Quad(HONG, v("sex"), ox.Literal("female"), SEED_GRAPH)),
    "cohort of one": lambda s: _replace_count(s, KEVORKIAN, "1"),
    "literal source": lambda s: s.add(ox.Quad(HONG, v("reportedIn"), ox.Literal("Hong"), SEED_GRAPH)),
    "no provenance": lambda s: s.remove(
        ox.Quad(
            HONG,
            ox.NamedNode(PROV + "wasDerivedFrom"),
            ox.NamedNode("https://w3id.org/vskg/id/source/aalaoui-2026"),
            SEED_GRAPH,
        )
    ),
}


@pytest.mark.parametrize("name", ["none", *BREAKAGES])
def test_compiled_shapes_agree_with_pyshacl(graph: KnowledgeGraph, name: str) -> None:
    store = memory_store(graph.quads())
    if name != "none":
        BREAKAGES[name](store)
    broken = KnowledgeGraph(store, queries_dir=PROJECT.queries)
    compiled = {_focus_and_path(p) for p in compiled_shacl_problems(broken.store, SHAPES)}
    reference = {_focus_and_path(p.split(": ", 1)[1] + ":") for p in shacl_problems(broken.store, SHAPES)}
    assert compiled == reference
    assert bool(compiled) == (name != "none")
    if name == "no sequence, two exposures":
        assert {path for _, path in compiled} == {"vskg:sequence", "vskg:exposure"}
