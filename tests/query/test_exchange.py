"""Case-level exchange: every case leaves as a GA4GH phenopacket that the official library parses
strictly, the present case field by field; the alignments leave as a valid SSSOM mapping set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.json_format import Parse
from phenopackets import Cohort, Phenopacket

from kg import KnowledgeGraph

CREATED = "2026-12-01T00:00:00Z"


@pytest.fixture(scope="module")
def packets(graph: KnowledgeGraph) -> dict[str, dict[str, Any]]:
    return graph.to_phenopackets(created=CREATED)


def test_every_case_parses_strictly(graph: KnowledgeGraph, packets: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    cases = graph.sparql("SELECT ?c WHERE { ?c a vskg:Case }")
    assert not isinstance(cases, bool | list)
    assert len(packets) == len(cases) > 30
    for name, packet in packets.items():
        Parse(json.dumps(packet), Phenopacket(), ignore_unknown_fields=False)  # raises on any unknown field
        assert packet["metaData"]["externalReferences"], name
    written = graph.export(tmp_path, formats=["phenopackets"], created=CREATED)
    cohorts = [p for p in written if p.parent.name == "cohorts"]
    assert cohorts
    for path in cohorts:
        cohort = Parse(path.read_text(encoding="utf-8"), Cohort(), ignore_unknown_fields=False)
        assert cohort.members and cohort.meta_data.created.ToJsonString() == CREATED


def test_the_present_case_field_by_field(packets: dict[str, dict[str, Any]]) -> None:
    p = packets["aalaoui-2026-present-case"]
    assert p["subject"] == {"id": "aalaoui-2026-present-case", "sex": "FEMALE"}
    (disease,) = p["diseases"]
    assert disease["term"] == {"id": "MONDO:0005058", "label": "leiomyosarcoma"}
    assert disease["primarySite"]["id"] == "UBERON:0001361" and disease["laterality"]["id"] == "vskg:Left"
    assert disease["onset"] == {"age": {"iso8601duration": "P50Y"}}
    assert [f["type"]["id"] for f in p["phenotypicFeatures"]] == ["vskg:LimbPain", "vskg:LimbSwelling"]
    (ki67,) = p["measurements"]
    assert ki67["value"]["quantity"]["value"] == 18.0 and ki67["value"]["quantity"]["unit"]["id"] == "UCUM:%"
    (sample,) = p["biosamples"]
    assert sample["histologicalDiagnosis"]["id"] == "MONDO:0005058"
    assert sample["tumorGrade"] == {"id": "NCIT:C28078", "label": "Grade 2"}
    results = {m["assay"]["id"]: m["value"]["ontologyClass"]["id"] for m in sample["measurements"]}
    assert results["vskg:SmoothMuscleActin"] == "vskg:Positive" and results["vskg:NeuralMarkers"] == "vskg:Negative"
    actions = p["medicalActions"]
    resection = [a for a in actions if a.get("procedure", {}).get("code", {}).get("id") == "MAXO:0000448"]
    assert resection and resection[0]["procedure"]["bodySite"]["id"] == "UBERON:0001361"
    assert resection[0]["treatmentIntent"]["id"] == "vskg:Primary"
    doxorubicin = [a for a in actions if a.get("treatment", {}).get("agent", {}).get("id") == "CHEBI:28748"]
    # the dissociated response: one action per lesion, local improved, lung worse
    assert {(a["treatmentTarget"]["id"], a["responseToTreatment"]["id"]) for a in doxorubicin} == {
        ("vskg:LocalRecurrence", "vskg:Improved"),
        ("vskg:DistantMetastasis", "vskg:Worsened"),
    }
    assert all(a["treatmentIntent"]["id"] == "vskg:ForRecurrentOrMetastaticDisease" for a in doxorubicin)
    # "a decision was made to switch to gemcitabine": a decision, not a treatment given, so no action
    assert not any(a.get("treatment", {}).get("agent", {}).get("id") == "CHEBI:175901" for a in actions)
    refs = {r["id"] for r in p["metaData"]["externalReferences"]}
    assert "vskg:case/aalaoui-2026-present-case" in refs
    prefixes = {r["namespacePrefix"] for r in p["metaData"]["resources"]}
    used = {c.split(":")[0] for c in json.dumps(p).split('"id": "')[1:] for c in [c.split('"')[0]] if ":" in c}
    assert used - {"vskg", "UCUM"} <= prefixes and "vskg" in prefixes


def test_nothing_is_invented(packets: dict[str, dict[str, Any]]) -> None:
    """No time the source does not give, no age where none is stated, no line or cycle fields."""
    text = json.dumps(packets)
    assert "timeAtLastEncounter" not in text and "performed" not in text and "doseIntervals" not in text
    for name, packet in packets.items():
        for disease in packet.get("diseases", []):
            assert "onset" not in disease or disease["onset"]["age"]["iso8601duration"].startswith("P"), name


def test_alignments_as_a_valid_sssom_mapping_set(graph: KnowledgeGraph, tmp_path: Path) -> None:
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    (path,) = graph.export(tmp_path, formats=["sssom"])
    msdf = parse_sssom_table(str(path))
    reports = validate(msdf, fail_on_error=False)
    assert all(not report.results for report in reports.values())
    rows = {(r.subject_id, r.predicate_id, r.object_id) for r in msdf.df.itertuples()}
    assert ("vskg:FemoralVein", "skos:exactMatch", "UBERON:0001361") in rows
    assert ("vskg:CaseSeries", "skos:broadMatch", "SEPIO:0000070") in rows
    assert ("vskg:LimbPain", "skos:closeMatch", "HP:0012514") in rows


def test_the_server_gives_a_case_as_a_phenopacket(built_store: Path) -> None:
    from fastapi.testclient import TestClient

    from kg.web.app import create_app
    from tests.server_fixtures import app_settings

    settings = app_settings(built_store)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        answer = client.get("/id/case/aalaoui-2026-present-case?format=phenopacket")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
        packet = Parse(answer.text, Phenopacket(), ignore_unknown_fields=False)
        assert packet.id == "aalaoui-2026-present-case" and packet.diseases[0].term.id == "MONDO:0005058"
        assert client.get("/id/case/nobody?format=phenopacket").status_code == 404
        assert client.get("/id/case/Bad%20Id?format=phenopacket").status_code == 404


def test_the_server_reads_the_terms_once_per_build_and_serves_the_export_packets(
    built_store: Path, packets: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The term labels are the same for every case: the server reads them once for the build it
    serves, and each packet is still the one the export writes (but for its creation stamp)."""
    from fastapi.testclient import TestClient

    from kg.query import phenopackets as exchange
    from kg.web.app import create_app
    from tests.server_fixtures import app_settings

    reads: list[int] = []
    read_terms = exchange.read_terms

    def counted(graph: Any) -> exchange.Terms:
        reads.append(1)
        return read_terms(graph)

    monkeypatch.setattr(exchange, "read_terms", counted)
    settings = app_settings(built_store, cache_bytes=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for case in ("aalaoui-2026-present-case", "guo-2022-front-surg-case", "kuma-smv-case"):
            served = client.get(f"/id/case/{case}?format=phenopacket").json()
            served["metaData"]["created"] = packets[case]["metaData"]["created"]
            assert served == packets[case]
    assert reads == [1]


def test_one_case_asked_alone_is_the_same_packet_as_in_the_export(
    graph: KnowledgeGraph, packets: dict[str, dict[str, Any]]
) -> None:
    from kg.query.phenopackets import phenopackets

    for case in ("aalaoui-2026-present-case", "guo-2022-front-surg-case", "kuma-smv-case"):
        alone = phenopackets(graph, created=CREATED, case=case)
        assert alone == {case: packets[case]}
    assert phenopackets(graph, created=CREATED, case="no-such-case") == {}
    assert phenopackets(graph, created=CREATED, case="x> } ?s ?p ?o { <y") == {}


def test_histologies_and_arterial_sites_leave_with_their_checked_codes(graph: KnowledgeGraph) -> None:
    """A phenopacket's disease is the histology's exact MONDO code where one was checked, else the
    vskg term (a broad or close match is not promoted); sites take their exact UBERON code."""
    from kg.iris import VSKG
    from kg.query.phenopackets import read_terms

    terms = read_terms(graph)
    assert terms.oc(VSKG + "Leiomyosarcoma", "disease")["id"] == "MONDO:0005058"
    assert terms.oc(VSKG + "Angiosarcoma", "disease") == {"id": "MONDO:0016982", "label": "angiosarcoma"}
    assert terms.oc(VSKG + "IntimalSarcoma", "disease")["id"] == "vskg:IntimalSarcoma"
    assert terms.oc(VSKG + "SarcomaSubtypeNotStated", "disease")["id"] == "vskg:SarcomaSubtypeNotStated"
    assert terms.oc(VSKG + "PulmonaryTrunk", "site")["id"] == "UBERON:0002333"
    assert terms.oc(VSKG + "ThoracicAorta", "site")["id"] == "vskg:ThoracicAorta"
