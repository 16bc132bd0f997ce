"""Downloads: the dump files written by `vskg export`, and the VoID/DCAT description of the dataset."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from kg.iris import EXPORT_PREFIXES, GRAPH, ONTOLOGY_IRI, VSKG
from kg.web import pages
from kg.web.backend import Backend, error
from kg.web.linked_data import RDF_NAMES, dump_media, void_triples
from kg.web.negotiation import GRAPHS, HTML, choose


def router(backend: Backend) -> APIRouter:
    routes = APIRouter()

    @routes.get("/dumps", summary="Download dumps of the whole graph")
    async def dumps(request: Request) -> Response:
        files = await backend.dump_files()
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

    @routes.get("/dumps/{name}", summary="One dump file")
    async def dump(name: str) -> Response:
        files = await backend.dump_files()
        if name not in files:  # only names listed in the folder: no path ever reaches the file system
            return error(404, f"no dump named {name!r}")
        return FileResponse(files[name], media_type=dump_media(name), filename=name)

    @routes.get("/.well-known/void", summary="VoID and DCAT description of the dataset")
    async def void(request: Request) -> Response:
        chosen = choose(
            request.headers.get("accept"),
            [GRAPHS["ttl"], GRAPHS["jsonld"], GRAPHS["nt"], GRAPHS["rdfxml"]],
            override=request.query_params.get("format"),
        )
        if chosen is None:
            return error(406, f"available formats: {', '.join(RDF_NAMES.values())}")
        base = str(request.base_url).rstrip("/")
        stats = await backend.select(
            f'SELECT (COUNT(*) AS ?triples) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
        )
        sources = await backend.select(f"SELECT ?s WHERE {{ ?s a <{VSKG}Source> }} ORDER BY ?s")
        version = await backend.select(
            f"SELECT ?v WHERE {{ <{ONTOLOGY_IRI}> <http://www.w3.org/2002/07/owl#versionInfo> ?v }}"
        )
        triples = void_triples(base, stats, sources, version, await backend.dump_files())
        body = (
            ox.serialize(
                triples,
                format=ox.RdfFormat.from_media_type(chosen),
                prefixes={**EXPORT_PREFIXES, "void": "http://rdfs.org/ns/void#", "dcat": "http://www.w3.org/ns/dcat#"},
            )
            or b""
        )
        return Response(body, media_type=chosen, headers={"Vary": "Accept"})

    return routes
