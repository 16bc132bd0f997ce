"""The pages a person opens: landing page, query page, case timelines and the written report."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from kg.iris import DATA, DCTERMS, EXPORT_PREFIXES, GRAPH, ONTOLOGY_GRAPH, ONTOLOGY_IRI, OWL, VSKG
from kg.web import pages, structured
from kg.web.backend import Backend, error
from kg.web.linked_data import dump_media, safe_path
from kg.web.protocol import ProtocolError


def router(backend: Backend) -> APIRouter:
    routes = APIRouter()
    catalog = backend.catalog

    @routes.get("/timeline/{kind}/{slug}.svg", summary="The timeline of a case or cohort, drawn from the graph")
    async def timeline(kind: str, slug: str, request: Request) -> Response:
        from kg.views.timeline import draw_timeline, timeline_data

        if kind not in ("case", "cohort") or not safe_path(slug) or "/" in slug:
            return error(404, f"nothing here: {request.url.path}")

        def draw() -> bytes | None:
            data = timeline_data(f"{DATA}{kind}/{slug}", backend.select_now)
            if not data.events:
                return None
            with tempfile.TemporaryDirectory() as tmp:
                return draw_timeline(data, Path(tmp) / "timeline.svg").read_bytes()

        try:
            svg = await run_in_threadpool(draw)
        except ProtocolError as exc:
            return error(exc.status, exc.message)
        if svg is None:
            return error(404, f"no events for {DATA}{kind}/{slug}")
        return Response(svg, media_type="image/svg+xml")

    @routes.get("/report", summary="The HTML report (vskg report)")
    async def report() -> Response:
        target = await backend.report()
        if target is None:
            return error(404, "no report is offered here, or it could not be written (see the server log)")
        return FileResponse(target, media_type="text/html")

    @routes.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        ontology = f"<{ONTOLOGY_IRI}> <{OWL}versionInfo> ?version ; <{DCTERMS}license> ?licence"
        cited = f"?s a <{VSKG}Source> ; <{OWL}sameAs> ?doi ; <{DCTERMS}title> ?title"
        # independent queries: the workers run them side by side
        per_site, sources, triples, about_result, works = await asyncio.gather(
            backend.select(catalog["patients-per-site"].text),
            backend.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{VSKG}Source> }}"),
            backend.select(
                f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
            ),
            backend.select(f"SELECT ?version ?licence WHERE {{ {ontology} }}"),
            backend.select(f"SELECT DISTINCT ?doi ?title WHERE {{ {cited} }} ORDER BY ?doi"),
        )
        totals = per_site.records()[-1]
        shown = {
            "sources": sources.records()[0]["n"] or "0",
            "cases": totals["cases"] or "0",
            "cohorts": totals["cohorts"] or "0",
            "patients": totals["patients"] or "0",
            "triples": triples.records()[0]["n"] or "0",
        }
        base = str(request.base_url).rstrip("/")
        about = about_result.records()
        downloads = [(name, dump_media(name)) for name in await backend.dump_files()]
        version, licence = (about[0]["version"], about[0]["licence"]) if about else (None, None)
        described = structured.dataset(base, version, licence, downloads, works)
        return HTMLResponse(pages.landing(shown, list(catalog.values()), structured.script(described)))

    @routes.get("/vocabulary", summary="Every vskg class, property and value with an example query")
    async def vocabulary() -> Response:
        from kg.views.html import page
        from kg.views.vocabulary import DESCRIBED_BY, html_body, terms

        wanted = " ".join(f"<{p}>" for p in DESCRIBED_BY)
        found = await backend.select(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} VALUES ?p {{ {wanted} }} "
            f'FILTER(STRSTARTS(STR(?s), "{VSKG}")) }} ORDER BY ?s ?p ?o'
        )
        return HTMLResponse(page("Vocabulary", html_body(terms(found.rows))))

    @routes.get("/query", include_in_schema=False)
    async def query_page() -> Response:
        default = (
            "SELECT ?source ?label WHERE {\n  ?source a vskg:Source ; vskg:displayLabel ?label .\n}\nORDER BY ?label"
        )
        prologue = "".join(
            f"PREFIX {p}: <{ns}>\n" for p, ns in EXPORT_PREFIXES.items() if p in ("vskg", "rdfs", "prov")
        )
        return HTMLResponse(
            pages.query_page([q for q in catalog.values() if not q.name.startswith("qc/")], prologue + default)
        )

    return routes
