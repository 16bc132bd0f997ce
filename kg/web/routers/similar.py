"""`/similar`: patients like mine over HTTP - the page with its form, or the ranking as JSON or CSV,
from a patient described in the URL (GET) or by a phenopacket (POST, JSON body)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from kg.errors import QueryError
from kg.iris import VSKG
from kg.query.similar import AUXILIARY, SimilaritySearch
from kg.query.similar_index import CANDIDATES
from kg.query.similar_input import patient_for, weights_from
from kg.query.similar_result import SimilarResult
from kg.store.results import QueryResult, result_from_json
from kg.web.backend import Backend, error
from kg.web.negotiation import HTML, choose
from kg.web.protocol import ProtocolError
from kg.web.similar_page import similar_page

SINGLE = {name: name for name in ("site", "laterality", "age", "sex", "size_cm", "grade")}
MULTI = {"presentation": "presentations", "initial_diagnosis": "initial_diagnoses", "treatment": "treatments"}
CONTROL = ("top", "min_facts", "weight", "format")
FORMATS = {"html": HTML, "json": "application/json", "csv": "text/csv"}
CANDIDATE_ROWS = 10_000_000  # the candidates are read whole, once per build; only the top matches are answered
# reading them is the server's own fixed query, not a client's: it may outlast a client query's
# limit on a large build read from disk (9-13 s at 10,000 groups, 1.2M quads)
CANDIDATE_SECONDS = 300.0


class Searches:
    """The search of the build being served, read once per build and kept."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.built: dict[str, SimilaritySearch] = {}
        self.lock = asyncio.Lock()

    async def current(self) -> SimilaritySearch:
        build = self.backend.build
        async with self.lock:
            if build not in self.built:
                stored = self.backend.catalog[CANDIDATES]
                seconds = max(self.backend.settings.timeout, CANDIDATE_SECONDS)
                answer = self.backend.run(stored.text, limit=CANDIDATE_ROWS, lists=stored.lists, seconds=seconds)
                others = [self.backend.select(text) for text in AUXILIARY.values()]
                found, rest = await asyncio.gather(answer, asyncio.gather(*others))
                candidates = result_from_json(json.loads(found.body))
                assert isinstance(candidates, QueryResult)
                self.built = {build: SimilaritySearch.from_answers(candidates, *rest)}
            return self.built[build]


def parameters(query: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The query string as lists of values (a list field may also be one comma-separated value)."""
    form: dict[str, list[str]] = {}
    valid = [*SINGLE, *MULTI, *CONTROL]
    for key, value in query:
        name = key.replace("-", "_")
        if name not in valid:
            raise QueryError(f"unknown parameter {key!r}; parameters: {', '.join(valid)}")
        parts = [p.strip() for p in value.split(",")] if name in MULTI else [value.strip()]
        form.setdefault(name, []).extend(p for p in parts if p)
    return form


def _one(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name, [])
    if len(values) > 1 and name != "weight":
        raise QueryError(f"{name}: give one value, not {len(values)}")
    return values[0] if values else None


def _whole(form: dict[str, list[str]], name: str, default: int) -> int:
    text = _one(form, name)
    if text is None:
        return default
    if not text.isdigit():
        raise QueryError(f"{name}: {text!r} is not a whole number")
    return int(text)


def router(backend: Backend) -> APIRouter:
    routes = APIRouter()
    searches = Searches(backend)

    async def answer(request: Request, form: dict[str, list[str]], packet: dict[str, Any] | None) -> Response:
        override = _one(form, "format")
        if override is not None and override not in FORMATS:
            return error(400, f"format: {override!r} is not one of {', '.join(FORMATS)}")
        media = FORMATS[override] if override else choose(request.headers.get("accept"), list(FORMATS.values()))
        if media is None:
            return error(406, f"cannot answer as requested; available: {', '.join(FORMATS.values())}")
        result: SimilarResult | None = None
        try:
            search = await searches.current()
            facts = {SINGLE[k]: _one(form, k) for k in SINGLE} | {MULTI[k]: form.get(k, []) for k in MULTI}
            described = packet is not None or any(facts[f] for f in facts)
            if described:
                result = await _search(backend, search, form, facts, packet)
        except QueryError as exc:
            if media == HTML:
                return HTMLResponse(similar_page(form, _choices(searches), None, str(exc)), status_code=400)
            return error(400, str(exc))
        except ProtocolError as exc:
            return error(exc.status, exc.message)
        if media == HTML:
            return HTMLResponse(similar_page(form, _choices(searches), result))
        if result is None:
            return error(400, "describe the patient: site, laterality, age, sex, size_cm, grade, presentation, ...")
        if media == "text/csv":
            return PlainTextResponse(result.to_pandas().to_csv(index=False), media_type="text/csv")
        return JSONResponse(result.to_dict())

    @routes.get("/similar", summary="Published cases and cohorts most like a described patient, and what happened")
    async def similar(request: Request) -> Response:
        try:
            form = parameters(list(request.query_params.multi_items()))
        except QueryError as exc:
            return error(400, str(exc))
        return await answer(request, form, None)

    @routes.post("/similar", summary="The same, for a patient given as a GA4GH phenopacket (JSON body)")
    async def similar_packet(request: Request) -> Response:
        try:
            form = parameters(list(request.query_params.multi_items()))
            packet = json.loads(await request.body())
        except QueryError as exc:
            return error(400, str(exc))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return error(400, f"the body is not JSON ({exc}); send a phenopacket in protobuf JSON")
        if not isinstance(packet, dict):
            return error(400, "the body is not a phenopacket: expected a JSON object")
        return await answer(request, form, packet)

    return routes


async def _search(
    backend: Backend,
    search: SimilaritySearch,
    form: dict[str, list[str]],
    facts: dict[str, Any],
    packet: dict[str, Any] | None,
) -> SimilarResult:
    weights = {}
    for pair in form.get("weight", []):
        name, sep, value = pair.partition("=")
        if not sep:
            raise QueryError(f"weight: {pair!r}: write it as FACT=NUMBER, e.g. site=3")
        weights[name.strip()] = value
    patient, notes = patient_for(search.index, None, packet, {k: v for k, v in facts.items() if v})
    chosen = weights_from(weights or None)
    top, min_facts = _whole(form, "top", 10), _whole(form, "min_facts", 1)
    matches = search.rank(patient, top=top, weights=chosen, min_facts=min_facts)
    events, context = await asyncio.gather(*(backend.select(text) for text in search.outcome_queries(matches)))
    return search.finish(patient, matches, events, context, weights=chosen, notes=notes)


def _choices(searches: Searches) -> dict[str, list[tuple[str, str]]]:
    """The terms the form suggests: every site, presentation, treatment and initial diagnosis."""
    if not searches.built:
        return {}
    index = next(iter(searches.built.values())).index
    kinds = {
        "site": index.sites.hierarchy.classes,
        "presentation": index.presentation_terms.hierarchy.classes,
        "treatment": index.treatment_terms.hierarchy.classes,
        "diagnosis": index.conditions,
    }
    return {k: [(t.removeprefix(VSKG), index.label(t)) for t in terms] for k, terms in kinds.items()}
