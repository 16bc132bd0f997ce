"""The HTTP server: a short app factory that mounts the routers (SPARQL protocol, stored queries,
linked data, dumps and VoID, pages) over one backend, with the limits every request keeps."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.web.backend import Backend, Settings, error
from kg.web.caching import AnswerCache
from kg.web.middleware import ConditionalCache, RequestLimits
from kg.web.routers import browse, dumps, network, pages, resources, similar, sparql, stored_queries

log = logging.getLogger("vskg.server")


def create_app(settings: Settings) -> FastAPI:
    """The server over one built on-disk store (see kg.store.disk.current_store_path)."""
    backend = Backend(settings)
    app = FastAPI(
        title="vskg",
        version="0.1.0",
        description="Vascular sarcoma evidence graph: SPARQL 1.1 endpoint, stored queries, linked data.",
        docs_url="/docs",
        redoc_url=None,
    )
    app.router.on_shutdown.append(backend.close)

    # the outermost layer is added last: limits, then CORS (so that answers from the cache carry its
    # headers too), then the conditional answer cache; each is plain ASGI (kg.web.middleware)
    app.add_middleware(
        ConditionalCache,
        build=lambda: backend.build,
        cache=AnswerCache(settings.cache_bytes),
        max_body=settings.max_request_bytes,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["Link", "Content-Type", "ETag"],
    )
    app.add_middleware(RequestLimits, settings=settings)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404:
            message = f"nothing here: {request.url.path}"
        return error(exc.status_code, message)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)  # the trace stays in the server's log
        return error(500, "internal error; the request was logged")

    for module in (sparql, stored_queries, resources, dumps, pages, browse, network, similar):
        app.include_router(module.router(backend))
    return app


SETTINGS_VARIABLE = "VSKG_SERVE_SETTINGS"


def settings_to_json(settings: Settings) -> str:
    return json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(settings).items()})


def create_app_from_environment() -> FastAPI:
    """The app of one of several server processes: its settings come from the parent's environment."""
    raw = json.loads(os.environ[SETTINGS_VARIABLE])
    paths = ("store_path", "queries_dir", "dumps_dir", "report_dir", "scripts_dir", "watch_root")
    values: dict[str, Any] = {k: Path(v) if k in paths and v is not None else v for k, v in raw.items()}
    return create_app(Settings(**values))
