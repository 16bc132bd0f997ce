"""The stored queries as a REST API: a listing, and one documented GET operation per query."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kg.errors import QueryError, TermError
from kg.query.catalog import StoredQuery
from kg.query.terms import resolve_async
from kg.store.sparql_text import bind_values
from kg.web import pages
from kg.web.backend import RESULT_OFFERED, Backend, error, term_problem
from kg.web.negotiation import HTML, choose
from kg.web.protocol import ProtocolError


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
                    'Each is also a REST operation at <code>/queries/NAME</code>; see <a href="/docs">/docs</a>.',
                    rows,
                )
            )
        return JSONResponse(items)

    for stored in catalog.values():
        routes.add_api_route(
            f"/queries/{stored.name}",
            _stored_endpoint(stored, backend),
            methods=["GET"],
            summary=stored.summary,
            description=stored.description or stored.summary,
            tags=["stored queries"],
            response_class=Response,
            responses={200: {"content": {mt: {} for mt in RESULT_OFFERED}}},
        )
    return routes


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


def _stored_endpoint(stored: StoredQuery, backend: Backend) -> Callable[..., Awaitable[Response]]:
    """A route function whose signature lists the query's typed parameters, for OpenAPI."""

    async def endpoint(request: Request, **values: Any) -> Response:
        try:
            chosen = choose(request.headers.get("accept"), RESULT_OFFERED, override=request.query_params.get("format"))
            if chosen is None:
                raise ProtocolError(406, f"available formats: json, xml, csv, tsv ({', '.join(RESULT_OFFERED)})")
            bindings, terms = stored.split({k: v for k, v in values.items() if v is not None})
            bindings |= await resolve_async(f"stored query '{stored.name}'", terms, backend.select)
            answer = await backend.run(
                bind_values(stored.text, bindings),
                solutions_format=chosen,
                boolean_format=chosen,
                prefixes=False,
                lists=stored.lists,
            )
        except TermError as exc:
            return term_problem(exc)
        except QueryError as exc:
            return error(400, str(exc))
        except ProtocolError as exc:
            return error(exc.status, exc.message)
        return backend.answer_response(answer)

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
            default=Query(None, description="json, xml, csv or tsv; overrides Accept"),
            annotation=str | None,
        )
    )

    async def route(request: Request, **values: Any) -> Response:
        values.pop("format", None)
        return await endpoint(request, **values)

    route.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    route.__name__ = "query_" + stored.name.replace("/", "_").replace("-", "_")
    return route
