"""The vocabulary for query writers: current with the ontology, complete, and every example query
runs (the worked paths answer on the corpus)."""

from __future__ import annotations

import difflib

import pyoxigraph as ox

from kg import KnowledgeGraph
from kg.iris import OWL, RDF, VSKG
from kg.records.vocabulary import read_ontology
from kg.store.results import QueryResult
from kg.views.vocabulary import PATHS, terms, vocabulary_markdown
from tests.conftest import PROJECT, ROOT


def test_docs_vocabulary_is_current() -> None:
    written = (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    fresh = vocabulary_markdown(PROJECT.ontology)
    diff = "\n".join(difflib.unified_diff(written.splitlines(), fresh.splitlines(), "written", "fresh", lineterm=""))
    assert written == fresh, f"docs/vocabulary.md is stale: run `vskg vocabulary`\n{diff[:3000]}"


def test_every_vskg_class_property_and_value_is_listed_with_its_label() -> None:
    quads = read_ontology(PROJECT.ontology)
    kinds = {OWL + k for k in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "NamedIndividual")}
    declared = {
        q.subject.value[len(VSKG) :]
        for q in quads
        if isinstance(q.subject, ox.NamedNode)
        and q.subject.value.startswith(VSKG)
        and q.predicate.value == RDF + "type"
        and isinstance(q.object, ox.NamedNode)
        and q.object.value in kinds
    }
    listed = terms((q.subject, q.predicate, q.object) for q in quads)
    assert {t.name for t in listed} == declared and len(listed) == len(declared)
    by_name = {t.name: t for t in listed}
    assert by_name["hasTumour"].domain == ("vskg:PatientGroup",) and by_name["hasTumour"].range == ("vskg:Tumour",)
    assert by_name["FemoralVein"].parents == ("vskg:LowerLimbVein",) and by_name["FemoralVein"].label == "femoral vein"
    assert by_name["Adjuvant"].kind == "value" and by_name["Adjuvant"].parents == ("vskg:Setting",)
    assert all(t.label for t in listed if t.kind != "annotation property"), [t.name for t in listed if not t.label]


def test_every_example_query_runs_and_the_paths_answer(graph: KnowledgeGraph) -> None:
    listed = terms((q.subject, q.predicate, q.object) for q in read_ontology(PROJECT.ontology))
    answered = 0
    for t in listed:
        result = graph.sparql(t.example)
        assert isinstance(result, QueryResult), t.name
        answered += bool(len(result))
    assert answered > len(listed) // 2  # most terms are used by the corpus
    femoral = next(t for t in listed if t.name == "FemoralVein")
    assert len(graph.sparql(femoral.example)) > 0  # type: ignore[arg-type]
    for question, query in PATHS:
        result = graph.sparql(query)
        assert isinstance(result, QueryResult) and len(result) > 0, question
