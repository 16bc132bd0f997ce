"""Where a vskg project keeps its parts: data, ontology, queries, store, dumps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The project holding `start` (default: the working directory), else the package's own."""
        here = (start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / "ontology" / "vskg.ttl").is_file() and (candidate / "queries").is_dir():
                return cls(candidate)
        return cls(PACKAGE_ROOT)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def store(self) -> Path:
        return self.root / ".vskg"

    @property
    def dist(self) -> Path:
        return self.root / "dist"
