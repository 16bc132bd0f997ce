"""The SPARQL 1.1 Protocol endpoint (read-only) and its service description."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from kg.store.sparql_text import has_dataset_clause
from kg.web.backend import RDF_OFFERED, Backend, error
from kg.web.linked_data import RDF_NAMES, service_description_triples
from kg.web.negotiation import HTML, choose
from kg.web.protocol import ProtocolError, QueryRequest, parse_request


def router(backend: Backend) -> APIRouter:
    routes = APIRouter()
    limit = backend.settings.max_request_bytes

    async def service_description(request: Request) -> Response:
        """SPARQL 1.1 Service Description: what a GET on the endpoint without a query returns."""
        chosen = choose(
            request.headers.get("accept"), [*RDF_OFFERED, HTML], override=request.query_params.get("format")
        )
        if chosen == HTML:
            return Response(status_code=303, headers={"Location": "/query"})
        if chosen is None:
            return error(406, f"the service description is available as {', '.join(RDF_NAMES.values())}")
        sizes = await backend.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        endpoint = str(request.url).split("?", 1)[0]
        triples = service_description_triples(endpoint, [(str(r["g"]), int(str(r["n"]))) for r in sizes.records()])
        body = (
            ox.serialize(
                triples,
                format=ox.RdfFormat.from_media_type(chosen),
                prefixes={"sd": "http://www.w3.org/ns/sparql-service-description#", "void": "http://rdfs.org/ns/void#"},
            )
            or b""
        )
        return Response(body, media_type=chosen, headers={"Vary": "Accept"})

    async def sparql_endpoint(request: Request) -> Response:
        if request.method == "GET" and not any(k in request.query_params for k in ("query", "update")):
            return await service_description(request)
        body = await request.body()
        if len(body) > limit:
            return error(413, f"the request body is larger than {limit} bytes")
        try:
            parsed = parse_request(request.method, request.url.query, request.headers.get("content-type"), body)
            override = request.query_params.get("format")
            formats = backend.formats_for(parsed.form, request.headers.get("accept"), override)
            base = str(request.url).split("?", 1)[0]  # relative IRIs in a query resolve against the endpoint
            # common prefixes (vskg:, rdfs:, prov:, ...) are predeclared, as on many public endpoints
            answer = await backend.run(parsed.text, **_dataset(parsed), **formats, prefixes=True, base_iri=base)
        except ProtocolError as exc:
            return error(exc.status, exc.message)
        return backend.answer_response(answer)

    for path in ("/sparql", "/sparql/"):
        for method in ("GET", "POST"):
            routes.add_api_route(
                path,
                sparql_endpoint,
                methods=[method],
                include_in_schema=path == "/sparql",
                operation_id=f"sparql_{method.lower()}{'_slash' if path.endswith('/') else ''}",
                summary=f"SPARQL 1.1 Protocol query by {method} (read-only)",
            )
        routes.add_api_route(path, _method_not_allowed, methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
    return routes


async def _method_not_allowed(request: Request) -> Response:
    return error(405, f"{request.method} is not allowed here: the endpoint answers GET and POST queries only")


def _dataset(parsed: QueryRequest) -> dict[str, Any]:
    """The protocol's dataset; without one, the union of all graphs, unless the query has FROM clauses."""
    return {
        "default_graphs": parsed.default_graphs,
        "named_graphs": parsed.named_graphs,
        "union": not has_dataset_clause(parsed.text),
    }
