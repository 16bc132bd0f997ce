"""Linked data: data IRIs (/id/...) and the ontology and its terms, in HTML or RDF by negotiation."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from kg.iris import DATA, ONTOLOGY_GRAPH, ONTOLOGY_IRI, RDFS, VSKG
from kg.query.describe import describe_with, serialize
from kg.store.results import QueryResult
from kg.views.html import link, page
from kg.web.backend import RDF_OFFERED, Backend, error
from kg.web.executor import Answer
from kg.web.linked_data import DATA_RDF_NAMES, RDF_NAMES, html_page, safe_path
from kg.web.negotiation import HTML, choose
from kg.web.protocol import ProtocolError

if TYPE_CHECKING:
    from kg.query.phenopackets import Terms


def router(backend: Backend) -> APIRouter:
    routes = APIRouter()

    async def describe(iri: str, request: Request) -> Response:
        names = DATA_RDF_NAMES if iri.startswith(DATA) else RDF_NAMES
        override = request.query_params.get("format")
        chosen = choose(request.headers.get("accept"), [HTML, *names], override=override)
        if chosen is None:
            return error(406, f"available formats: html, {', '.join(names.values())}")
        node = str(ox.NamedNode(iri))
        found = await backend.select(f"SELECT ?p WHERE {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }} LIMIT 1")
        if not found.rows:
            return error(404, f"no statements about {iri}")
        base = str(request.url.path)
        alternates = [(mt, f"{base}?format={name}") for mt, name in [(HTML, "html"), *names.items()]]
        if chosen != HTML and iri.startswith(DATA):
            # the data IRI's whole description, the same as `vskg describe` prints
            try:
                quads = await run_in_threadpool(describe_with, backend.select_now, iri)
            except ProtocolError as exc:
                return error(exc.status, exc.message)
            body = serialize(quads, names[chosen], jsonld_graphs=False)
            return backend.answer_response(Answer("graph", body, chosen), alternates)
        if chosen != HTML:
            construct = (
                f"CONSTRUCT {{ {node} ?p ?o . ?s ?q {node} }} WHERE {{ {{ {node} ?p ?o }} UNION {{ ?s ?q {node} }} }}"
            )
            answer = await backend.run(construct, graph_format=chosen)
            return backend.answer_response(answer, alternates)
        return HTMLResponse(
            await html_page(iri, backend.select, alternates, str(request.base_url).rstrip("/")),
            headers={"Vary": "Accept", "Link": ", ".join(f'<{h}>; rel="alternate"; type="{m}"' for m, h in alternates)},
        )

    @routes.get("/id/{path:path}", summary="Dereference a data IRI https://w3id.org/vskg/id/...")
    async def data_iri(path: str, request: Request) -> Response:
        if not safe_path(path):
            return error(404, f"nothing here: {request.url.path}")
        if path.startswith("case/") and request.query_params.get("format") == "phenopacket":
            return await phenopacket(path.removeprefix("case/"))
        return await describe(DATA + path, request)

    terms_of_build: dict[str, Terms] = {}  # the vskg terms of the build served, read once per build

    async def phenopacket(case: str) -> Response:
        """The case as a GA4GH phenopacket (protobuf JSON), stamped with today's date."""
        from kg.query import phenopackets as exchange
        from kg.query.graph import release_time

        class Workers:
            def sparql(self, text: str) -> QueryResult:
                return backend.select_now(text)

        def packets_of_case(build: str) -> dict[str, dict[str, Any]]:
            known = terms_of_build.get(build)
            if known is None:
                known = exchange.read_terms(Workers())
                terms_of_build.clear()
                terms_of_build[build] = known
            return exchange.phenopackets(Workers(), created=release_time(), case=case, known_terms=known)

        try:
            packets = await run_in_threadpool(packets_of_case, backend.build)
        except ProtocolError as exc:
            return error(exc.status, exc.message)
        if case not in packets:
            return error(404, f"no case {case!r}")
        return JSONResponse(packets[case], media_type="application/json")

    @routes.get("/ontology", summary="The ontology (terms are its hash IRIs)")
    async def ontology(request: Request) -> Response:
        override = request.query_params.get("format")
        chosen = choose(request.headers.get("accept"), [HTML, *RDF_OFFERED], override=override)
        if chosen is None:
            return error(406, f"available formats: html, {', '.join(RDF_NAMES.values())}")
        alternates = [(mt, f"/ontology?format={name}") for mt, name in [(HTML, "html"), *RDF_NAMES.items()]]
        if chosen != HTML:
            answer = await backend.run(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}", graph_format=chosen
            )
            return backend.answer_response(answer, alternates)
        terms = await backend.select(
            f"SELECT ?t ?l ?d WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?t <{RDFS}label> ?l . "
            f"OPTIONAL {{ ?t <http://www.w3.org/2004/02/skos/core#definition> ?d }} }} "
            f'FILTER(STRSTARTS(STR(?t), "{VSKG}")) }} ORDER BY ?t'
        )
        rows = "".join(
            f'<tr id="{escape(r["t"][len(VSKG) :])}"><td>{link(r["t"])}</td><td>{escape(r["l"] or "")}</td>'
            f"<td>{escape(r['d'] or '')}</td></tr>"
            for r in terms.records()
            if r["t"]
        )
        body = (
            f"<h1>vskg ontology</h1><p><code>{ONTOLOGY_IRI}</code> · also as "
            + " · ".join(f'<a href="{h}">{n}</a>' for n, h in [(RDF_NAMES[m], u) for m, u in alternates[1:]])
            + "</p><table><thead><tr><th>term</th><th>label</th><th>definition</th></tr></thead>"
            + f"<tbody>{rows}</tbody></table>"
        )
        return HTMLResponse(page("Ontology", body), headers={"Vary": "Accept"})

    @routes.get("/ontology/{term}", summary="One ontology term")
    async def ontology_term(term: str, request: Request) -> Response:
        if not term.replace("_", "").isalnum():
            return error(404, f"nothing here: {request.url.path}")
        return await describe(VSKG + term, request)

    return routes
