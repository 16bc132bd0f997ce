"""The HTTP server: a short app factory that mounts the routers (SPARQL protocol, stored queries,
linked data, dumps and VoID, pages) over one backend, with the limits every request keeps."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.web.backend import Backend, error
from kg.web.caching import AnswerCache
from kg.web.executor import QueryExecutor
from kg.web.middleware import ConditionalCache, Direct, RequestLimits
from kg.web.routers import browse, dumps, network, pages, resources, similar, sparql, stored_queries
from kg.web.settings import Settings

log = logging.getLogger("vskg.server")


def create_app(settings: Settings, workers: QueryExecutor | None = None) -> FastAPI:
    """The server over one built on-disk store (see kg.store.disk.current_store_path), answering
    with `workers` when they are already started (kg.web.startup.start_app)."""
    backend = Backend(settings, workers)
    app = FastAPI(
        title="vskg",
        version="0.1.0",
        description="Vascular sarcoma evidence graph: SPARQL 1.1 endpoint, stored queries, linked data.",
        docs_url="/docs",
        redoc_url=None,
    )
    app.router.on_shutdown.append(backend.close)

    # the outermost layer is added last: limits, then CORS (so that answers from the cache carry its
    # headers too), then the conditional answer cache, then the SPARQL endpoint taken past the
    # router; each is plain ASGI (kg.web.middleware)
    app.add_middleware(Direct, routes=dict.fromkeys(sparql.PATHS, sparql.SparqlEndpoint(backend)))
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

    for module in (stored_queries, resources, dumps, pages, browse, network, similar):
        app.include_router(module.router(backend))

    def openapi() -> dict[str, Any]:
        """The OpenAPI document, with every stored query as a typed operation: those are built
        here, when the document is first asked for, rather than at every process's start."""
        if app.openapi_schema is None:
            documented = FastAPI(
                title=app.title,
                version=app.version,
                description=app.description,
                openapi_url=None,
                docs_url=None,
                redoc_url=None,
            )
            documented.router.routes.extend([*app.routes, *sparql.operations(), *stored_queries.operations(backend)])
            app.openapi_schema = documented.openapi()
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
