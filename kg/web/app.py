"""The HTTP server: a short app factory that mounts the routers (SPARQL protocol, stored queries,
linked data, dumps and VoID, pages) over one backend, with the limits every request keeps."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.web.backend import Backend, Settings, error
from kg.web.caching import CACHE_CONTROL, CACHED_PATHS, AnswerCache, Cached, etag, matches
from kg.web.routers import browse, dumps, network, pages, resources, sparql, stored_queries

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
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["Link", "Content-Type"],
    )
    app.router.on_shutdown.append(backend.close)

    cache = AnswerCache(settings.cache_bytes)
    cached_build = [backend.build]  # emptied here, on the event loop, when the build changes

    @app.middleware("http")
    async def conditional_and_cached(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method not in ("GET", "POST") or not request.url.path.startswith(CACHED_PATHS):
            return await call_next(request)
        body = await request.body()
        headers = request.headers
        if cached_build[0] != backend.build:
            cache.clear()
            cached_build[0] = backend.build
        tag = etag(
            backend.build,
            request.method,
            str(request.url),
            headers.get("accept", ""),
            body,
            headers.get("content-type", ""),
        )
        if matches(request.headers.get("if-none-match", ""), tag):
            return Response(status_code=304, headers={"ETag": tag, "Cache-Control": CACHE_CONTROL})
        hit = cache.get(tag)
        if hit is not None:
            return Response(hit.body, headers=dict(hit.headers))
        response = await call_next(request)
        if response.status_code != 200:
            return response
        content = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        kept = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        kept |= {"ETag": tag, "Cache-Control": CACHE_CONTROL}
        cache.put(tag, Cached(content, tuple(kept.items())))
        return Response(content, headers=kept)

    @app.middleware("http")
    async def limit_request_size(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        header_bytes = sum(len(k) + len(v) for k, v in request.headers.raw)
        if header_bytes > settings.max_header_bytes:
            return error(431, f"the request headers are larger than {settings.max_header_bytes} bytes")
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > settings.max_request_bytes):
            return error(413, f"the request body is larger than {settings.max_request_bytes} bytes")
        if len(request.url.query) > settings.max_request_bytes:
            return error(414, f"the query string is longer than {settings.max_request_bytes} characters")
        return await call_next(request)

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

    for module in (sparql, stored_queries, resources, dumps, pages, browse, network):
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
