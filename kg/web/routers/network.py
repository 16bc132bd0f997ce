"""The evidence network as an interactive view: sources, their cases and cohorts, treatments,
outcomes and citations, drawn in the browser with cytoscape (installed from npm, served here)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from kg.web.backend import Backend, error
from kg.web.pages import network_page
from kg.web.protocol import ProtocolError


def router(backend: Backend) -> APIRouter:
    routes = APIRouter()
    library = backend.settings.scripts_dir / "cytoscape" / "dist" / "cytoscape.min.js"

    @routes.get("/network", include_in_schema=False)
    async def network() -> Response:
        return HTMLResponse(network_page())

    @routes.get("/network/data", summary="The evidence network: nodes with their kind, edges with their relation")
    async def data() -> Response:
        from kg.query.network import EDGES, NODES  # the module imports networkx, which a server start need not pay

        try:
            nodes, edges = await backend.select(NODES), await backend.select(EDGES)
        except ProtocolError as exc:
            return error(exc.status, exc.message)
        return JSONResponse({
            "nodes": [{"id": r["node"], "kind": r["kind"], "label": r["label"]} for r in nodes.records()],
            "edges": [{"source": r["from"], "target": r["to"], "relation": r["relation"]} for r in edges.records()],
        })  # fmt: skip

    @routes.get("/static/cytoscape.min.js", include_in_schema=False)
    async def script() -> Response:
        if not library.is_file():
            return error(404, "the network library is not installed; run scripts/install-js.sh")
        return FileResponse(library, media_type="text/javascript")

    return routes
