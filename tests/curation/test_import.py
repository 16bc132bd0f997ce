"""`vskg import`: the sheet becomes records; unmapped values are reported; importing twice changes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from kg.build.pipeline import compile_quads
from kg.curation.importer import import_sheet
from kg.curation.sheets import read_sheet, write_csv
from tests.conftest import PROJECT, ROOT

SHEET = ROOT.parent / "shared" / "sources" / "published-cases.json"
SHEET_2 = ROOT.parent / "shared" / "sources" / "published-cases-2.json"
SHEET_3 = ROOT.parent / "shared" / "sources" / "published-cases-3.json"
SYNONYMS = ROOT / "curation" / "synonyms.yaml"
needs_sheet = pytest.mark.skipif(
    not (SHEET.exists() and SHEET_2.exists() and SHEET_3.exists()),
    reason=f"the extraction sheets are not beside the checkout ({SHEET})",
)
# (sheet, its number of entries, the entries kept apart from a look-alike work at import)
SHEETS = [
    pytest.param(SHEET, 37, frozenset(), id="sheet-1"),
    # a generic title shared with zou-2017-iran-j-radiol; a different patient (data/radiol-bras-ivc-48f.yaml)
    pytest.param(SHEET_2, 35, frozenset({"radiol-bras-ivc-48f"}), id="sheet-2"),
    # two generic titles: a meeting abstract of another patient than thij-2014-pulmonary-artery-77m's, and a
    # 42-year-old woman (JSCR 2020) who is not the 48-year-old woman of data/radiol-bras-ivc-48f.yaml
    pytest.param(SHEET_3, 40, frozenset({"shm-pulmonary-artery-52m", "graves-2020-ivc"}), id="sheet-3"),
]


def _body(path: Path) -> str:
    """A record without its header comments (which name the sheet file)."""
    return "".join(line for line in path.read_text(encoding="utf-8").splitlines(True) if not line.startswith("#"))


@needs_sheet
@pytest.mark.parametrize(("sheet", "entries", "separate"), SHEETS)
def test_sheet_imports_into_valid_records_and_twice_changes_nothing(
    tmp_path: Path, sheet: Path, entries: int, separate: frozenset[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    first = import_sheet(sheet, data, SYNONYMS, separate=separate)
    assert len(first.written) == entries and not first.unmapped, first.render()
    compiled = compile_quads(data, PROJECT.ontology)
    assert len(compiled.summaries) == entries
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    second = import_sheet(sheet, data, SYNONYMS, separate=separate)
    assert second.written == [] and len(second.unchanged) == entries
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before


@needs_sheet
@pytest.mark.parametrize(("sheet", "entries", "separate"), SHEETS)
def test_repository_records_are_the_import_or_its_hand_curation(
    tmp_path: Path, sheet: Path, entries: int, separate: frozenset[str]
) -> None:
    """Re-importing over data/ writes nothing: each file is the import, or a reviewed curation of it;
    no value of either sheet is left unmapped and unreviewed."""
    data = tmp_path / "data"
    shutil.copytree(PROJECT.data, data)
    report = import_sheet(sheet, data, SYNONYMS, separate=separate)
    assert report.written == []
    assert len(report.unchanged) + len(report.kept) == entries
    assert not report.unmapped, report.render()


def test_a_locator_longer_than_a_record_allows_keeps_whole_sentences_and_the_rest_as_a_note(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path, [])
    records = json.loads(sheet.read_text(encoding="utf-8"))
    first = "Abstract on the journal page; authors not shown. "
    records[0]["locator"] = first + "A news item describes what is probably the same study " * 8
    sheet.write_text(json.dumps(records), encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    import_sheet(sheet, data, SYNONYMS)
    record = yaml.safe_load((data / "test-case-2025.yaml").read_text(encoding="utf-8"))
    assert record["citation"]["locator"] == first.strip()
    assert record["note"].startswith("locator, continued: A news item describes")


@needs_sheet
def test_csv_with_the_same_columns_gives_the_same_records(tmp_path: Path) -> None:
    records = json.loads(SHEET.read_text(encoding="utf-8"))
    csv_path = tmp_path / "sheet.csv"
    write_csv(records, csv_path)
    assert read_sheet(csv_path) == read_sheet(SHEET)
    from_json, from_csv = tmp_path / "json", tmp_path / "csv"
    from_json.mkdir()
    from_csv.mkdir()
    import_sheet(SHEET, from_json, SYNONYMS)
    import_sheet(csv_path, from_csv, SYNONYMS)
    for path in sorted(from_json.iterdir()):
        assert _body(path) == _body(from_csv / path.name), path.name


def _sheet(tmp_path: Path, findings: list[str], vein: str = "femoral vein") -> Path:
    record = {
        "id": "test-case-2025",
        "citation": {"authors": "Doe J, Roe R", "year": 2025, "title": "A case", "journal": "J Test"},
        "study_type": "case report",
        "n_patients": 1,
        "patients": [
            {
                "age": 40,
                "sex": "F",
                "vein": vein,
                "side": "left",
                "presenting_findings": findings,
                "treatments": [{"kind": "surgery", "detail": "resection"}],
                "outcomes": [],
            }
        ],
        "series_summary": None,
        "locator": "Abstract",
    }
    path = tmp_path / "sheet.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    return path


def test_unmapped_values_are_reported_and_kept_as_notes(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path, ["thigh pain", "a purple glow over the groin"], vein="hepatic portal vein")
    data = tmp_path / "data"
    data.mkdir()
    report = import_sheet(sheet, data, SYNONYMS)
    unmapped = {(u.file, u.record, u.field, u.value) for u in report.unmapped}
    assert (
        "data/test-case-2025.yaml",
        "test-case-2025",
        "presenting_findings",
        "a purple glow over the groin",
    ) in unmapped
    assert ("data/test-case-2025.yaml", "test-case-2025", "vein", "hepatic portal vein") in unmapped
    assert "values with no synonym" in report.render()
    record = yaml.safe_load((data / "test-case-2025.yaml").read_text(encoding="utf-8"))
    case = record["groups"][0]
    assert record["label"] == "Doe & Roe (2025)"
    assert [e["term"] for e in case["events"]] == ["LimbPain", "SurgicalResection"]
    assert case["events"][0]["note"] == "as extracted: thigh pain"
    # words no term holds stay in the record, with why
    assert "presenting_findings 'a purple glow over the groin' (no synonym yet)" in case["note"]
    assert "vein 'hepatic portal vein' (no synonym yet)" in case["note"]


def test_extending_the_synonym_table_maps_the_value(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path, ["a purple glow over the groin"])
    table = yaml.safe_load(SYNONYMS.read_text(encoding="utf-8"))
    table["presentation"]["a purple glow over the groin"] = {"exact": "LimbSwelling"}
    extended = tmp_path / "synonyms.yaml"
    extended.write_text(yaml.safe_dump(table), encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    report = import_sheet(sheet, data, extended)
    assert not report.unmapped
    record = yaml.safe_load((data / "test-case-2025.yaml").read_text(encoding="utf-8"))
    assert record["groups"][0]["events"][0]["term"] == "LimbSwelling"


def test_curated_file_is_kept_unless_overwrite(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path, ["thigh pain"])
    data = tmp_path / "data"
    data.mkdir()
    import_sheet(sheet, data, SYNONYMS)
    target = data / "test-case-2025.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "note: hand-edited marker\n", encoding="utf-8")
    report = import_sheet(sheet, data, SYNONYMS)
    assert report.kept == ["test-case-2025.yaml"] and "hand-edited marker" in target.read_text(encoding="utf-8")
    report = import_sheet(sheet, data, SYNONYMS, overwrite=True)
    assert report.written == ["test-case-2025.yaml"] and "hand-edited marker" not in target.read_text(encoding="utf-8")


def test_bad_sheets_name_file_and_place(tmp_path: Path) -> None:
    from kg import RecordError

    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "x",}]', encoding="utf-8")
    with pytest.raises(RecordError, match="not valid JSON"):
        import_sheet(bad, tmp_path, SYNONYMS)
    # a malformed entry is held back with the reason; the sheet's other entries are written
    good = json.loads(_sheet(tmp_path, []).read_text(encoding="utf-8"))[0]
    bad.write_text(json.dumps([{"id": "Not A Slug"}, good]), encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    report = import_sheet(bad, data, SYNONYMS)
    assert report.written == ["test-case-2025.yaml"]
    (held,) = report.held_back
    assert held.entry == "Not A Slug" and "lower-case words" in held.reason
    assert report.held_back_file == str(tmp_path / "bad.held-back.json")
    assert json.loads((tmp_path / "bad.held-back.json").read_text(encoding="utf-8")) == [{"id": "Not A Slug"}]
    csv_bad = tmp_path / "bad.csv"
    csv_bad.write_text("id,citation.title\nx,y\n", encoding="utf-8")
    with pytest.raises(RecordError, match="missing columns"):
        import_sheet(csv_bad, tmp_path, SYNONYMS)


@pytest.mark.parametrize(
    ("detail", "after"),
    [
        ("recurred 7 months after the resection", "surgery"),
        ("local recurrence seven months following her operation", "surgery"),
        ("relapse 7 months post-resection", "surgery"),
        ("recurrence 7 months after initial diagnosis", "diagnosis"),
        ("recurrence seven months later", None),
    ],
)
def test_import_reads_the_reference_point_a_time_names(tmp_path: Path, detail: str, after: str | None) -> None:
    sheet = _sheet(tmp_path, [])
    records = json.loads(sheet.read_text(encoding="utf-8"))
    records[0]["patients"][0]["outcomes"] = [{"kind": "local recurrence", "detail": detail, "time_months": 7}]
    sheet.write_text(json.dumps(records), encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    report = import_sheet(sheet, data, SYNONYMS)
    events = yaml.safe_load((data / "test-case-2025.yaml").read_text(encoding="utf-8"))["groups"][0]["events"]
    recurrence = next(e for e in events if e["term"] == "LocalRecurrence")
    expected = {"surgery": "surgical-resection", "diagnosis": "diagnosis"}.get(after or "")
    assert recurrence.get("at") == ({"months": 7, "after": expected} if expected else None)
    reported = [v.value for v in report.values if v.field == "outcomes.time_months"]
    assert reported == ([] if expected else [f"7 months ({detail}): no reference point stated"])
