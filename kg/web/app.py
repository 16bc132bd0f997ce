"""The HTTP server: a short app factory that mounts the routers (SPARQL protocol, stored queries,
linked data, dumps and VoID, pages) over one backend, with the limits every request keeps."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.web.backend import Backend, Settings, error
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
