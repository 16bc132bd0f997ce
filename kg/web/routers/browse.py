"""The faceted browser: a page a researcher can think in, and the JSON it reads."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kg.errors import TermError
from kg.iris import DATA, VSKG
from kg.query.terms import TermRequest, resolve_async
from kg.web.backend import Backend, error, term_problem
from kg.web.browse import FACET_TERMS, FACETS, BadFacet, facet_query, groups_query, selection
from kg.web.browse_page import browse_page
from kg.web.protocol import ProtocolError


def router(backend: Backend) -> APIRouter:
    routes = APIRouter()

    async def view(given: dict[str, str]) -> dict[str, Any]:
        """The groups matching the chosen facets and every facet's counts; a TermError, BadFacet or
        ProtocolError says why there are none."""
        terms = [TermRequest(k, v, FACET_TERMS[k]) for k, v in sorted(given.items()) if k in FACET_TERMS and v]
        named = await resolve_async("/browse", terms, backend.select)  # every spelling, as a local name
        chosen = selection(given | {k: term.value.removeprefix(VSKG) for k, term in named.items()})
        # the groups and every facet's counts are independent queries: the workers run them side by side
        found, *counts = await asyncio.gather(
            backend.select(groups_query(chosen)), *(backend.select(facet_query(f, chosen)) for f in FACETS)
        )
        facets = {
            facet.name: {"label": facet.label, "values": [_value(r) for r in values.records() if r["value"]]}
            for facet, values in zip(FACETS, counts, strict=True)
        }
        groups = [{**r, "href": _page(r["group"]), "source_href": _page(r["source"])} for r in found.records()]
        return {"chosen": chosen, "groups": groups, "facets": facets, "sparql": groups_query(chosen)}

    @routes.get("/browse", include_in_schema=False)
    async def browse(request: Request) -> Response:
        """The first view is drawn here, so that the page works without JavaScript."""
        given = dict(request.query_params)
        names = [(f.name, f.label) for f in FACETS]
        try:
            return HTMLResponse(browse_page(names, given, await view(given)))
        except TermError as exc:
            retry = (exc.parameter, exc.suggestions)
            return HTMLResponse(browse_page(names, given, None, str(exc), retry), status_code=400)
        except BadFacet as exc:
            return HTMLResponse(browse_page(names, given, None, str(exc)), status_code=400)
        except ProtocolError as exc:
            return HTMLResponse(browse_page(names, given, None, exc.message), status_code=exc.status)

    @routes.get("/browse/data", summary="Patient groups matching the chosen facets, and the count of every facet value")
    async def data(request: Request) -> Response:
        try:
            return JSONResponse(await view(dict(request.query_params)))
        except TermError as exc:
            return term_problem(exc)
        except BadFacet as exc:
            return error(400, str(exc))
        except ProtocolError as exc:
            return error(exc.status, exc.message)

    return routes


def _value(row: dict[str, str | None]) -> dict[str, object]:
    local = str(row["value"]).removeprefix(VSKG)
    patients = int(str(row["patients"])) if row.get("patients") is not None else 0
    return {"value": local, "label": row["label"] or local, "groups": int(str(row["groups"])), "patients": patients}


def _page(iri: str | None) -> str:
    return "/id/" + str(iri).removeprefix(DATA)
