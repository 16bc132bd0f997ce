"""Every phrase a record keeps in its source's words occurs in that source, whitespace and case folded.

An imported record's wording is looked for in its own sheet entry (any field: citation, locator,
series summary, every patient field), the seed's record and the works taken from it in the seed
report. Wording is each `as_printed`, `size_as_printed`, `mapping.phrase`, `frequency`, the cells of
a review table's rows, and the quoted part of a note that says "as extracted". The importer joins
two sheet fields of one fact with "; " or ": " (a treatment's kind and detail), so a quote is
traced when it occurs whole or when each of the parts so joined occurs.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg.curation.importer import import_sheet
from tests.conftest import PROJECT, ROOT, SEED_ID

SOURCES = ROOT.parent / "shared" / "sources"
SEED_TEXT = "seed-case-report.txt"
needs_sources = pytest.mark.skipif(
    not SOURCES.is_dir(), reason=f"the source folder is not beside the checkout ({SOURCES})"
)

IMPORTED = re.compile(
    r"^# Imported by `vskg import` from (?P<sheet>\S+) \(record (?P<entry>[a-z0-9-]+)\)", re.MULTILINE
)
WORDING = frozenset({"as_printed", "size_as_printed", "phrase", "frequency"})
CELLS = frozenset({"author_year", "location", "patients", "presentation", "treatment", "outcome"})
# a note's quoted parts: "as extracted: ...", "... recorded with no term: field '...' (why)", and the
# words a first diagnosis's status was read from ("status as the sheet words it: '...'")
QUOTING = re.compile(r"(as extracted(?:, recorded with no term)?:|status as the sheet words it:)")
NO_TERM_VALUE = re.compile(r"[\w.]+ '(.+?)' \(")  # field 'value' (why no term was given)
JOINS = re.compile(r"; |: ")


def fold(text: str) -> str:
    return " ".join(text.lower().split())


def entry_texts(value: Any) -> Iterator[str]:
    """Every string of a sheet entry, and the name of each field set to true ("anticoagulated")."""
    if isinstance(value, dict):
        for key, item in value.items():
            if item is True:
                yield fold(str(key))
            yield from entry_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from entry_texts(item)
    elif isinstance(value, str):
        yield fold(value)


class Sources:
    """The texts a record's wording may come from, read once per run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sheets: dict[str, dict[str, list[str]]] = {}

    def sheet_entry(self, sheet: str, entry: str) -> list[str] | None:
        name = Path(sheet).name
        if name not in self.sheets:
            path = self.folder / name
            raw = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
            self.sheets[name] = {str(e.get("id")): list(entry_texts(e)) for e in raw if isinstance(e, dict)}
        return self.sheets[name].get(entry)

    def seed(self) -> list[str]:
        return [fold((self.folder / SEED_TEXT).read_text(encoding="utf-8"))]


def record_sources(text: str, record: dict[str, Any], sources: Sources) -> tuple[str, list[str] | None]:
    """Where the record's words were printed (for the report) and those texts, or None if unknown."""
    places: list[tuple[str, str]] = []
    header = IMPORTED.search(text)
    if header:
        places.append((header["sheet"], header["entry"]))
    places += [(str(m.get("sheet")), str(m.get("entry"))) for m in record.get("merged_entries") or []]
    texts: list[str] = []
    names = []
    for sheet, entry in places:
        found = sources.sheet_entry(sheet, entry)
        if found is None:
            return f"entry {entry} of {sheet} is not in {sources.folder}", None
        texts += found
        names.append(f"entry {entry} of {sheet}")
    if record.get("id") == SEED_ID or (record.get("citation") or {}).get("taken_from") == SEED_ID:
        texts += sources.seed()
        names.append(SEED_TEXT)
    if not names:
        return "it names no source (no import header; neither the seed nor taken from it)", None
    return " or ".join(names), texts


def quotes(note: str) -> Iterator[str]:
    """The parts of a note that say they are the source's words."""
    parts = QUOTING.split(note)
    for marker, text in zip(parts[1::2], parts[2::2], strict=True):
        if marker == "as extracted:":
            yield text.strip().removesuffix(";")
        elif marker == "status as the sheet words it:":
            yield text.strip().removeprefix("'").removesuffix("'")
        else:
            yield from NO_TERM_VALUE.findall(text)


def wording(value: Any, path: str = "") -> Iterator[tuple[str, str, bool]]:
    """(field path, phrase, whether it may be parts joined) for every phrase kept in the source's words."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(item, str) and (key in WORDING or (path.startswith("table_rows[") and key in CELLS)):
                yield where, item, False
            elif isinstance(item, str) and key == "note":
                yield from ((where, quote, True) for quote in quotes(item))
            else:
                yield from wording(item, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            name = f"({item['id']})" if isinstance(item, dict) and "id" in item else ""
            yield from wording(item, f"{path}[{i}]{name}")


def occurs(phrase: str, texts: list[str], joined: bool) -> bool:
    """Whole words only: "lower segment" is not found in "flower segments"."""
    words = re.compile(rf"(?<!\w){re.escape(fold(phrase))}(?!\w)")
    if any(words.search(text) for text in texts):
        return True
    pieces = [p for p in JOINS.split(phrase) if p.strip()]
    return joined and len(pieces) > 1 and all(occurs(p, texts, False) for p in pieces)


def untraced(data: Path, folder: Path) -> tuple[list[str], int]:
    """Every phrase of data/ that its source does not print, named by file and field; and how many were checked."""
    sources = Sources(folder)
    missing: list[str] = []
    checked = 0
    for path in sorted(data.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        record = yaml.safe_load(text)
        source, texts = record_sources(text, record, sources)
        if texts is None:
            missing.append(f"data/{path.name}: cannot be traced: {source}")
            continue
        for where, phrase, joined in wording(record):
            checked += 1
            if not occurs(phrase, texts, joined):
                missing.append(f"data/{path.name}: {where}: {phrase!r} is not in {source}")
    return missing, checked


@needs_sources
def test_every_phrase_kept_in_the_sources_words_occurs_in_its_source() -> None:
    missing, checked = untraced(PROJECT.data, SOURCES)
    assert not missing, f"{len(missing)} of {checked} phrases not found:\n" + "\n".join(missing)


def _edit(data: Path, name: str, old: str, new: str) -> None:
    path = data / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@needs_sources
@pytest.mark.parametrize(
    ("name", "old", "new", "reported"),
    [
        pytest.param(
            "valle-2014.yaml",
            "as_printed: femoral vein\n",
            "as_printed: common femoral vein\n",
            "data/valle-2014.yaml: groups[0](valle-2014-case).tumour.site.as_printed: 'common femoral vein' "
            "is not in entry valle-2014 of published-cases.json",
            id="site-of-an-imported-record",
        ),
        pytest.param(
            "aalaoui-2026.yaml",
            "presentation: Limb swelling,",
            "presentation: Limb swelling with ulceration,",
            "data/aalaoui-2026.yaml: table_rows[0].presentation: 'Limb swelling with ulceration' "
            "is not in seed-case-report.txt",
            id="table-cell-of-the-seed",
        ),
        pytest.param(
            "valle-2014.yaml",
            "'as extracted: surgery; leg-preservation (limb-saving) surgery'",
            "'as extracted: surgery; limb-sparing resection'",
            "data/valle-2014.yaml: groups[0](valle-2014-case).events[5](surgical-resection).note: "
            "'surgery; limb-sparing resection' is not in entry valle-2014 of published-cases.json",
            id="note-as-extracted",
        ),
        pytest.param(
            "eiv-branch-2018-crim.yaml",
            "size_as_printed: 7.2 x 4.9\n",
            "size_as_printed: 7.2 x 4.9 cm\n",
            "data/eiv-branch-2018-crim.yaml: groups[0](eiv-branch-2018-crim-case).tumour.size_as_printed: "
            "'7.2 x 4.9 cm' is not in entry eiv-branch-2018-crim of published-cases.json",
            id="size-with-a-unit-the-sheet-does-not-print",
        ),
        pytest.param(
            "rusu-rjme.yaml",
            "phrase: renal cell carcinoma (preoperative imaging)\n",
            "phrase: renal carcinoma on preoperative imaging\n",
            "data/rusu-rjme.yaml: groups[0](rusu-rjme-case).events[0](initial-diagnosis).mapping.phrase: "
            "'renal carcinoma on preoperative imaging' is not in entry rusu-rjme of published-cases.json",
            id="mapping-phrase",
        ),
        pytest.param(
            "valle-2014.yaml",
            "presenting_findings ''admitted for phlebitis''",
            "presenting_findings ''admitted for thrombophlebitis''",
            "data/valle-2014.yaml: groups[0](valle-2014-case).note: 'admitted for thrombophlebitis' "
            "is not in entry valle-2014 of published-cases.json",
            id="note-recorded-with-no-term",
        ),
        pytest.param(
            "aalaoui-2026.yaml",
            "frequency: Frequent recurrence,",
            "frequency: Recurrence in most,",
            "data/aalaoui-2026.yaml: groups[6](sheaffer-2022-table-1).events[3](recurrence).frequency: "
            "'Recurrence in most' is not in seed-case-report.txt",
            id="frequency-in-the-seed",
        ),
    ],
)
def test_an_invented_phrase_is_listed_with_its_file_and_field(
    data_copy: Path, name: str, old: str, new: str, reported: str
) -> None:
    _edit(data_copy, name, old, new)
    missing, _ = untraced(data_copy, SOURCES)
    assert missing == [reported]


@needs_sources
def test_a_phrase_counts_only_in_the_records_own_entry(data_copy: Path) -> None:
    """Words printed for another patient of the same sheet do not trace this record's phrase."""
    _edit(data_copy, "aleem-sfv.yaml", "as_printed: grade III\n", "as_printed: phlebitis\n")  # valle-2014's words
    missing, _ = untraced(data_copy, SOURCES)
    assert missing == [
        "data/aleem-sfv.yaml: groups[0](aleem-sfv-case).tumour.grade.as_printed: 'phlebitis' "
        "is not in entry aleem-sfv of published-cases.json"
    ]


@needs_sources
def test_a_record_whose_sheet_is_missing_cannot_be_traced(data_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    shutil.copy(SOURCES / SEED_TEXT, folder)
    shutil.copy(SOURCES / "published-cases.json", folder)
    shutil.copy(SOURCES / "published-cases-3.json", folder)  # only the second sheet is missing
    missing, _ = untraced(data_copy, folder)
    second = sorted(
        p.name for p in data_copy.glob("*.yaml") if "published-cases-2.json (record" in p.read_text("utf-8")
    )
    assert len(second) == 35
    assert missing == [
        f"data/{name}: cannot be traced: entry {name[:-5]} of published-cases-2.json is not in {folder}"
        for name in second
    ]


@needs_sources
@pytest.mark.parametrize("sheet", sorted(p.name for p in SOURCES.glob("published-cases*.json")))
def test_the_import_writes_only_words_its_sheet_prints(tmp_path: Path, sheet: str) -> None:
    """Before any hand curation: what `vskg import` keeps as the source's words is the sheet's own."""
    data = tmp_path / "data"
    data.mkdir()
    report = import_sheet(SOURCES / sheet, data, ROOT / "curation" / "synonyms.yaml")
    assert report.written
    missing, checked = untraced(data, SOURCES)
    assert checked and not missing, "\n".join(missing)


@needs_sources
def test_a_record_that_names_no_source_cannot_be_traced(data_copy: Path) -> None:
    _edit(data_copy, "valle-2014.yaml", "# Imported by `vskg import` from published-cases.json", "# Curated")
    missing, _ = untraced(data_copy, SOURCES)
    assert missing == [
        "data/valle-2014.yaml: cannot be traced: it names no source (no import header; neither the seed nor taken "
        "from it)"
    ]
