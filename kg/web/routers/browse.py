"""The faceted browser: a page a researcher can think in, and the JSON it reads."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kg.errors import TermError
from kg.iris import DATA, VSKG
from kg.query.terms import TermRequest, resolve_async
from kg.web.backend import Backend, error, term_problem
from kg.web.browse import FACET_TERMS, FACETS, BadFacet, facet_query, groups_query, selection
from kg.web.pages import browse_page
from kg.web.protocol import ProtocolError


def router(backend: Backend) -> APIRouter:
    routes = APIRouter()

    @routes.get("/browse", include_in_schema=False)
    async def browse() -> Response:
        return HTMLResponse(browse_page([(f.name, f.label) for f in FACETS]))

    @routes.get("/browse/data", summary="Patient groups matching the chosen facets, and the count of every facet value")
    async def data(request: Request) -> Response:
        try:
            given = dict(request.query_params)
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
        except TermError as exc:
            return term_problem(exc)
        except BadFacet as exc:
            return error(400, str(exc))
        except ProtocolError as exc:
            return error(exc.status, exc.message)
        groups = [{**r, "href": _page(r["group"]), "source_href": _page(r["source"])} for r in found.records()]
        return JSONResponse({"chosen": chosen, "groups": groups, "facets": facets, "sparql": groups_query(chosen)})

    return routes


def _value(row: dict[str, str | None]) -> dict[str, object]:
    local = str(row["value"]).removeprefix(VSKG)
    patients = int(str(row["patients"])) if row.get("patients") is not None else 0
    return {"value": local, "label": row["label"] or local, "groups": int(str(row["groups"])), "patients": patients}


def _page(iri: str | None) -> str:
    return "/id/" + str(iri).removeprefix(DATA)
