"""How firmly a first diagnosis was held, read from the sheet's own words - never a default.

A sheet names the first diagnosis (`initial_diagnosis`) but seldom its status; the status is the
source's word where the entry gives one: "started for suspected DVT" (suspected), "for presumed
thrombosis" (presumed), "misdiagnosed as" (made and later found wrong), "thrombus in the femoral
vein plus a mass" (a real thrombus found beside the tumour). Where the sheet quotes the page's own
words for the first diagnosis ("page words: 'initially diagnosed with pulmonary embolism'"), they
decide: "initially diagnosed with" says the diagnosis was made (and, being initial, later changed),
"treated initially as" that it was acted on. Where the entry gives none, or words
that disagree, no status is recorded and the import report lists it for a curator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# (status, words that state it); read in the diagnosis itself and in what was done for it
_HELD = (
    ("Suspected", r"\bsuspect(?:ed|ion of)\b|\bsuggestive of\b"),
    ("Presumed", r"\bpresum(?:ed|ptive)\b|\btreated (?:initially )?as\b"),
    (
        "Misdiagnosed",
        r"\bmisdiagnos(?:ed|is)\b|\bmistaken (?:for|as)\b|\bwrongly diagnosed\b|\binitially diagnosed (?:with|as)\b",
    ),
)
# the third sheet quotes the page's own words for the first diagnosis among the findings
_PAGE_WORDS = re.compile(r"^page words?:", re.IGNORECASE)
# a real condition beside the tumour: read in what imaging or the presentation found
_ALONGSIDE = (("ConfirmedAlongside", r"\bplus a mass\b|\b(?:beside|alongside|in addition to) the (?:tumou?r|mass)\b"),)


@dataclass(frozen=True)
class StatusReading:
    """The status the words give (None when they give none or disagree), the words, and a doubt."""

    status: str | None
    words: str | None
    doubt: str | None


def read_status(patient: dict[str, Any]) -> StatusReading:
    diagnosis = str(patient.get("initial_diagnosis") or "")
    # the first clause names the diagnosis; a later one may speak of something else
    # ("leiomyoma (core needle biopsy); PET-CT lesion first considered possible lymphadenopathy")
    held_texts = [diagnosis.split(";")[0]]
    held_texts += [str(t.get("detail") or "") for t in patient.get("treatments") or [] if isinstance(t, dict)]
    findings = [str(x) for x in patient.get("presenting_findings") or []]
    page = _matches(_HELD, [text for text in findings if _PAGE_WORDS.match(text)])
    if len({status for status, _ in page}) == 1:  # the page's own word outranks the sheet's paraphrase
        return StatusReading(page[0][0], page[0][1], None)
    found_texts = [str(x) for x in patient.get("imaging") or []] + findings
    found = page + _matches(_HELD, held_texts) + _matches(_ALONGSIDE, found_texts)
    statuses = sorted({status for status, _ in found})
    if len(statuses) == 1:
        return StatusReading(statuses[0], found[0][1], None)
    if statuses:
        said = "; ".join(f"'{words}' ({status})" for status, words in found)
        return StatusReading(None, None, f"the sheet's words disagree: {said}")
    return StatusReading(None, None, "no word of the sheet says how firmly it was held")


def _matches(cues: Iterable[tuple[str, str]], texts: list[str]) -> list[tuple[str, str]]:
    out = []
    for text in texts:
        for status, pattern in cues:
            if re.search(pattern, text, re.IGNORECASE):
                out.append((status, text.strip()))
    return out
