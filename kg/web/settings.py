"""The server's settings (handed by `vskg serve` to each HTTP process through the environment) and
its query workers; nothing here imports the web framework (see kg.web.startup)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.web.executor import QueryExecutor

SETTINGS_VARIABLE = "VSKG_SERVE_SETTINGS"
_PATHS = ("store_path", "queries_dir", "dumps_dir", "report_dir", "scripts_dir", "watch_root")


@dataclass(frozen=True)
class Settings:
    """What the server serves and the limits it keeps."""

    store_path: Path
    queries_dir: Path
    dumps_dir: Path | None
    timeout: float = 10.0
    max_results: int = 10_000
    max_request_bytes: int = 1_000_000
    max_header_bytes: int = 32_768
    workers: int = 2
    report_dir: Path | None = None
    # each query worker copies the store into memory at start (True), reads it from disk (False),
    # or (None) copies it when the build holds at most `in_memory_below` quads
    in_memory: bool | None = None
    in_memory_below: int = 100_000
    cache_bytes: int = 64_000_000  # answers kept in memory (the graph does not change while served)
    scripts_dir: Path = Path(__file__).resolve().parents[2] / ".vskg-js" / "node_modules"  # scripts/install-js.sh
    # the store folder whose CURRENT pointer `vskg build` switches: watched, and a new build served
    watch_root: Path | None = None
    watch_seconds: float = 1.0


def settings_to_json(settings: Settings) -> str:
    return json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(settings).items()})


def settings_from_json(text: str) -> Settings:
    raw = json.loads(text)
    values: dict[str, Any] = {k: Path(v) if k in _PATHS and v is not None else v for k, v in raw.items()}
    return Settings(**values)


def serve_from_memory(settings: Settings, store_path: Path) -> bool:
    """Whether the workers copy this build into memory: heavy queries then run 3-11 times faster,
    but every worker start (and the restart after a runaway query) pays the copy - about 3.5 s and
    80 MB per worker at 240k quads, 21 s and 400 MB at 1.2M - so by default only small builds are
    copied, decided again for each build served."""
    if settings.in_memory is not None:
        return settings.in_memory
    import pyoxigraph as ox

    return len(ox.Store.read_only(str(store_path))) <= settings.in_memory_below


def query_workers(settings: Settings, store_path: Path) -> QueryExecutor:
    """The query worker processes over one build, started now (they open the store on their own)."""
    from kg.web.executor import QueryExecutor

    s = settings
    in_memory = serve_from_memory(s, store_path)
    return QueryExecutor(
        store_path, workers=s.workers, timeout=s.timeout, max_results=s.max_results, in_memory=in_memory
    )
