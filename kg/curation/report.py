"""What an import did: files written, merged, unchanged, kept or held back, and the values it
could not map."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unmapped:
    file: str
    record: str
    field: str
    value: str
    status: str  # "unmapped" (no synonym), "reviewed" (marked as having no term) or "approximate" (not exact)


@dataclass(frozen=True)
class HeldBack:
    """A sheet entry that was not written: why, and what the curator can do about it."""

    entry: str
    reason: str
    advice: str


@dataclass
class ImportReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    merged: list[tuple[str, str, str]] = field(default_factory=list)  # (entry, file merged into, basis)
    look_alikes: list[tuple[str, str, str]] = field(default_factory=list)  # (entry, the other work, basis)
    held_back: list[HeldBack] = field(default_factory=list)
    held_back_file: str | None = None
    values: list[Unmapped] = field(default_factory=list)

    @property
    def unmapped(self) -> list[Unmapped]:
        return [v for v in self.values if v.status == "unmapped"]

    def render(self) -> str:
        lines = [
            f"written: {len(self.written)}, merged into held sources: {len(self.merged)}, "
            f"unchanged: {len(self.unchanged)}, kept (differs from import, not overwritten): {len(self.kept)}, "
            f"held back: {len(self.held_back)}"
        ]
        for entry, name, basis in self.merged:
            lines.append(f"  merged entry {entry} into {name} ({basis})")
        for entry, other, basis in self.look_alikes:
            lines.append(
                f"  look-alike: entry {entry} written as another work than {other} ({basis}); their groups are "
                f"flagged as possible overlaps. If they are one work: delete data/{entry}.yaml and import again "
                f"with --same-as {entry}=SOURCE; if two: --separate {entry} records why"
            )
        for name in self.kept:
            lines.append(f"  kept {name} (use --overwrite to replace it with the import)")
        if self.held_back:
            lines.append(f"held back (not written; kept unchanged in {self.held_back_file}):")
            for h in self.held_back:
                lines.append(f"  entry {h.entry}: {h.reason}\n    to do: {h.advice}")
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
