"""What every route of the server shares: its settings, the stored queries, the query workers, and
the helpers that turn their answers into responses."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

from fastapi.responses import JSONResponse, PlainTextResponse, Response

from kg.errors import StoreError, TermError
from kg.query.catalog import StoredQuery, load_catalog
from kg.store.disk import current_store_path
from kg.store.results import QueryResult, result_from_json
from kg.web.artefacts import Artefacts
from kg.web.executor import Answer, BadQuery, QueryExecutor, QueryTimeout, ResultTooLarge
from kg.web.negotiation import GRAPHS, RESULTS, choose
from kg.web.protocol import ProtocolError

# Settings and serve_from_memory: where callers have always imported them from
from kg.web.settings import Settings as Settings
from kg.web.settings import query_workers
from kg.web.settings import serve_from_memory as serve_from_memory

log = logging.getLogger("kg.web")
RDF_OFFERED = [GRAPHS["ttl"], GRAPHS["jsonld"], GRAPHS["nt"], GRAPHS["rdfxml"]]
RESULT_OFFERED = [RESULTS["json"], RESULTS["xml"], RESULTS["csv"], RESULTS["tsv"]]


def error(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status)


def term_problem(exc: TermError) -> JSONResponse:
    """400 as an RFC 9457 problem: the parameter, what was given, what is expected, the closest
    valid terms, so a client can offer them."""
    body = {
        "type": "about:blank",
        "title": "unknown term",
        "status": 400,
        "detail": str(exc),
        "parameter": exc.parameter,
        "given": exc.given,
        "expected": exc.expected,
        "suggestions": exc.suggestions,
    }
    return JSONResponse(body, status_code=400, media_type="application/problem+json")


class Backend:
    """The server's view of one built on-disk store (see kg.store.disk.current_store_path)."""

    def __init__(self, settings: Settings, executor: QueryExecutor | None = None) -> None:
        self.settings = settings
        self.catalog: dict[str, StoredQuery] = load_catalog(settings.queries_dir)
        self.executor = executor or query_workers(settings, settings.store_path)
        self.build = settings.store_path.name  # part of every ETag and answer-cache key
        self.artefacts = Artefacts(settings.queries_dir)
        self._stop = threading.Event()
        if settings.watch_root is not None:
            threading.Thread(target=self._watch, args=(settings.watch_root,), daemon=True).start()

    def _watch(self, root: Path) -> None:
        """Serve each new build: `vskg build` replaces the CURRENT pointer file atomically, so
        reading it every `watch_seconds` finds a complete new store or none."""
        while not self._stop.wait(self.settings.watch_seconds):
            try:
                path = current_store_path(root)
            except StoreError:
                continue  # no pointer yet, or a broken one: keep serving the build we have
            if path.name != self.build:
                self.switch_to(path)

    def switch_to(self, store_path: Path) -> None:
        """Answer from `store_path` from now on. The new workers take queries before the build
        name (and so every ETag) changes, so no answer of the old build is ever cached under the
        new name; the old workers finish what they hold, then stop."""
        old = self.executor
        self.executor = query_workers(self.settings, store_path)
        self.build = store_path.name
        log.warning("serving the new build %s", self.build)
        threading.Thread(target=old.close_when_idle, daemon=True).start()

    async def run(self, text: str, **request: Any) -> Answer:
        try:
            return await self.executor.run_async(text, **request)
        except QueryTimeout as exc:
            raise ProtocolError(503, str(exc)) from None
        except ResultTooLarge as exc:
            raise ProtocolError(422, str(exc)) from None
        except BadQuery as exc:
            raise ProtocolError(400, f"the query cannot be evaluated: {exc}") from None

    def select_now(self, text: str) -> QueryResult:
        """Blocking SELECT for code that is not async (the timeline); call it in a thread."""
        try:
            answer = self.executor.run(text)
        except (QueryTimeout, ResultTooLarge, BadQuery) as exc:
            raise ProtocolError(503 if isinstance(exc, QueryTimeout) else 400, str(exc)) from None
        return _solutions(answer)

    async def select(self, text: str) -> QueryResult:
        return _solutions(await self.run(text))

    @staticmethod
    def answer_response(answer: Answer, alternates: list[tuple[str, str]] | None = None) -> Response:
        media = content_type(answer)
        headers = {"Vary": "Accept"}
        if alternates:
            headers["Link"] = ", ".join(f'<{href}>; rel="alternate"; type="{mt}"' for mt, href in alternates)
        return Response(answer.body, media_type=media, headers=headers)

    @staticmethod
    def formats_for(form: str, accept: str | None, override: str | None) -> dict[str, str]:
        if form in ("SELECT", "ASK"):
            offered = RESULT_OFFERED if form == "SELECT" else RESULT_OFFERED[:2]
            chosen = choose(accept, offered, override=override)
            if chosen is None:
                raise ProtocolError(406, f"cannot answer a {form} query as requested; available: {', '.join(offered)}")
            return {"solutions_format": chosen, "boolean_format": chosen}
        chosen = choose(accept, [*RDF_OFFERED, GRAPHS["trig"], GRAPHS["nq"]], override=override)
        if chosen is None:
            raise ProtocolError(406, f"cannot answer a {form} query as requested; available: {', '.join(RDF_OFFERED)}")
        return {"graph_format": chosen}

    async def dump_files(self) -> dict[str, Path]:
        """The dump files by name, written first when the folder has none."""
        folder = self.settings.dumps_dir
        if not await self.artefacts.ensure("dumps", folder, Path(self.executor.store_path)) or folder is None:
            return {}
        return {p.name: p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}

    async def report(self) -> Path | None:
        """The HTML report, written first when it is missing."""
        folder = self.settings.report_dir
        if not await self.artefacts.ensure("report", folder, Path(self.executor.store_path)) or folder is None:
            return None
        return folder / "report.html"

    def close(self) -> None:
        self._stop.set()
        self.executor.close()


def content_type(answer: Answer) -> str:
    """The answer's Content-Type: its media type, and UTF-8 named for a text/ type."""
    return answer.media_type + ("; charset=utf-8" if answer.media_type.startswith("text/") else "")


def _solutions(answer: Answer) -> QueryResult:
    result = result_from_json(json.loads(answer.body))
    assert isinstance(result, QueryResult)
    return result
