"""How long a presenting finding had lasted, where the sheet's words say it in numbers: "oedema and
pain of left leg for 2 years" (24 months), "8-year history of gradually worsening swelling" (96),
"1 month of abdominal discomfort" (1), "pain beginning 2 years earlier" (24), "swelling noticed 3 weeks
before" (0.7), "about one month of breathlessness" (1: the "about" stays in the note the words go to).
Words that date something else ("pulmonary embolism 2 months earlier", "aggravation over the last 8
months"), give a bound ("for more than 1 year") or give no number ("over several weeks") give none."""

from __future__ import annotations

import re

_NUMBER = r"(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNIT = r"(year|month|week|day)s?"
_PATTERNS = (
    re.compile(rf"\bfor (?:the )?(?:past |last )?{_NUMBER}[ -]{_UNIT}\b", re.IGNORECASE),
    re.compile(rf"\b{_NUMBER}[ -]{_UNIT}[ -]history\b", re.IGNORECASE),
    re.compile(rf"^(?:about |approximately )?{_NUMBER}[ -]{_UNIT} of\b", re.IGNORECASE),
    # the finding's onset, dated back from the presentation
    re.compile(rf"\b(?:beginning|began|started|noticed) {_NUMBER}[ -]{_UNIT} (?:earlier|before|ago)\b", re.IGNORECASE),
)
_WORDS = {
    w: i
    for i, w in enumerate(
        ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"), 1
    )
}
_MONTHS = {"year": 12.0, "month": 1.0, "week": 12 / 52, "day": 12 / 365}


def stated_duration(text: str) -> float | None:
    """The months a finding had lasted, as the words give them, rounded to a tenth; None if not said."""
    for pattern in _PATTERNS:
        found = pattern.search(text.strip())
        if found:
            number, unit = found.group(1).lower(), found.group(2).lower()
            value = float(_WORDS[number]) if number in _WORDS else float(number)
            return round(value * _MONTHS[unit], 1)
    return None
