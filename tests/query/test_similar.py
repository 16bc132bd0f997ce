"""Patients like mine: the rules of the score on constructed cases (each side of each rule), the
seed's present case against the corpus, the typed result, and a phenopacket as the patient."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

import kg
from kg import KnowledgeGraph, Patient, QueryError, SimilarResult, Weights, build
from kg.query.similar_patient import describe
from tests.conftest import PROJECT

CASE = "https://w3id.org/vskg/id/case/"
PRESENT = CASE + "aalaoui-2026-present-case"
# constructed for these tests (never in data/): one case per (id, site, age)
CONSTRUCTED = [
    ("cfv", "CommonFemoralVein", 50),
    ("popliteal", "PoplitealVein", 50),
    ("eiv", "ExternalIliacVein", 50),
    ("ivc", "InferiorVenaCava", 50),
    ("fv-50", "FemoralVein", 50),
    ("fv-52", "FemoralVein", 52),
    ("fv-70", "FemoralVein", 70),
    ("fv-unknown", "FemoralVein", None),
]


@pytest.fixture(scope="module")
def constructed(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    folder = tmp_path_factory.mktemp("constructed")
    groups = []
    for slug, site, age in CONSTRUCTED:
        case: dict[str, Any] = {"id": f"constructed-{slug}", "kind": "case", "locator": f"Case {slug}", "sex": "Female"}
        if age is not None:
            case["age"] = age
        case["tumour"] = {"histology": "Leiomyosarcoma", "site": {"term": site}, "locator": f"Case {slug}"}
        groups.append(case)
    record = {
        "id": "constructed",
        "label": "Constructed cases (2026)",
        "citation": {"title": "Constructed cases for the similarity tests", "year": 2026, "locator": "Title"},
        "study_design": "CaseSeries",
        "design_basis": "constructed for a test",
        "groups": groups,
    }
    (folder / "constructed.yaml").write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    return build(folder, ontology_dir=PROJECT.ontology, queries_dir=PROJECT.queries)


def _order(graph: KnowledgeGraph, **facts: Any) -> list[str]:
    return [m.group.removeprefix(CASE + "constructed-") for m in graph.similar(top=100, **facts).matches]


def test_a_sibling_vein_ranks_above_a_cousin_above_a_distant_vein(constructed: KnowledgeGraph) -> None:
    order = _order(constructed, site="SuperficialFemoralVein")
    assert order.index("cfv") < order.index("popliteal") < order.index("eiv") < order.index("ivc")
    # the other side of the rule: asked from the distant vein, the distant case comes first
    assert _order(constructed, site="InferiorVenaCava")[0] == "ivc"


def test_lin_similarity_rests_on_the_literature_own_information_content(constructed: KnowledgeGraph) -> None:
    result = constructed.similar(site="SuperficialFemoralVein", top=100)
    cfv = next(m for m in result.matches if m.group.endswith("constructed-cfv"))
    site = next(f for f in cfv.facts if f.fact == "site")
    # 8 groups; 5 at or below the femoral vein, 1 at the common femoral vein, none at the superficial
    # one; information content -log2((n + 1) / (8 + 1))
    ic_fv, ic_cfv, ic_sfv = math.log2(9 / 6), math.log2(9 / 2), math.log2(9 / 1)
    assert site.similarity == pytest.approx(2 * ic_fv / (ic_sfv + ic_cfv), abs=1e-4)
    assert site.status == "partly" and "meet at femoral vein" in site.reason and f"{ic_fv:.2f} bits" in site.reason


def test_a_nearer_age_ranks_higher_on_each_side(constructed: KnowledgeGraph) -> None:
    fifty = _order(constructed, site="FemoralVein", age=50)
    assert fifty.index("fv-50") < fifty.index("fv-52") < fifty.index("fv-70")
    sixty_eight = _order(constructed, site="FemoralVein", age=68)
    assert sixty_eight.index("fv-70") < sixty_eight.index("fv-52") < sixty_eight.index("fv-50")


def test_a_missing_fact_is_neither_rewarded_nor_punished(constructed: KnowledgeGraph) -> None:
    result = constructed.similar(site="FemoralVein", age=50, top=100)
    order = [m.group.removeprefix(CASE + "constructed-") for m in result.matches]
    # not rewarded: the same score as the case whose age agrees, which rests on more facts and comes first
    assert order.index("fv-50") < order.index("fv-unknown")
    # not punished: above the case whose age is 20 years off
    assert order.index("fv-unknown") < order.index("fv-70")
    unknown = result.matches[order.index("fv-unknown")]
    assert unknown.score == result.matches[order.index("fv-50")].score == 1.0
    assert unknown.facts_compared == 1 and unknown.by_status("missing") == ["age"]
    assert result.unknown == {"site": 0, "age": 1}


def test_bad_descriptions_name_the_fact_and_what_is_valid(constructed: KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match=r"site: unknown term 'FemurVein' \(did you mean FemoralVein"):
        constructed.similar(site="FemurVein")
    with pytest.raises(QueryError, match="age: '200' is out of range; give years, 0 to 120"):
        constructed.similar(site="FemoralVein", age="200")
    with pytest.raises(QueryError, match="sex: 'x' is not one of female, male"):
        constructed.similar(sex="x")
    with pytest.raises(QueryError, match="describe the patient"):
        constructed.similar()
    with pytest.raises(QueryError, match="weight 'colour': no such fact"):
        constructed.similar(site="FemoralVein", weights={"colour": 1})
    with pytest.raises(QueryError, match="top: 0 is out of range"):
        constructed.similar(site="FemoralVein", top=0)


def _at(graph: KnowledgeGraph, site: str) -> set[str]:
    rows = graph.query("groups-at-site", site=site).records()
    return {str(r["group"]) for r in rows if r["coverage"] == "all patients"}


def test_the_present_case_finds_femoral_veins_above_iliac_and_caval_ones(graph: KnowledgeGraph) -> None:
    """Done-when of issue 27: a 50-year-old woman, left femoral vein, FNCLCC grade 2 (the source
    states no tumour size) - every other femoral-vein group ranks above every iliac and IVC group."""
    result = graph.similar(site="FemoralVein", laterality="left", age=50, sex="female", grade=2, top=1000)
    rank = {m.group: m.rank for m in result.matches}
    femoral, iliac, caval = (_at(graph, f"vskg:{s}") for s in ("FemoralVein", "IliacVein", "InferiorVenaCava"))
    assert result.matches[0].group == PRESENT and len(femoral) >= 8 and iliac and caval
    assert max(rank[g] for g in femoral) < min(rank[g] for g in iliac | caval)
    # the hierarchy's reasons are shown
    sfv = next(m for m in result.matches if m.group == CASE + "aleem-sfv-case")
    site = next(f for f in sfv.facts if f.fact == "site")
    assert site.group_value == "superficial femoral vein" and "lies below femoral vein" in site.reason
    ivc = next(m for m in result.matches if m.group in caval and m.kind == "case")
    assert "meet at vein" in next(f for f in ivc.facts if f.fact == "site").reason


def test_the_result_is_typed_and_says_what_happened_with_sources(graph: KnowledgeGraph) -> None:
    result = graph.similar(site="FemoralVein", laterality="left", age=50, sex="female", grade=2, top=10)
    frame = result.to_pandas()
    assert str(frame["rank"].dtype) == "Int64" and str(frame["score"].dtype) == "float64"
    assert str(frame["facts_compared"].dtype) == "Int64" and str(frame["counted"].dtype) == "boolean"
    assert list(frame["group"])[:1] == [PRESENT] and frame["score"].is_monotonic_decreasing
    events = result.events_to_pandas()
    present = events[events["group"] == PRESENT]
    lung = present[present["label"] == "distant metastasis"].iloc[0]
    assert lung["months"] == 9.0 and lung["after"] == "surgical resection (femoral vein)"
    assert lung["source_label"] == "Aalaoui et al. (2026)" and "Case Presentation, para 4" in lung["locator"]
    assert all(events["locator"].str.len() > 0)
    # the present case recurred after resection alone (doxorubicin came because of the recurrence)
    assert result.matches[0].course == "resection alone"
    alone = next(r for r in result.summary if r.course == "resection alone")
    assert alone.recurred >= 2 and alone.recurrence_stated >= alone.recurred
    # cohorts count with their n: the patients of the summary are more than its groups
    assert sum(r.patients for r in result.summary) > sum(r.groups for r in result.summary)
    assert "not prognosis" in result.limits and set(result.unknown) == {"site", "laterality", "age", "sex", "grade"}
    assert json.loads(json.dumps(result.to_dict()))["matches"][0]["group"] == PRESENT


def test_a_sub_group_beside_its_series_is_counted_once(graph: KnowledgeGraph) -> None:
    result = graph.similar(site="FemoralVein", top=20)
    by_group = {m.group: m for m in result.matches}
    femoral = by_group["https://w3id.org/vskg/id/cohort/vascular-lms-extremity-2009-femoral"]
    assert "https://w3id.org/vskg/id/cohort/vascular-lms-extremity-2009-series" in by_group
    assert not femoral.counted and "counted there" in (femoral.note or "")
    counted = [m for m in result.matches if m.counted]
    assert sum(r.patients for r in result.summary) == sum(m.patients for m in counted)


def _present_packet(graph: KnowledgeGraph) -> dict[str, Any]:
    return graph.to_phenopackets(created="2026-01-01T00:00:00Z")["aalaoui-2026-present-case"]


def test_an_exported_phenopacket_finds_its_own_case_first(graph: KnowledgeGraph, tmp_path: Path) -> None:
    packet = _present_packet(graph)
    path = tmp_path / "present.json"
    path.write_text(json.dumps(packet), encoding="utf-8")
    result = graph.similar(phenopacket=path, top=5)
    assert result.matches[0].group == PRESENT and result.matches[0].by_status("agreed") == [
        "site", "laterality", "age", "sex", "grade", "presentations", "treatments",
    ]  # fmt: skip
    assert result.described["treatments"] == "anticoagulation, surgical exploration, surgical resection"
    # the chemotherapy was given for the recurrence: not a treatment so far, and the notes say so
    assert any("CHEBI:28748" in n and "recurrent or metastatic" in n for n in result.notes)
    # facts beside the packet replace its own
    older = graph.similar(phenopacket=packet, age=80, top=5)
    assert older.patient.age == 80 and older.patient.site == "FemoralVein"


def test_the_phenopacket_and_the_same_facts_give_the_same_ranking(graph: KnowledgeGraph) -> None:
    from_packet = graph.similar(phenopacket=_present_packet(graph), top=15)
    from_facts = graph.similar(describe(**SAME_FACTS), top=15)
    assert [(m.group, m.score) for m in from_packet.matches] == [(m.group, m.score) for m in from_facts.matches]


SAME_FACTS: dict[str, Any] = {
    "site": "FemoralVein",
    "laterality": "Left",
    "age": 50,
    "sex": "Female",
    "grade": 2,
    "presentations": ["LimbPain", "LimbSwelling"],
    "treatments": ["Anticoagulation", "SurgicalExploration", "SurgicalResection"],
}


def test_a_file_that_is_not_a_phenopacket_is_named(graph: KnowledgeGraph, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(QueryError, match=r"bad.json: not JSON"):
        graph.similar(phenopacket=bad)
    bad.write_text('{"cohort": {}}', encoding="utf-8")
    with pytest.raises(QueryError, match=r"bad.json: not a phenopacket"):
        graph.similar(phenopacket=bad)
    packet = {"subject": {"sex": "FEMALE"}, "phenotypicFeatures": [{"type": {"id": "HP:9999999", "label": "made up"}}]}
    result = graph.similar(phenopacket=packet, top=3)
    assert result.patient.sex == "Female" and any("HP:9999999" in n and "no vskg term" in n for n in result.notes)


def test_the_public_names_describe_a_patient_and_weigh_the_facts(constructed: KnowledgeGraph) -> None:
    assert {"Patient", "SimilarResult", "Weights"} <= set(kg.__all__)
    result = constructed.similar(Patient(site="FemoralVein", age=70), weights=Weights(site=1, age=5))
    assert isinstance(result, SimilarResult) and result.weights.age == 5
    assert result.matches[0].group.endswith("constructed-fv-70")  # age now outweighs the site
    with pytest.raises(QueryError, match="give a Patient or facts, not both"):
        constructed.similar(Patient(site="FemoralVein"), age=50)
