"""How a source is named in tables: by its authors as printed, or, where no authors are known, by
what is known of it (design, journal or title, year) - never by its file slug."""

from __future__ import annotations

import re
from typing import Any

INITIALS = re.compile(r"\s+[A-Z]{1,4}$")
DESIGNS = {
    "CaseReport": "Case report",
    "CaseSeries": "Case series",
    "RetrospectiveCohort": "Retrospective cohort",
    "RandomisedControlledTrial": "Randomised trial",
    "ReferenceBook": "Reference book",
}


def citation_label(citation: dict[str, Any], design: str | None) -> str:
    """'Hong et al. (2016)'; without authors 'Case report, Annals of Vascular Surgery (2007)'."""
    year = citation.get("year")
    when = f"({year})" if year else "(n.d.)"
    names = [a.strip() for a in str(citation.get("authors") or "").split(",") if a.strip()]
    if names:
        surnames = [INITIALS.sub("", name) for name in names]
        if len(names) == 1:
            return f"{surnames[0]} {when}"
        if len(names) == 2:
            return f"{surnames[0]} & {surnames[1]} {when}"
        return f"{surnames[0]} et al. {when}"
    kind = DESIGNS.get(design or "", "Publication")
    container = re.split(r"\s*[\d(;,]", str(citation.get("container") or ""), maxsplit=1)[0].strip()
    if container:
        return f"{kind}, {container} {when}"
    title = str(citation.get("title") or "").rstrip(" .")
    if title:
        short = title if len(title) <= 60 else title[:57].rsplit(" ", 1)[0] + " ..."
        return f"{kind}: \u201c{short}\u201d {when}"
    if citation.get("doi"):
        return f"{kind}, doi:{citation['doi']} {when}"
    return f"{kind} {when}"


def event_slug(text: str) -> str:
    """An id part from a term or words: 'SurgicalResection' -> 'surgical-resection'."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", text)
    return re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-") or "event"
