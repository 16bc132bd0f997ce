"""Citations: supplemented from the pages that state them (each such field with its page as locator),
sources named by what is known of them, never by their slug, and the gaps listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from kg import KnowledgeGraph, RecordError
from kg.curation.importer import import_sheet
from kg.curation.labels import citation_label
from tests.conftest import PROJECT, ROOT

SHEET = ROOT.parent / "shared" / "sources" / "published-cases.json"
SUPPLEMENT = ROOT.parent / "shared" / "sources" / "citation-supplement.json"
SYNONYMS = ROOT / "curation" / "synonyms.yaml"
needs_sources = pytest.mark.skipif(not SUPPLEMENT.exists(), reason="shared/sources is not beside the checkout")


def test_no_source_is_labelled_by_its_slug() -> None:
    for path in sorted(PROJECT.data.glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert record["id"] not in record["label"], f"{path.name}: label {record['label']!r} is the slug"


@pytest.mark.parametrize(
    ("citation", "design", "label"),
    [
        ({"authors": "Hong J, Kim S", "year": 2016}, "CaseReport", "Hong & Kim (2016)"),
        ({"container": "Annals of Vascular Surgery 21(4):508-11", "year": 2007}, "CaseReport",
         "Case report, Annals of Vascular Surgery (2007)"),
        ({"title": "Leiomyosarcoma of the axillary vein"}, "CaseReport",
         "Case report: \u201cLeiomyosarcoma of the axillary vein\u201d (n.d.)"),
        ({"doi": "10.1007/BF01616827"}, None, "Publication, doi:10.1007/BF01616827 (n.d.)"),
    ],
)  # fmt: skip
def test_a_source_is_named_by_what_is_known(citation: dict[str, object], design: str | None, label: str) -> None:
    assert citation_label(citation, design) == label


@needs_sources
def test_import_applies_the_supplement_as_the_data_holds_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    import_sheet(SHEET, data, SYNONYMS, citations=SUPPLEMENT)
    for entry in json.loads(SUPPLEMENT.read_text(encoding="utf-8")):
        imported = yaml.safe_load((data / f"{entry['id']}.yaml").read_text(encoding="utf-8"))
        curated = yaml.safe_load((PROJECT.data / f"{entry['id']}.yaml").read_text(encoding="utf-8"))
        assert imported["citation"] == curated["citation"], entry["id"]
        assert imported["label"] == curated["label"]
        (supplement,) = curated["citation"]["supplements"]
        assert supplement["locator"] == entry["evidence_url"]


def test_supplemented_fields_carry_their_page_as_locator(graph: KnowledgeGraph) -> None:
    rows = graph.sparql(
        "SELECT ?field ?locator WHERE { ?s vskg:supplements <https://w3id.org/vskg/id/source/ivc-level2-angiologia> ; "
        "vskg:suppliedField ?field ; vskg:locator ?locator }"
    )
    assert not isinstance(rows, bool | list)
    assert {r["field"] for r in rows.records()} == {"authors", "year", "doi", "title"}
    assert {r["locator"] for r in rows.records()} == {
        "http://scielo.pt/scielo.php?pid=S1646-706X2016000100012&script=sci_arttext"
    }


def test_incomplete_citations_are_listed_with_the_fields_they_lack(graph: KnowledgeGraph) -> None:
    rows = {r["source"]: r["missing"] for r in graph.query("incomplete-citations").records()}
    assert rows["https://w3id.org/vskg/id/source/iliac-37m-thieme"] == "authors; journal; title; year"
    assert "https://w3id.org/vskg/id/source/ivc-level2-angiologia" not in rows or "authors" not in str(
        rows["https://w3id.org/vskg/id/source/ivc-level2-angiologia"]
    )


def test_a_malformed_supplement_names_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "supplement.json"
    entry = {"id": "x", "found": {"colour": "red"}, "evidence_url": "https://e.org", "evidence_quote": "q"}
    bad.write_text(json.dumps([{**entry, "confidence": "same identifier"}]), encoding="utf-8")
    with pytest.raises(RecordError, match=r"\[0\]\.found: unknown field\(s\) colour; valid: authors"):
        import_sheet(SHEET, tmp_path, SYNONYMS, citations=bad)
