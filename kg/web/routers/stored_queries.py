"""The stored queries as a REST API: a listing, and one documented GET operation per query; a
browser asking for HTML gets the query's page (kg.web.query_page)."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from pyoxigraph import Literal

from kg.errors import QueryError, TermError
from kg.query.catalog import StoredQuery
from kg.query.terms import resolve_async
from kg.store.results import QueryResult, result_from_json
from kg.web import pages
from kg.web.backend import RESULT_OFFERED, Backend, error, term_problem
from kg.web.negotiation import HTML, RESULTS, choose
from kg.web.protocol import ProtocolError
from kg.web.query_page import stored_query_page


def router(backend: Backend) -> APIRouter:
    routes = APIRouter()
    catalog = backend.catalog

    @routes.get("/queries", summary="The stored queries with their parameters")
    async def list_queries(request: Request, format: str | None = None) -> Response:
        items = [_describe_query(q) for q in catalog.values()]
        if choose(request.headers.get("accept"), ["application/json", HTML], override=format) == HTML:
            rows = [(q.name, f"/query?example={q.name}", q.summary) for q in catalog.values()]
            return HTMLResponse(
                pages.listing(
                    "Stored queries",
                    "Each is also a REST operation at <code>/queries/NAME</code>, documented at "
                    '<a href="/docs">/docs</a>, and a page with its result table when a browser opens it.',
                    rows,
                )
            )
        return JSONResponse(items)

    # One route answers every stored query: FastAPI's typed route per query cost half a second of
    # every server process's start. The typed operations document the API (kg.web.app builds the
    # OpenAPI document from `operations` when it is first asked for).
    @routes.get("/queries/{name:path}", include_in_schema=False)
    async def stored_query(name: str, request: Request) -> Response:
        stored = catalog.get(name)
        if stored is None:
            return error(404, f"nothing here: {request.url.path}")
        given = {p.name: request.query_params[p.name] for p in stored.params if p.name in request.query_params}
        return await _answer(stored, backend, request, given)

    return routes


def operations(backend: Backend) -> list[APIRoute]:
    """Every stored query as a typed GET operation, for the OpenAPI document."""
    routes = APIRouter()
    for stored in backend.catalog.values():
        routes.add_api_route(
            f"/queries/{stored.name}",
            _stored_endpoint(stored, backend),
            methods=["GET"],
            summary=stored.summary,
            description=stored.description or stored.summary,
            tags=["stored queries"],
            response_class=Response,
            responses={200: {"content": {mt: {} for mt in [*RESULT_OFFERED, HTML]}}},
        )
    return [r for r in routes.routes if isinstance(r, APIRoute)]


def _describe_query(q: StoredQuery) -> dict[str, Any]:
    return {
        "name": q.name,
        "summary": q.summary,
        "description": q.description,
        "tags": list(q.tags),
        "url": f"/queries/{q.name}",
        "params": [
            {
                "name": p.name,
                "type": p.type,
                "default": p.default,
                "enum": list(p.enum) or None,
                "description": p.description,
                **({p.range.key: p.range.root} if p.range else {}),
            }
            for p in q.params
        ],
    }


async def _answer(stored: StoredQuery, backend: Backend, request: Request, given: dict[str, str]) -> Response:
    """The query's answer in the format asked for: a results format, or its page for a browser."""
    offered = [*RESULT_OFFERED, HTML]  # */* (curl, scripts) still gets SPARQL JSON, the first
    chosen = choose(request.headers.get("accept"), offered, override=request.query_params.get("format"))
    html = chosen == HTML
    try:
        if chosen is None:
            raise ProtocolError(406, f"available formats: json, xml, csv, tsv, html ({', '.join(offered)})")
        bindings, terms = stored.split(given)
        bindings |= await resolve_async(f"stored query '{stored.name}'", terms, backend.select)
        solutions = RESULTS["json"] if html else chosen
        answer = await backend.run(
            stored.bound_text(bindings),
            solutions_format=solutions,
            boolean_format=solutions,
            prefixes=False,
            lists=stored.lists,
        )
    except (QueryError, ProtocolError) as exc:
        message = exc.message if isinstance(exc, ProtocolError) else str(exc)
        status = exc.status if isinstance(exc, ProtocolError) else 400
        if html:
            return HTMLResponse(stored_query_page(stored, given, None, message, exc), status_code=status)
        return term_problem(exc) if isinstance(exc, TermError) else error(status, message)
    if html:
        result = result_from_json(json.loads(answer.body))
        table = (
            result if isinstance(result, QueryResult) else QueryResult(["answer"], [(Literal(str(result).lower()),)])
        )
        return HTMLResponse(stored_query_page(stored, given, table), headers={"Vary": "Accept"})
    return backend.answer_response(answer)


def _stored_endpoint(stored: StoredQuery, backend: Backend) -> Callable[..., Awaitable[Response]]:
    """A route function whose signature lists the query's typed parameters, for OpenAPI."""

    parameters = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for p in stored.params:
        kind = f"{p.type}, {p.range.describe()}" if p.range else p.type
        described = f"{p.description} ({kind})" if p.description else kind
        default = Query(
            p.default,
            description=described,
            examples=[p.default] if p.default else None,
            json_schema_extra={"enum": list(p.enum)} if p.enum else None,
        )
        parameters.append(
            inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=str | None)
        )
    parameters.append(
        inspect.Parameter(
            "format",
            inspect.Parameter.KEYWORD_ONLY,
            default=Query(None, description="json, xml, csv, tsv or html; overrides Accept"),
            annotation=str | None,
        )
    )

    async def route(request: Request, **values: Any) -> Response:
        values.pop("format", None)
        return await _answer(stored, backend, request, {k: str(v) for k, v in values.items() if v is not None})

    route.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    route.__name__ = "query_" + stored.name.replace("/", "_").replace("-", "_")
    return route
