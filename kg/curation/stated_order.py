"""Causes and sequence a sheet states in a treatment's words, as links between a case's events.

"anticoagulation started for suspected DVT" makes the first diagnosis the anticoagulation's
reason; "chemotherapy only, because of pulmonary metastatic dissemination" makes the lung
metastasis the chemotherapy's; "since DVT diagnosis 2 years earlier" places the anticoagulation
after the diagnosis without saying why. A phrase that names no event of the case links nothing
("for 6 months"), so nothing is linked that the words do not name.
"""

from __future__ import annotations

import re
from typing import Any

_CAUSE = r"because of|due to|owing to|for"
_AFTER = r"since|after|following"
_CLAUSE = re.compile(rf"\b({_CAUSE}|{_AFTER})\s+([^;,.()]+)", re.IGNORECASE)

# what a clause must say to name an event of the case, by the event's terms; a thrombolysis is
# named before the first diagnosis, whose thrombus words ("thromb") would otherwise claim it, and
# an embolism, a PE or an aneurysm is a first diagnosis of the third sheet ("for presumed large PE")
_NAMES = (
    (("Thrombolysis",), r"thromboly"),
    (("InitialDiagnosis",), r"\bdvt\b|thromb|\bdiagnos|\bpe\b|\bembol(?:ism|us|i)\b|aneurysm"),
    (("DistantMetastasis",), r"metasta"),
    (("LocalRecurrence", "Recurrence"), r"recurren|relapse"),
    (("DiseaseProgression",), r"progress"),
    (("SurgicalResection",), r"resection|surgery|excision|operation"),
)


def stated_links(detail: str, events: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The ids of the events a treatment's words give as its reasons, and those it comes after."""
    reasons: list[str] = []
    follows: list[str] = []
    for word, clause in _CLAUSE.findall(detail):
        named = _named(clause, events)
        target = follows if re.fullmatch(_AFTER, word, re.IGNORECASE) else reasons
        target += [i for i in named if i not in target]
    return reasons, follows


def _named(clause: str, events: list[dict[str, Any]]) -> list[str]:
    for terms, pattern in _NAMES:
        if re.search(pattern, clause, re.IGNORECASE):
            ids = [str(e["id"]) for e in events if e.get("term") in terms]
            # a surgery names the first resection; the other kinds, every event of the kind
            return ids[:1] if terms == ("SurgicalResection",) else ids
    return []
