"""Order of events: the materialised order equals what the records state, treatments get their
settings, and the headline query reads "recurred after surgery alone" in time order - with a test
for each reason a group is in or out."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg import KGError, KnowledgeGraph, build
from kg.build.pipeline import compile_quads
from kg.records.model import Group
from kg.records.order import OrderCycle, closure, group_order, stated_edges
from kg.records.vocabulary import read_ontology, vocabulary
from tests.conftest import PROJECT, SEED

HEADLINE = "femoral-recurrence-after-surgery-alone"


def _case(gid: str, events: list[dict[str, Any]], *, kind: str = "case", n: int | None = None) -> dict[str, Any]:
    group: dict[str, Any] = {
        "id": gid,
        "kind": kind,
        "locator": "Case report",
        "tumour": {"histology": "Leiomyosarcoma", "site": {"term": "FemoralVein"}, "locator": "Case report"},
        "events": [{"locator": "Case report", **copy.deepcopy(e)} for e in events],
    }
    if n is not None:
        group["n_patients"] = n
    return group


def _graph(tmp_path: Path, groups: list[dict[str, Any]]) -> KnowledgeGraph:
    record = {
        "id": "order-2025",
        "label": "Order et al. (2025)",
        "citation": {"authors": "Order A", "title": "Cases in order", "year": 2025, "locator": "Title page"},
        "study_design": "CaseSeries",
        "design_basis": "Title",
        "groups": groups,
    }
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "order-2025.yaml").write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    return build(data, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)


def _answer(graph: KnowledgeGraph, **params: Any) -> dict[str, str | None]:
    rows = graph.query(HEADLINE, **params).records()
    return {str(r["group"]).rsplit("/", 1)[-1]: r["surgery_alone"] for r in rows}


RESECTION: dict[str, Any] = {"id": "resection", "term": "SurgicalResection"}
RECURRENCE: dict[str, Any] = {"id": "recurrence", "term": "LocalRecurrence", "at": {"months": 9, "after": "resection"}}


def test_reasons_in_and_out_of_the_headline_answer(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        [
            # in, definite: chemotherapy given because of the recurrence
            _case(
                "after-recurrence",
                [RESECTION, RECURRENCE, {"id": "chemo", "term": "SystemicTherapy", "reasons": ["recurrence"]}],
            ),
            # in, definite: no other cancer treatment, and nothing orders the two events
            _case(
                "surgery-only",
                [{"id": "resection", "term": "SurgicalResection"}, {"id": "recurrence", "term": "LocalRecurrence"}],
            ),
            # in, possible: a summary lists chemotherapy beside the recurrence, without order
            _case(
                "unordered",
                [
                    RESECTION,
                    {"id": "recurrence", "term": "LocalRecurrence"},
                    {"id": "chemo", "term": "SystemicTherapy"},
                ],
            ),
            # in, possible: radiotherapy for some patients of a cohort ("Surgery ± RT")
            _case(
                "some-rt",
                [
                    {"id": "resection", "term": "SurgicalResection"},
                    {"id": "rt", "term": "Radiotherapy", "exposure": "some"},
                    {"id": "recurrence", "term": "LocalRecurrence", "exposure": "some"},
                ],
                kind="cohort",
                n=5,
            ),
            # out: adjuvant radiotherapy as the source states it
            _case(
                "stated-adjuvant", [RESECTION, {"id": "rt", "term": "Radiotherapy", "setting": "Adjuvant"}, RECURRENCE]
            ),
            # out: radiotherapy at 1 month, recurrence at 9 months after the resection
            _case(
                "timed-before",
                [
                    RESECTION,
                    {"id": "rt", "term": "Radiotherapy", "at": {"months": 1, "after": "resection"}},
                    RECURRENCE,
                ],
            ),
            # out: chemotherapy stated to follow the resection and to precede the recurrence
            _case(
                "sequence-before",
                [
                    RESECTION,
                    {"id": "chemo", "term": "SystemicTherapy", "follows": ["resection"]},
                    {"id": "recurrence", "term": "LocalRecurrence", "follows": ["chemo"]},
                ],
            ),
            # out: no local recurrence reported
            _case("no-recurrence", [RESECTION, {"id": "mets", "term": "DistantMetastasis", "site": {"term": "Lung"}}]),
            # out: resection for some patients only
            _case(
                "some-resected",
                [
                    {"id": "resection", "term": "SurgicalResection", "exposure": "some"},
                    {"id": "recurrence", "term": "LocalRecurrence"},
                ],
                kind="cohort",
                n=3,
            ),
        ],
    )
    assert _answer(graph) == {
        "after-recurrence": "definite",
        "surgery-only": "definite",
        "unordered": "possible",
        "some-rt": "possible",
    }


def test_one_row_per_group_however_many_resections_and_recurrences(tmp_path: Path) -> None:
    events: list[dict[str, Any]] = [
        {"id": "resection", "term": "SurgicalResection"},
        {"id": "recurrence", "term": "LocalRecurrence", "at": {"months": 7, "after": "resection"}},
        {"id": "re-resection", "term": "SurgicalResection", "reasons": ["recurrence"]},
        {"id": "recurrence-2", "term": "LocalRecurrence", "at": {"months": 5, "after": "re-resection"}},
    ]
    graph = _graph(tmp_path, [_case("twice", events)])
    rows = graph.query(HEADLINE).records()
    assert [r["surgery_alone"] for r in rows] == ["definite"]
    assert rows[0]["order_basis"] == "stated reason; stated time"


def test_the_seed_answers_hong_and_the_present_case(graph: KnowledgeGraph) -> None:
    rows = graph.query(HEADLINE, sources=SEED).records()
    found = {(r["source_label"], r["group"], r["surgery_alone"], r["order_basis"]) for r in rows}
    assert found == {
        (
            "Aalaoui et al. (2026)",
            "https://w3id.org/vskg/id/case/aalaoui-2026-present-case",
            "definite",
            "stated reason; stated sequence; stated time",
        ),
        (
            "Hong et al. (2016)",
            "https://w3id.org/vskg/id/case/hong-2016-table-1",
            "definite",
            "table cell or summary without order",
        ),
    }


def test_present_case_treatment_settings(graph: KnowledgeGraph) -> None:
    result = graph.sparql(
        "SELECT ?event ?setting ?basis WHERE { ?event vskg:setting/rdfs:label ?setting ; "
        "vskg:settingBasis/rdfs:label ?basis . "
        'FILTER(STRSTARTS(STR(?event), "https://w3id.org/vskg/id/event/aalaoui-2026-present-case-")) } ORDER BY ?event'
    )
    assert not isinstance(result, bool | list)
    settings = {str(r["event"]).rsplit("-case-", 1)[1]: (r["setting"], r["basis"]) for r in result.records()}
    assert settings == {
        "resection": ("primary", "derived from the order of events"),
        "line-1": ("for recurrent or metastatic disease", "derived from the order of events"),
    }  # the switch to gemcitabine is a decision, not a treatment given: it has no setting


def _group(events: list[dict[str, Any]], *, narrated: bool = False) -> Group:
    return Group.model_validate(
        {
            "id": "g",
            "kind": "case",
            "locator": "x",
            "narrated_course": narrated,
            "events": [{"locator": "x", **e} for e in events],
        }
    )


VOCAB = vocabulary(read_ontology(PROJECT.ontology))


@pytest.mark.parametrize(
    ("events", "setting"),
    [
        ([RESECTION, {"id": "rt", "term": "Radiotherapy", "at": {"months": 1, "after": "resection"}}], "Adjuvant"),
        ([RESECTION, {"id": "rt", "term": "Radiotherapy", "follows": ["resection"]}, RECURRENCE], "SettingNotStated"),
        (
            [{"id": "rt", "term": "Radiotherapy"}, {"id": "resection", "term": "SurgicalResection", "follows": ["rt"]}],
            "Neoadjuvant",
        ),
        (
            [RESECTION, RECURRENCE, {"id": "rt", "term": "Radiotherapy", "reasons": ["recurrence"]}],
            "ForRecurrentOrMetastaticDisease",
        ),
        ([RESECTION, {"id": "rt", "term": "Radiotherapy"}], "SettingNotStated"),
        (
            [RESECTION, {"id": "rt", "term": "Radiotherapy", "setting": "Palliative", "follows": ["resection"]}],
            "Palliative",
        ),
    ],
)
def test_a_setting_is_stated_derived_from_order_or_not_stated(events: list[dict[str, Any]], setting: str) -> None:
    order = group_order(_group(events), VOCAB)
    assert order.settings["rt"][0] == setting
    assert order.settings["rt"][1] == {"Palliative": "StatedSetting", "SettingNotStated": None}.get(
        setting, "DerivedSetting"
    )


def test_list_order_counts_only_for_a_narrated_course() -> None:
    events = [
        {"id": "a", "term": "LimbPain"},
        {"id": "b", "term": "SurgicalResection"},
        {"id": "c", "term": "LocalRecurrence"},
    ]
    assert group_order(_group(events), VOCAB).precedes == frozenset()
    narrated = group_order(_group(events, narrated=True), VOCAB)
    assert narrated.precedes == {("a", "b"), ("b", "c"), ("a", "c")}
    assert narrated.bases == {"NarratedCourse"}


def test_times_from_one_reference_order_their_events() -> None:
    events = [
        RESECTION,
        {"id": "x", "term": "ComputedTomography", "at": {"months": 3, "after": "resection"}},
        RECURRENCE,
    ]
    assert ("x", "recurrence") in group_order(_group(events), VOCAB).precedes


def test_a_circle_in_the_stated_order_is_refused(data_copy: Path) -> None:
    path = data_copy / "aalaoui-2026.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("        follows: [exploration]\n", "        follows: [exploration, histopathology]\n", 1),
        encoding="utf-8",
    )
    with pytest.raises(KGError, match=r"events: the stated order makes a circle: .*resection.*histopathology"):
        compile_quads(data_copy, PROJECT.ontology)
    with pytest.raises(OrderCycle):
        closure([("a", "b"), ("b", "a")])


def test_materialised_order_equals_the_records(graph: KnowledgeGraph) -> None:
    """Every stated relation of every record is in the graph as `precedes`, and nothing else is."""
    compiled = compile_quads(PROJECT.data, PROJECT.ontology, keep_records=True)
    expected: set[tuple[str, str]] = set()
    for rec in compiled.records:
        for grp in rec.groups:
            pairs = closure(stated_edges(grp))
            expected |= {(f"{grp.id}-{a}", f"{grp.id}-{b}") for a, b in pairs}
    result = graph.sparql("SELECT ?a ?b WHERE { ?a vskg:precedes ?b }")
    assert not isinstance(result, bool | list)
    prefix = "https://w3id.org/vskg/id/event/"
    found = {
        (str(a).removeprefix(prefix), str(b).removeprefix(prefix)) for a, b in (r.values() for r in result.records())
    }
    assert found == expected
    assert ("aalaoui-2026-present-case-local-recurrence", "aalaoui-2026-present-case-line-1") in found
    # no event precedes itself, and both ends of every pair belong to the same group
    check = graph.sparql(
        "ASK { { ?a vskg:precedes ?a } UNION { ?a vskg:precedes ?b . ?g vskg:hasEvent ?a . "
        "FILTER NOT EXISTS { ?g vskg:hasEvent ?b } } }"
    )
    assert check is False


def test_disease_free_interval_takes_the_first_relapse_timed_from_the_resection(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        [
            _case(
                "timed",
                [
                    RESECTION,
                    {"id": "mets", "term": "DistantMetastasis", "at": {"months": 4, "after": "resection"}},
                    RECURRENCE,
                ],
            ),
            # the recurrence at 9 months is not first: an untimed metastasis is stated to precede it
            _case(
                "earlier-untimed",
                [RESECTION, {"id": "mets", "term": "DistantMetastasis"}, {**RECURRENCE, "follows": ["mets"]}],
            ),
            _case("untimed", [RESECTION, {"id": "recurrence", "term": "LocalRecurrence"}]),
            # timed from the diagnosis only: no time from the resection, but still the first relapse
            _case(
                "timed-from-diagnosis",
                [
                    {"id": "diagnosis", "term": "Diagnosis"},
                    RESECTION,
                    {"id": "recurrence", "term": "LocalRecurrence", "at": {"months": 14, "after": "diagnosis"}},
                ],
            ),
            _case(
                "no-relapse",
                [RESECTION, {"id": "ned", "term": "NoEvidenceOfDisease", "at": {"months": 30, "after": "resection"}}],
            ),
        ],
    )
    rows = {
        str(r["group"]).rsplit("/", 1)[-1]: (r["first_event"], r["months"], r["basis"])
        for r in graph.query("disease-free-interval").records()
    }
    assert rows == {
        "timed": ("distant metastasis", "4", "stated time from the resection"),
        "earlier-untimed": ("distant metastasis", None, "no time stated from the resection"),
        "untimed": ("local recurrence", None, "no time stated from the resection"),
        "timed-from-diagnosis": ("local recurrence", None, "no time stated from the resection"),
    }


def test_recurrence_despite_adjuvant_therapy(tmp_path: Path) -> None:
    adjuvant_rt = {"id": "rt", "term": "Radiotherapy", "at": {"months": 1, "after": "resection"}}
    graph = _graph(
        tmp_path,
        [
            _case("derived-adjuvant", [RESECTION, adjuvant_rt, RECURRENCE]),
            _case(
                "cohort-some",
                [
                    {"id": "resection", "term": "SurgicalResection"},
                    {"id": "rt", "term": "Radiotherapy", "exposure": "some", "setting": "Adjuvant"},
                    {"id": "mets", "term": "DistantMetastasis", "exposure": "some"},
                ],
                kind="cohort",
                n=4,
            ),
            # radiotherapy given because of the recurrence is not adjuvant
            _case(
                "for-recurrence",
                [RESECTION, RECURRENCE, {"id": "rt", "term": "Radiotherapy", "reasons": ["recurrence"]}],
            ),
            _case("adjuvant-no-relapse", [RESECTION, adjuvant_rt]),
        ],
    )
    rows = {
        str(r["group"]).rsplit("/", 1)[-1]: (r["therapy"], r["setting"], r["setting_basis"], r["certainty"])
        for r in graph.query("recurrence-despite-adjuvant").records()
    }
    assert rows == {
        "derived-adjuvant": ("radiotherapy", "adjuvant", "derived from the order of events", "definite"),
        "cohort-some": ("radiotherapy", "adjuvant", "stated", "possible"),
    }


def test_anticoagulation_after_the_resection_is_not_a_delayed_diagnosis(tmp_path: Path) -> None:
    dvt = {"id": "dvt", "term": "InitialDiagnosis", "condition": "DeepVeinThrombosis", "status": "Misdiagnosed"}
    graph = _graph(
        tmp_path,
        [
            _case(
                "because-of-dvt",
                [dvt, {"id": "anticoagulation", "term": "Anticoagulation", "reasons": ["dvt"]}, RESECTION],
            ),
            _case(
                "after-surgery",
                [dvt, RESECTION, {"id": "anticoagulation", "term": "Anticoagulation", "follows": ["resection"]}],
            ),
            _case("unplaced", [dvt, {"id": "anticoagulation", "term": "Anticoagulation"}, RESECTION]),
        ],
    )
    rows = {str(r["group"]).rsplit("/", 1)[-1]: r["basis"] for r in graph.query("delayed-diagnosis").records()}
    assert rows == {"because-of-dvt": "given because of the diagnosis", "unplaced": "not placed in time"}


def test_treatments_by_setting_tells_stated_derived_and_not_stated(graph: KnowledgeGraph) -> None:
    rows = graph.query("treatments-by-setting", sources=SEED).records()
    femoral = {(r["treatment"], r["setting"], r["basis"]): r["events"] for r in rows if r["site"] == "femoral vein"}
    # doxorubicin only: the switch to gemcitabine is recorded as a decision, not as a line given
    assert (
        femoral[("systemic therapy", "for recurrent or metastatic disease", "derived from the order of events")] == "1"
    )
    assert femoral[("surgical resection", "primary", "derived from the order of events")] == "1"
    # Narayanan's Table 1 row: "Surgery + CT" gives no setting
    assert femoral[("systemic therapy", "setting not stated", "not stated")] == "1"
