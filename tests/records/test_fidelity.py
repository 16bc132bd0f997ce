"""Mappings that say what the source says: each approximation found in review stays fixed, and
approximations that remain are data (strength and words), doubts are data, and counts show them."""

from __future__ import annotations

import pytest

from kg import KnowledgeGraph
from tests.conftest import PROJECT, SEED

EVENT = "https://w3id.org/vskg/id/event/"


def _terms(graph: KnowledgeGraph, event: str) -> set[str]:
    result = graph.sparql(f"SELECT ?c WHERE {{ <{EVENT}{event}> a ?c }}")
    assert not isinstance(result, bool | list)
    return {str(c).rsplit("#", 1)[-1] for c in result.column("c")}


@pytest.mark.parametrize(
    ("event", "term", "not_term"),
    [
        # an actual deep vein thrombosis is not a DVT-like presentation
        ("alotaibi-2022-case-presentation", "DeepVeinThrombosisAtPresentation", "DVTLikePresentation"),
        ("ivc-level2-angiologia-case-presentation", "DeepVeinThrombosisAtPresentation", "DVTLikePresentation"),
        # a transverse suture of the IVC closes the vein; it is not a reconstruction
        ("rusu-rjme-case-vein-suture", "VeinSuture", "VeinReconstruction"),
        # "sense of weight" and "general discomfort" are not fatigue
        ("dipilla-2023-case-presentation-2", "LimbHeaviness", "Fatigue"),
        ("vanmarle-2004-case-presentation-2", "GeneralDiscomfort", "Fatigue"),
        # "presented as a thrombosed venous aneurysm" is not a palpable mass
        ("leminh-gsv-2cases-case-1-presentation", "VenousAneurysmLikePresentation", "PalpableMass"),
        # second sheet: "alive (disease status not stated)" is not no evidence of disease
        ("gurleyik-2005-indian-j-surg-case-alive", "Alive", "NoEvidenceOfDisease"),
        # removing a lung metastasis is not the resection of the primary
        ("guo-2022-front-surg-case-metastasectomy", "Metastasectomy", "SurgicalResection"),
        # an operation that found the tumour, with a specimen, is an operation: neither stated to be the
        # resection nor "not the tumour resection" (other surgery)
        ("el-malki-2003-prog-urol-case-surgical-procedure", "SurgicalProcedure", "SurgicalResection"),
        ("el-malki-2003-prog-urol-case-surgical-procedure", "SurgicalProcedure", "OtherSurgery"),
        ("iliac-37m-thieme-case-surgical-procedure", "SurgicalProcedure", "SurgicalResection"),
        # primary repair of the IVC is a suture, not a reconstruction
        ("ivc-20pts-1990-2006-series-ivc-primary-repair", "VeinSuture", "VeinReconstruction"),
    ],
)
def test_reviewed_mappings_stay_fixed(graph: KnowledgeGraph, event: str, term: str, not_term: str) -> None:
    terms = _terms(graph, event)
    assert term in terms and not_term not in terms


def test_a_branch_of_a_vein_is_not_the_vein_and_intravascular_is_not_venous(graph: KnowledgeGraph) -> None:
    rows = graph.sparql(
        "SELECT ?group ?class ?branch WHERE { ?group vskg:hasTumour/vskg:primarySite ?site . ?site a ?class . "
        "OPTIONAL { ?site vskg:branchOf/a ?branch } "
        "VALUES ?group { <https://w3id.org/vskg/id/case/eiv-branch-2018-crim-case> "
        "<https://w3id.org/vskg/id/case/leminh-gsv-2cases-case-2> "
        "<https://w3id.org/vskg/id/cohort/intravascular-lms-12cases-wjso-series> } } ORDER BY ?group"
    )
    assert not isinstance(rows, bool | list)
    found = {str(r["group"]).rsplit("/", 1)[-1]: (str(r["class"]).rsplit("#")[-1], r["branch"]) for r in rows.records()}
    assert found["eiv-branch-2018-crim-case"] == ("PelvicVein", "https://w3id.org/vskg/ontology#ExternalIliacVein")
    assert found["leminh-gsv-2cases-case-2"] == ("LowerLimbVein", "https://w3id.org/vskg/ontology#GreatSaphenousVein")
    assert found["intravascular-lms-12cases-wjso-series"] == ("BloodVessel", None)
    external_iliac = graph.query("groups-at-site", site="vskg:ExternalIliacVein").column("group")
    assert not any("eiv-branch" in str(g) for g in external_iliac)
    veins = graph.query("groups-at-site", site="vskg:Vein").column("group")
    assert not any("intravascular-lms" in str(g) for g in veins)


def test_facts_the_source_does_not_state_are_not_stored(graph: KnowledgeGraph) -> None:
    # the cephalic-vein abstract implies a resection but does not describe one
    assert "SurgicalResection" not in {t for e in ("cephalic-2007-case-surgical-resection",) for t in _terms(graph, e)}
    # the seed assessed the response after three cycles; it does not say three were given in all
    assert graph.sparql(f"ASK {{ <{EVENT}aalaoui-2026-present-case-line-1> vskg:cycles ?n }}") is False
    # postoperative morbidity of 28 % and 11 % is some patients, not all
    rows = graph.sparql(
        "SELECT ?x WHERE { VALUES ?e { <https://w3id.org/vskg/id/event/illuminati-ivc-vs-nonivc-ivc-morbidity> "
        "<https://w3id.org/vskg/id/event/illuminati-ivc-vs-nonivc-non-ivc-morbidity> } ?e vskg:exposure ?x }"
    )
    assert not isinstance(rows, bool | list)
    assert set(rows.column("x")) == {"https://w3id.org/vskg/ontology#SomePatients"}


def test_approximations_are_queryable_and_can_be_left_out(graph: KnowledgeGraph) -> None:
    rows = graph.query("approximate-mappings").records()
    assert {(r["term"], r["strength"], r["as_printed"]) for r in rows} >= {
        ("surgical resection", "term narrower than the words", "Surgery"),
        ("DVT-like presentation", "term related to the words", "apparent thrombus unchanged despite anticoagulation"),
        (
            "inferior vena cava",
            "term broader than the words",
            "inferior vena cava (infrarenal segment interrupted at surgery)",
        ),
        ("arterial hypertension", "term narrower than the words", "hypertension"),
    }
    every = graph.query("dvt-presentations").records()
    exact = graph.query("dvt-presentations", exact_only=True).records()
    assert {r["how"] for r in every} == {
        "DVT-like presentation",
        "deep vein thrombosis at presentation",
        "initial diagnosis of deep vein thrombosis",
    }
    assert len(exact) == len([r for r in every if r["mapping"] is None])


def _case_terms(graph: KnowledgeGraph, group: str) -> set[str]:
    rows = graph.sparql(f"SELECT ?c WHERE {{ <https://w3id.org/vskg/id/case/{group}> vskg:hasEvent/a ?c }}")
    assert not isinstance(rows, bool | list)
    return {str(c).rsplit("#", 1)[-1] for c in rows.column("c")}


def _note(graph: KnowledgeGraph, group: str) -> str:
    rows = graph.sparql(f"SELECT ?n WHERE {{ <https://w3id.org/vskg/id/case/{group}> vskg:curatorNote ?n }}")
    assert not isinstance(rows, bool | list)
    return " ".join(str(n) for n in rows.column("n"))


def test_a_term_that_claims_no_symptoms_or_another_operation_is_not_used_for_looser_words(
    graph: KnowledgeGraph,
) -> None:
    # "tumour found accidentally" beside a month of breathlessness: an incidental finding is found
    # without symptoms, so the words stay a note and the breathlessness a presentation
    zou = "zou-2017-iran-j-radiol-case"
    assert "IncidentalFinding" not in _case_terms(graph, zou) and "Dyspnoea" in _case_terms(graph, zou)
    assert "'tumour found accidentally'" in _note(graph, zou)
    # "incidentally found", symptoms not stated, likewise; an actual thrombus beside the tumour is not
    # what "deep venous thrombosis" of the tumour's own veins says
    assert "IncidentalFinding" not in _case_terms(graph, "avs-2016-ivc-3pts-case-2")
    assert "DeepVeinThrombosisAtPresentation" not in _case_terms(graph, "samouco-2022-eurorad-case")
    # the operation during which an IVC tumour was found is an operation (broader than the words),
    # not "an operation that is not the tumour resection"
    rows = graph.sparql(
        "SELECT ?s ?p WHERE { <https://w3id.org/vskg/id/event/el-malki-2003-prog-urol-case-surgical-procedure> "
        "vskg:mappingStrength ?s ; vskg:phraseAsPrinted ?p }"
    )
    assert not isinstance(rows, bool | list)
    ((strength, phrase),) = [(str(r["s"]), str(r["p"])) for r in rows.records()]
    assert strength.endswith("#BroaderMapping") and phrase.startswith("operation during which the IVC tumour")
    assert "OtherSurgery" not in _case_terms(graph, "el-malki-2003-prog-urol-case")


def test_the_seed_tables_surgery_is_a_resection_only_approximately_and_plus_minus_makes_some(
    graph: KnowledgeGraph,
) -> None:
    rows = graph.sparql(
        "SELECT ?group ?class ?exposure ?strength ?phrase WHERE { "
        "?group vskg:reportedIn ?work ; vskg:hasEvent ?e . FILTER(STRENDS(STR(?group), '-table-1')) "
        "VALUES ?class { vskg:SurgicalResection vskg:Radiotherapy vskg:SystemicTherapy vskg:VeinReconstruction } "
        "?e a ?class ; vskg:exposure ?exposure . "
        "OPTIONAL { ?e vskg:mappingStrength ?strength } OPTIONAL { ?e vskg:phraseAsPrinted ?phrase } }"
    )
    assert not isinstance(rows, bool | list)
    found = {
        (str(r["group"]).rsplit("/", 1)[-1].removesuffix("-table-1"), str(r["class"]).rsplit("#", 1)[-1]): (
            str(r["exposure"]).rsplit("#", 1)[-1],
            str(r["strength"]).rsplit("#", 1)[-1] if r["strength"] else None,
            str(r["phrase"]) if r["phrase"] else None,
        )
        for r in rows.records()
    }
    surgery = ("AllPatients", "NarrowerMapping", "Surgery")  # every row's surgery: all patients, the word kept
    assert {k[0] for k in found if k[1] == "SurgicalResection"} == {
        "kevorkian-1973",
        "dzsinic-1992",
        "hines-1999",
        "hong-2016",
        "narayanan-2019",
        "sheaffer-2022",
    }
    assert all(v == surgery for k, v in found.items() if k[1] == "SurgicalResection")
    some = ("SomePatients", None, None)  # "± RT", "± CT", "reconstruction [±]": possibly exposed
    assert found[("kevorkian-1973", "Radiotherapy")] == some
    assert found[("dzsinic-1992", "SystemicTherapy")] == found[("hines-1999", "SystemicTherapy")] == some
    assert found[("sheaffer-2022", "VeinReconstruction")] == some
    assert found[("narayanan-2019", "SystemicTherapy")] == ("AllPatients", None, None)  # "Surgery + CT"


def test_site_doubts_are_shown_beside_the_counts(graph: KnowledgeGraph) -> None:
    rows = {r["site_label"]: r for r in graph.query("patients-per-site", sources=SEED).records()}
    # Kevorkian & Cento (12, "large veins and arteries") and Hines et al. (57, "other anatomic sites")
    assert rows["(all locations)"]["site_in_doubt"] == "69"
    assert rows["peripheral vein"]["site_in_doubt"] == "12"
    caveats = graph.sparql(
        "SELECT ?note WHERE { <https://w3id.org/vskg/id/cohort/kevorkian-1973-table-1> vskg:hasCaveat ?c . "
        "?c vskg:caveatAbout vskg:SiteDoubt ; vskg:curatorNote ?note }"
    )
    assert not isinstance(caveats, bool | list)
    assert "arteries" in str(caveats.column("note")[0])


def test_record_check_catches_a_percentage_stored_as_all_patients(data_copy: object) -> None:
    from pathlib import Path

    from kg import KGError
    from kg.build.pipeline import compile_quads

    assert isinstance(data_copy, Path)
    path = data_copy / "illuminati-ivc-vs-nonivc.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    exposure: some\n", "", 1), encoding="utf-8")
    with pytest.raises(KGError, match=r"morbidity\)\.exposure: with 28(\.0)? % patients it must be 'some'"):
        compile_quads(data_copy, PROJECT.ontology)
