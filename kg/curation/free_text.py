"""Free text to ontology terms through the curators' synonym table (`curation/synonyms.yaml`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kg.errors import RecordError


def norm(text: str) -> str:
    return " ".join(text.lower().split())


class Synonyms:
    def __init__(self, table: dict[str, dict[str, Any]]) -> None:
        self.table = {section: {norm(k): v for k, v in (entries or {}).items()} for section, entries in table.items()}

    @classmethod
    def load(cls, path: Path) -> Synonyms:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise RecordError(str(path), "(file)", f"cannot read the synonym table: {exc}") from exc
        if not isinstance(data, dict):
            raise RecordError(str(path), "(document)", "must map sections (site, presentation, ...) to phrases")
        return cls(data)

    def lookup(self, section: str, phrase: str) -> Any:
        entries = self.table.get(section, {})
        key = norm(phrase)
        if key in entries:
            return entries[key]
        stripped = norm(re.sub(r"\s*\([^()]*\)\s*$", "", phrase))
        return entries.get(stripped)

    def reference_point(self, text: str) -> str | None:
        """The event a stated time counts from ('7 months after the resection' -> 'surgery'), or None."""
        nouns = self.table.get("time_reference", {})
        if not nouns:
            return None
        alternatives = "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True))
        found = re.search(rf"\b{_FROM}[\s-]+{_DETERMINERS}({alternatives})\b", norm(text))
        return str(nouns[found.group(1)]) if found else None


_FROM = r"(?:after|following|post|from)"
_DETERMINERS = r"(?:(?:the|her|his|their|its|initial|first|primary)\s+)*"
