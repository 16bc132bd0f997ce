"""The SPARQL 1.1 Protocol endpoint (read-only) and its service description.

The endpoint is a plain ASGI app that the server sends `/sparql` requests to straight after the
request limits, CORS and the answer cache (kg.web.middleware.Direct): FastAPI's routing and
request handling were a third of what a cheap query cost the server. The OpenAPI document describes
it through operations()."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.datastructures import URL, Headers
from starlette.types import Receive, Scope, Send

from kg.store.sparql_text import has_dataset_clause
from kg.web.backend import RDF_OFFERED, RESULT_OFFERED, Backend, content_type, error
from kg.web.evaluation import Answer
from kg.web.linked_data import RDF_NAMES, service_description_triples
from kg.web.middleware import BodyTooLarge, read_body
from kg.web.negotiation import HTML, choose
from kg.web.protocol import ProtocolError, QueryRequest, parse_request, url_parameters

PATHS = ("/sparql", "/sparql/")
SERVICE_PREFIXES = {"sd": "http://www.w3.org/ns/sparql-service-description#", "void": "http://rdfs.org/ns/void#"}


class SparqlEndpoint:
    """GET and POST queries (SPARQL 1.1 Protocol, read-only) over the backend's store; a GET
    without a query is answered with the service description."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method not in ("GET", "POST"):
            refusal = error(405, f"{method} is not allowed here: the endpoint answers GET and POST queries only")
            refusal.headers["Allow"] = "GET, POST"
            await refusal(scope, receive, send)
            return
        params = url_parameters(scope.get("query_string", b"").decode("latin-1"))
        if method == "GET" and "query" not in params and "update" not in params:
            await (await self.service_description(Request(scope, receive)))(scope, receive, send)
            return
        limit = self.backend.settings.max_request_bytes
        try:
            body = await read_body(receive, limit)
        except BodyTooLarge:
            await error(413, f"the request body is larger than {limit} bytes")(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            parsed = parse_request(method, params, headers.get("content-type"), body)
            override = params["format"][-1] if "format" in params else None
            formats = self.backend.formats_for(parsed.form, headers.get("accept"), override)
            base = str(URL(scope=scope)).split("?", 1)[0]  # relative IRIs in a query resolve against the endpoint
            # common prefixes (vskg:, rdfs:, prov:, ...) are predeclared, as on many public endpoints
            answer = await self.backend.run(parsed.text, **_dataset(parsed), **formats, prefixes=True, base_iri=base)
        except ProtocolError as exc:
            await error(exc.status, exc.message)(scope, receive, send)
            return
        await _send_answer(send, answer)

    async def service_description(self, request: Request) -> Response:
        """SPARQL 1.1 Service Description: what a GET on the endpoint without a query returns."""
        chosen = choose(
            request.headers.get("accept"), [*RDF_OFFERED, HTML], override=request.query_params.get("format")
        )
        if chosen == HTML:
            return Response(status_code=303, headers={"Location": "/query"})
        if chosen is None:
            return error(406, f"the service description is available as {', '.join(RDF_NAMES.values())}")
        sizes = await self.backend.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        endpoint = str(request.url).split("?", 1)[0]
        triples = service_description_triples(endpoint, [(str(r["g"]), int(str(r["n"]))) for r in sizes.records()])
        media = ox.RdfFormat.from_media_type(chosen)
        body = ox.serialize(triples, format=media, prefixes=SERVICE_PREFIXES) or b""
        return Response(body, media_type=chosen, headers={"Vary": "Accept"})


async def _send_answer(send: Send, answer: Answer) -> None:
    """The answer as Backend.answer_response would send it, without building a Response."""
    headers = [
        (b"content-length", str(len(answer.body)).encode()),
        (b"content-type", content_type(answer).encode("latin-1")),
        (b"vary", b"Accept"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


def operations() -> list[APIRoute]:
    """The endpoint as GET and POST operations, for the OpenAPI document only: the requests
    themselves never reach FastAPI's router (kg.web.middleware.Direct)."""
    documented = APIRouter()
    for method in ("GET", "POST"):
        documented.add_api_route(
            "/sparql",
            _served_by_sparql_endpoint,
            methods=[method],
            operation_id=f"sparql_{method.lower()}",
            summary=f"SPARQL 1.1 Protocol query by {method} (read-only)",
            description="Parameters as in the SPARQL 1.1 Protocol: `query`, `default-graph-uri`, "
            "`named-graph-uri`; `format` overrides Accept. Without a query, a GET returns the service description.",
            response_class=Response,
            responses={200: {"content": {mt: {} for mt in [*RESULT_OFFERED, *RDF_OFFERED]}}},
        )
    return [r for r in documented.routes if isinstance(r, APIRoute)]


async def _served_by_sparql_endpoint(request: Request) -> Response:
    raise AssertionError("/sparql is served by SparqlEndpoint, never by FastAPI's router")


def _dataset(parsed: QueryRequest) -> dict[str, Any]:
    """The protocol's dataset; without one, the union of all graphs, unless the query has FROM clauses."""
    return {
        "default_graphs": parsed.default_graphs,
        "named_graphs": parsed.named_graphs,
        "union": not has_dataset_clause(parsed.text),
    }
