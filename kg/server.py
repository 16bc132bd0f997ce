"""The HTTP server: SPARQL 1.1 Protocol, stored-query API, linked data, dumps, VoID and pages."""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi import FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg import pages
from kg.errors import QueryError
from kg.executor import Answer, BadQuery, QueryExecutor, QueryTimeout, ResultTooLarge
from kg.iris import DATA, EXPORT_PREFIXES, GRAPH, ONTOLOGY_GRAPH, ONTOLOGY_IRI, RDFS, VSKG
from kg.linked_data import RDF_NAMES, dump_media, html_page, safe_path, service_description_triples, void_triples
from kg.negotiation import GRAPHS, HTML, RESULTS, choose
from kg.protocol import ProtocolError, QueryRequest, parse_request
from kg.query.catalog import StoredQuery, load_catalog
from kg.store.results import QueryResult, result_from_json
from kg.store.sparql_text import bind_values, has_dataset_clause
from kg.views.html import link, page

log = logging.getLogger("vskg.server")
RDF_OFFERED = [GRAPHS["ttl"], GRAPHS["jsonld"], GRAPHS["nt"], GRAPHS["rdfxml"]]
RESULT_OFFERED = [RESULTS["json"], RESULTS["xml"], RESULTS["csv"], RESULTS["tsv"]]


@dataclass(frozen=True)
class Settings:
    """What the server serves and the limits it keeps."""

    store_path: Path
    queries_dir: Path
    dumps_dir: Path | None
    timeout: float = 10.0
    max_results: int = 10_000
    max_request_bytes: int = 1_000_000
    max_header_bytes: int = 32_768
    workers: int = 2
    report_dir: Path | None = None


def _error(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status)


def create_app(settings: Settings) -> FastAPI:
    """The server over one built on-disk store (see kg.store.current_store_path)."""
    catalog = load_catalog(settings.queries_dir)
    executor = QueryExecutor(
        settings.store_path, workers=settings.workers, timeout=settings.timeout, max_results=settings.max_results
    )
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
    app.router.on_shutdown.append(executor.close)

    @app.middleware("http")
    async def limit_request_size(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        header_bytes = sum(len(k) + len(v) for k, v in request.headers.raw)
        if header_bytes > settings.max_header_bytes:
            return _error(431, f"the request headers are larger than {settings.max_header_bytes} bytes")
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > settings.max_request_bytes):
            return _error(413, f"the request body is larger than {settings.max_request_bytes} bytes")
        if len(request.url.query) > settings.max_request_bytes:
            return _error(414, f"the query string is longer than {settings.max_request_bytes} characters")
        return await call_next(request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404:
            message = f"nothing here: {request.url.path}"
        return _error(exc.status_code, message)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)  # the trace stays in the server's log
        return _error(500, "internal error; the request was logged")

    # ------------------------------------------------------------------ query helpers
    async def run(text: str, **request: Any) -> Answer:
        try:
            return await run_in_threadpool(executor.run, text, **request)
        except QueryTimeout as exc:
            raise ProtocolError(503, str(exc)) from None
        except ResultTooLarge as exc:
            raise ProtocolError(422, str(exc)) from None
        except BadQuery as exc:
            raise ProtocolError(400, f"the query cannot be evaluated: {exc}") from None

    def select_now(text: str) -> QueryResult:
        """Blocking SELECT for code that is not async (the timeline); call it in a thread."""
        try:
            answer = executor.run(text)
        except (QueryTimeout, ResultTooLarge, BadQuery) as exc:
            raise ProtocolError(503 if isinstance(exc, QueryTimeout) else 400, str(exc)) from None
        result = result_from_json(json.loads(answer.body))
        assert isinstance(result, QueryResult)
        return result

    async def select(text: str) -> QueryResult:
        answer = await run(text)
        result = result_from_json(json.loads(answer.body))
        assert isinstance(result, QueryResult)
        return result

    def answer_response(answer: Answer, alternates: list[tuple[str, str]] | None = None) -> Response:
        media = answer.media_type + ("; charset=utf-8" if answer.media_type.startswith("text/") else "")
        headers = {"Vary": "Accept"}
        if alternates:
            headers["Link"] = ", ".join(f'<{href}>; rel="alternate"; type="{mt}"' for mt, href in alternates)
        return Response(answer.body, media_type=media, headers=headers)

    def formats_for(form: str, accept: str | None, override: str | None) -> dict[str, str]:
        if form in ("SELECT", "ASK"):
            offered = RESULT_OFFERED if form == "SELECT" else RESULT_OFFERED[:2]
            chosen = choose(accept, offered, override=override)
            if chosen is None:
                raise ProtocolError(406, f"cannot answer a {form} query as requested; available: {', '.join(offered)}")
            return {"solutions_format": chosen, "boolean_format": chosen}
        chosen = choose(accept, [*RDF_OFFERED, GRAPHS["trig"], GRAPHS["nq"]], override=override)
        if chosen is None:
            raise ProtocolError(406, f"cannot answer a {form} query as requested; available: {', '.join(RDF_OFFERED)}")
        return {"graph_format": chosen}

    # ------------------------------------------------------------------ SPARQL protocol
    async def service_description(request: Request) -> Response:
        """SPARQL 1.1 Service Description: what a GET on the endpoint without a query returns."""
        chosen = choose(
            request.headers.get("accept"), [*RDF_OFFERED, HTML], override=request.query_params.get("format")
        )
        if chosen == HTML:
            return Response(status_code=303, headers={"Location": "/query"})
        if chosen is None:
            return _error(406, f"the service description is available as {', '.join(RDF_NAMES.values())}")
        sizes = await select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
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
        if len(body) > settings.max_request_bytes:
            return _error(413, f"the request body is larger than {settings.max_request_bytes} bytes")
        try:
            parsed = parse_request(request.method, request.url.query, request.headers.get("content-type"), body)
            override = request.query_params.get("format")
            formats = formats_for(parsed.form, request.headers.get("accept"), override)
            base = str(request.url).split("?", 1)[0]  # relative IRIs in a query resolve against the endpoint
            # common prefixes (vskg:, rdfs:, prov:, ...) are predeclared, as on many public endpoints
            answer = await run(parsed.text, **_dataset(parsed), **formats, prefixes=True, base_iri=base)
        except ProtocolError as exc:
            return _error(exc.status, exc.message)
        return answer_response(answer)

    for path in ("/sparql", "/sparql/"):
        for method in ("GET", "POST"):
            app.add_api_route(
                path,
                sparql_endpoint,
                methods=[method],
                include_in_schema=path == "/sparql",
                operation_id=f"sparql_{method.lower()}{'_slash' if path.endswith('/') else ''}",
                summary=f"SPARQL 1.1 Protocol query by {method} (read-only)",
            )
        app.add_api_route(path, _method_not_allowed, methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)

    # ------------------------------------------------------------------ stored queries
    @app.get("/queries", summary="The stored queries with their parameters")
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
        app.add_api_route(
            f"/queries/{stored.name}",
            _stored_endpoint(stored, run, answer_response),
            methods=["GET"],
            summary=stored.summary,
            description=stored.description or stored.summary,
            tags=["stored queries"],
            response_class=Response,
            responses={200: {"content": {mt: {} for mt in RESULT_OFFERED}}},
        )

    # ------------------------------------------------------------------ linked data
    async def describe(iri: str, request: Request, *, title_hint: str | None = None) -> Response:
        override = request.query_params.get("format")
        chosen = choose(request.headers.get("accept"), [HTML, *RDF_OFFERED], override=override)
        if chosen is None:
            return _error(406, f"available formats: html, {', '.join(RDF_NAMES.values())}")
        node = str(ox.NamedNode(iri))
        found = await select(f"SELECT ?p WHERE {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }} LIMIT 1")
        if not found.rows:
            return _error(404, f"no statements about {iri}")
        base = str(request.url.path)
        alternates = [(mt, f"{base}?format={name}") for mt, name in [(HTML, "html"), *RDF_NAMES.items()]]
        if chosen != HTML:
            construct = (
                f"CONSTRUCT {{ {node} ?p ?o . ?s ?q {node} }} WHERE {{ {{ {node} ?p ?o }} UNION {{ ?s ?q {node} }} }}"
            )
            answer = await run(construct, graph_format=chosen)
            return answer_response(answer, alternates)
        return HTMLResponse(
            await html_page(iri, select, alternates),
            headers={"Vary": "Accept", "Link": ", ".join(f'<{h}>; rel="alternate"; type="{m}"' for m, h in alternates)},
        )

    @app.get("/id/{path:path}", summary="Dereference a data IRI https://w3id.org/vskg/id/...")
    async def data_iri(path: str, request: Request) -> Response:
        if not safe_path(path):
            return _error(404, f"nothing here: {request.url.path}")
        return await describe(DATA + path, request)

    @app.get("/ontology", summary="The ontology (terms are its hash IRIs)")
    async def ontology(request: Request) -> Response:
        override = request.query_params.get("format")
        chosen = choose(request.headers.get("accept"), [HTML, *RDF_OFFERED], override=override)
        if chosen is None:
            return _error(406, f"available formats: html, {', '.join(RDF_NAMES.values())}")
        alternates = [(mt, f"/ontology?format={name}") for mt, name in [(HTML, "html"), *RDF_NAMES.items()]]
        if chosen != HTML:
            answer = await run(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}", graph_format=chosen
            )
            return answer_response(answer, alternates)
        terms = await select(
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

    @app.get("/ontology/{term}", summary="One ontology term")
    async def ontology_term(term: str, request: Request) -> Response:
        if not term.replace("_", "").isalnum():
            return _error(404, f"nothing here: {request.url.path}")
        return await describe(VSKG + term, request)

    @app.get("/timeline/{kind}/{slug}.svg", summary="The timeline of a case or cohort, drawn from the graph")
    async def timeline(kind: str, slug: str, request: Request) -> Response:
        from kg.views.timeline import draw_timeline, timeline_data

        if kind not in ("case", "cohort") or not safe_path(slug) or "/" in slug:
            return _error(404, f"nothing here: {request.url.path}")

        def draw() -> bytes | None:
            data = timeline_data(f"{DATA}{kind}/{slug}", select_now)
            if not data.events:
                return None
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                return draw_timeline(data, Path(tmp) / "timeline.svg").read_bytes()

        try:
            svg = await run_in_threadpool(draw)
        except ProtocolError as exc:
            return _error(exc.status, exc.message)
        if svg is None:
            return _error(404, f"no events for {DATA}{kind}/{slug}")
        return Response(svg, media_type="image/svg+xml")

    @app.get("/report", summary="The HTML report (vskg report)")
    async def report() -> Response:
        target = settings.report_dir / "report.html" if settings.report_dir else None
        if target is None or not target.is_file():
            return _error(404, "no report has been written; run `vskg report`")
        return FileResponse(target, media_type="text/html")

    # ------------------------------------------------------------------ dumps and VoID
    def dump_files() -> dict[str, Path]:
        folder = settings.dumps_dir
        if folder is None or not folder.is_dir():
            return {}
        return {p.name: p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}

    @app.get("/dumps", summary="Download dumps of the whole graph")
    async def dumps(request: Request) -> Response:
        files = dump_files()
        if (
            choose(
                request.headers.get("accept"), [HTML, "application/json"], override=request.query_params.get("format")
            )
            == "application/json"
        ):
            return JSONResponse(
                [{"name": n, "url": f"/dumps/{n}", "bytes": p.stat().st_size} for n, p in files.items()]
            )
        rows = [(n, f"/dumps/{n}", f"{p.stat().st_size:,} bytes") for n, p in files.items()]
        return HTMLResponse(
            pages.listing(
                "Dumps",
                'The whole graph in each format, described at <a href="/.well-known/void">/.well-known/void</a>.',
                rows,
            )
        )

    @app.get("/dumps/{name}", summary="One dump file")
    async def dump(name: str) -> Response:
        files = dump_files()
        if name not in files:  # only names listed in the folder: no path ever reaches the file system
            return _error(404, f"no dump named {name!r}")
        return FileResponse(files[name], media_type=dump_media(name), filename=name)

    @app.get("/.well-known/void", summary="VoID and DCAT description of the dataset")
    async def void(request: Request) -> Response:
        chosen = choose(
            request.headers.get("accept"),
            [GRAPHS["ttl"], GRAPHS["jsonld"], GRAPHS["nt"], GRAPHS["rdfxml"]],
            override=request.query_params.get("format"),
        )
        if chosen is None:
            return _error(406, f"available formats: {', '.join(RDF_NAMES.values())}")
        base = str(request.base_url).rstrip("/")
        stats = await select(
            f'SELECT (COUNT(*) AS ?triples) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
        )
        sources = await select(f"SELECT ?s WHERE {{ ?s a <{VSKG}Source> }} ORDER BY ?s")
        version = await select(f"SELECT ?v WHERE {{ <{ONTOLOGY_IRI}> <http://www.w3.org/2002/07/owl#versionInfo> ?v }}")
        triples = void_triples(base, stats, sources, version, dump_files())
        body = (
            ox.serialize(
                triples,
                format=ox.RdfFormat.from_media_type(chosen),
                prefixes={**EXPORT_PREFIXES, "void": "http://rdfs.org/ns/void#", "dcat": "http://www.w3.org/ns/dcat#"},
            )
            or b""
        )
        return Response(body, media_type=chosen, headers={"Vary": "Accept"})

    # ------------------------------------------------------------------ pages
    @app.get("/", include_in_schema=False)
    async def home() -> Response:
        totals = (await select(catalog["patients-per-site"].text)).records()[-1]
        sources = await select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{VSKG}Source> }}")
        triples = await select(
            f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
        )
        shown = {
            "sources": sources.records()[0]["n"] or "0",
            "cases": totals["cases"] or "0",
            "cohorts": totals["cohorts"] or "0",
            "patients": totals["patients"] or "0",
            "triples": triples.records()[0]["n"] or "0",
        }
        return HTMLResponse(pages.landing(shown, list(catalog.values())))

    @app.get("/query", include_in_schema=False)
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

    return app


async def _method_not_allowed(request: Request) -> Response:
    return _error(405, f"{request.method} is not allowed here: the endpoint answers GET and POST queries only")


def _dataset(parsed: QueryRequest) -> dict[str, Any]:
    """The protocol's dataset; without one, the union of all graphs, unless the query has FROM clauses."""
    return {
        "default_graphs": parsed.default_graphs,
        "named_graphs": parsed.named_graphs,
        "union": not has_dataset_clause(parsed.text),
    }


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
            }
            for p in q.params
        ],
    }


def _stored_endpoint(stored: StoredQuery, run: Any, answer_response: Any) -> Callable[..., Awaitable[Response]]:
    """A route function whose signature lists the query's typed parameters, for OpenAPI."""

    async def endpoint(request: Request, **values: Any) -> Response:
        try:
            bindings = stored.bindings({k: v for k, v in values.items() if v is not None})
            chosen = choose(request.headers.get("accept"), RESULT_OFFERED, override=request.query_params.get("format"))
            if chosen is None:
                raise ProtocolError(406, f"available formats: json, xml, csv, tsv ({', '.join(RESULT_OFFERED)})")
            answer = await run(
                bind_values(stored.text, bindings),
                solutions_format=chosen,
                boolean_format=chosen,
                prefixes=False,
                lists=stored.lists,
            )
        except QueryError as exc:
            return _error(400, str(exc))
        except ProtocolError as exc:
            return _error(exc.status, exc.message)
        response: Response = answer_response(answer)
        return response

    parameters = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for p in stored.params:
        described = f"{p.description} ({p.type})" if p.description else p.type
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
