"""One work, one source: an entry for a work already held stops the import (naming both); two
sources that look like one work, and a review that states a work differently from the work's own
record, are reported by `vskg validate` with both values."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kg import RecordError
from kg.curation.importer import import_sheet
from kg.records.identity import fold, same_works, work_keys
from tests.conftest import PROJECT, ROOT

SYNONYMS = ROOT / "curation" / "synonyms.yaml"


def _entry(rid: str, **citation: object) -> dict[str, object]:
    return {"id": rid, "citation": citation, "study_type": "case series", "n_patients": 12, "patients": [],
            "series_summary": None, "locator": "Abstract"}  # fmt: skip


def _sheet(tmp_path: Path, *entries: dict[str, object]) -> Path:
    path = tmp_path / "sheet.json"
    path.write_text(json.dumps(list(entries)), encoding="utf-8")
    return path


def _dzsinic_again(tmp_path: Path) -> Path:
    """A sheet entry for Dzsinič et al. (1992), which data/ holds as dzsinic-1992, spelt without the caron."""
    return _sheet(
        tmp_path,
        _entry("dzsinic-series", authors="Dzsinic C, Gloviczki P", year=1992,
               title="Primary venous leiomyosarcoma: a rare but lethal disease", journal="J Vasc Surg"),
    )  # fmt: skip


def test_the_same_work_without_its_diacritic_stops_the_import(tmp_path: Path, data_copy: Path) -> None:
    sheet = _dzsinic_again(tmp_path)
    before = sorted(p.name for p in data_copy.iterdir())
    with pytest.raises(RecordError) as info:
        import_sheet(sheet, data_copy, SYNONYMS)
    message = str(info.value)
    assert "record dzsinic-series" in message and "data/dzsinic-1992.yaml" in message
    assert "same title, first author and year" in message and "--separate dzsinic-series" in message
    assert sorted(p.name for p in data_copy.iterdir()) == before  # nothing written
    report = import_sheet(sheet, data_copy, SYNONYMS, separate=frozenset({"dzsinic-series"}))
    assert report.written == ["dzsinic-series.yaml"]


def test_a_doi_matches_whatever_the_title() -> None:
    a = work_keys({"doi": "10.1000/ABC", "title": "One title of some length here"})
    b = work_keys({"doi": "10.1000/abc", "title": "Another title entirely, also long"})
    assert [k for k in a if b.get(k) == a[k]] == ["doi"]
    assert fold("Dzsinič") == fold("Dzsinic") == "dzsinic"


def test_the_corpus_holds_each_work_once() -> None:
    citations, apart = {}, {}
    for path in sorted(PROJECT.data.glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        citations[record["id"]] = record["citation"]
        apart[record["id"]] = [d["source"] for d in record.get("distinct_from", [])]
    # one pair shares a generic title only, and its record says why it is two works
    assert same_works(citations) == [("radiol-bras-ivc-48f", "zou-2017-iran-j-radiol", ["title"])]
    assert same_works(citations, apart) == []


def test_a_differing_identifier_outweighs_a_shared_title_and_a_shared_one_outweighs_the_rest() -> None:
    title = "Leiomyosarcoma of the inferior vena cava: a case report"
    a = {"title": title, "doi": "10.1000/one"}
    assert same_works({"a": a, "b": {"title": title, "doi": "10.1000/two"}}) == []
    assert same_works({"a": a, "b": {"title": title}}) == [("a", "b", ["title"])]
    # one work whose author list is printed two ways and whose PMID one page lacks
    el_malki = {"doi": "10.1000/x", "authors": "EL MALKI H.O., IFRINE L.", "year": 2003, "pmid": "1"}
    assert same_works({"a": el_malki, "b": {"doi": "10.1000/x", "authors": "El Malki HO", "year": 2003}}) == [
        ("a", "b", ["doi"])
    ]
    # a shared title with other authors is still reported: names are printed in too many ways to rule it out
    zou, other = (
        {"title": title, "authors": "Zou Q", "year": 2017},
        {"title": title, "authors": "Silva A", "year": 2019},
    )
    assert same_works({"a": zou, "b": other}) == [("a", "b", ["title"])]


def test_a_source_kept_apart_must_name_a_held_source(data_copy: Path) -> None:
    path = data_copy / "radiol-bras-ivc-48f.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("source: zou-2017-iran-j-radiol", "source: zou-2099"),
                    encoding="utf-8")  # fmt: skip
    done = _vskg("validate", "--no-reasoner", "--data", str(data_copy), cwd=ROOT)
    assert done.returncode != 0
    assert "distinct_from[0].source" in done.stderr and "zou-2099" in done.stderr


def _vskg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip


def test_the_command_line_stops_on_a_held_work_and_keeps_it_apart_when_told(tmp_path: Path, data_copy: Path) -> None:
    sheet = _dzsinic_again(tmp_path)
    args = ("import", str(sheet), "--data", str(data_copy), "--store", str(tmp_path / "store"))
    refused = _vskg(*args, cwd=ROOT)
    assert refused.returncode != 0 and "--separate dzsinic-series" in refused.stderr
    assert not (data_copy / "dzsinic-series.yaml").exists()
    kept = _vskg(*args, "--separate", "dzsinic-series", cwd=ROOT)
    assert kept.returncode == 0, kept.stderr
    assert (data_copy / "dzsinic-series.yaml").exists()
    assert "distinct_from" in (data_copy / "dzsinic-series.yaml").read_text(encoding="utf-8")


def test_validate_reports_a_second_copy_and_a_review_that_differs_from_the_work(data_copy: Path) -> None:
    # the work's own record: 10 patients at the IVC, resected, no recurrence reported; the seed's
    # Table 1 row says 12 patients in peripheral veins, surgery ± RT, high local recurrence
    own = data_copy / "kevorkian-1973.yaml"
    own.write_text(
        own.read_text(encoding="utf-8")
        + """groups:
  - id: kevorkian-1973-series
    kind: cohort
    n_patients: 10
    locator: Abstract
    tumour: {histology: Leiomyosarcoma, site: {term: InferiorVenaCava}, locator: Abstract}
    events:
      - {id: surgery, term: SurgicalResection, locator: Abstract}
""",
        encoding="utf-8",
    )
    copy = yaml.safe_load((data_copy / "hong-2016.yaml").read_text(encoding="utf-8"))
    copy["id"], copy["label"] = "hong-2016-again", "Hong et al. (2016), again"
    (data_copy / "hong-2016-again.yaml").write_text(yaml.safe_dump(copy, allow_unicode=True), encoding="utf-8")
    done = _vskg("validate", "--no-reasoner", "--data", str(data_copy), cwd=ROOT)
    out = done.stdout
    assert "data/hong-2016.yaml and data/hong-2016-again.yaml: same title, first author and year" in out
    lines = [line for line in out.splitlines() if "kevorkian-1973" in line]
    assert any("number of patients" in line and " 12 " in line and " 10 " in line for line in lines), out
    assert any("primary site" in line and "peripheral vein" in line and "inferior vena cava" in line for line in lines)
    assert any("outcome" in line and "local recurrence" in line for line in lines)
    assert any("treatment" in line and "radiotherapy" in line for line in lines)
    assert not any("surgical resection" in line for line in lines)
