"""What an import did: files written, unchanged or kept, and the values it could not map."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unmapped:
    file: str
    record: str
    field: str
    value: str
    status: str  # "unmapped" (no synonym), "reviewed" (marked as having no term) or "approximate" (not exact)


@dataclass
class ImportReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    values: list[Unmapped] = field(default_factory=list)

    @property
    def unmapped(self) -> list[Unmapped]:
        return [v for v in self.values if v.status == "unmapped"]

    def render(self) -> str:
        lines = [
            f"written: {len(self.written)}, unchanged: {len(self.unchanged)}, "
            f"kept (differs from import, not overwritten): {len(self.kept)}"
        ]
        for name in self.kept:
            lines.append(f"  kept {name} (use --overwrite to replace it with the import)")
        titles = {
            "unmapped": "values with no synonym (add them to curation/synonyms.yaml)",
            "reviewed": "values reviewed as having no term (kept as curator notes)",
            "approximate": "values mapped to a term that is not exact (kept with their words in the graph)",
        }
        for status, title in titles.items():
            rows = [v for v in self.values if v.status == status]
            lines.append(f"{title}: {len(rows)}")
            lines += [f"  {v.file}\t{v.record}\t{v.field}\t{v.value}" for v in rows]
        return "\n".join(lines)
