"""One query request evaluated on a store: in a query worker, or in the server's own process for a
request known to be cheap (kg.web.inline). Results are serialised here, cut off at a row limit."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Any

from kg.errors import KGError


class QueryTimeout(KGError, TimeoutError):
    """The query ran longer than the configured limit and was stopped."""


class ResultTooLarge(KGError, ValueError):
    """The query's result has more rows or triples than the configured limit."""


class BadQuery(KGError, ValueError):
    """The query does not parse or cannot be evaluated."""


@dataclass(frozen=True)
class Answer:
    kind: str  # "solutions", "boolean" or "graph"
    body: bytes
    media_type: str
    # what evaluating and serialising took, where that was measured
    seconds: float | None = field(default=None, compare=False)


class _TooLarge(Exception):
    pass


DIED = ("died", None)


def respond(store: Any, request: dict[str, Any]) -> tuple[str, Any]:
    """("ok", Answer), or ("bad" | "large", message): what a worker sends back through its pipe."""
    import pyoxigraph as ox

    from kg.iris import PREFIXES
    from kg.store.results import QueryResult

    started = time.perf_counter()
    try:
        answer = _evaluate(store, request, ox, PREFIXES, QueryResult)
    except SyntaxError as exc:
        return ("bad", str(exc).splitlines()[0][:500])
    except _TooLarge as exc:
        return ("large", str(exc))
    except Exception as exc:  # evaluation errors become a 400, never a traceback
        return ("bad", f"{type(exc).__name__}: {str(exc)[:500]}")
    return ("ok", Answer(answer.kind, answer.body, answer.media_type, time.perf_counter() - started))


def answer_of(outcome: tuple[str, Any] | None, timeout: float) -> Answer:
    if outcome is None:
        raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped")
    if outcome == DIED:
        raise BadQuery("the query worker stopped unexpectedly")
    status, payload = outcome
    if status == "ok":
        assert isinstance(payload, Answer)
        return payload
    if status == "large":
        raise ResultTooLarge(str(payload))
    raise BadQuery(str(payload))


def _evaluate(store: Any, request: dict[str, Any], ox: Any, prefixes: dict[str, str], result_type: Any) -> Answer:
    dataset: dict[str, Any] = {}
    if request.get("default_graphs") is not None:
        dataset["default_graph"] = [ox.NamedNode(g) for g in request["default_graphs"]] or [ox.DefaultGraph()]
    else:
        dataset["use_default_graph_as_union"] = request.get("union", True)
    if request.get("named_graphs") is not None:
        dataset["named_graphs"] = [ox.NamedNode(g) for g in request["named_graphs"]]
    prefix = {"prefixes": _named_in(request["text"])} if request.get("prefixes") else {}
    if request.get("base_iri"):
        prefix["base_iri"] = request["base_iri"]
    result = store.query(request["text"], **dataset, **prefix)
    limit = int(request["limit"])
    if isinstance(result, ox.QueryBoolean):
        fmt = request["boolean_format"]
        return Answer("boolean", _boolean(bool(result), fmt), fmt)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows: list[tuple[Any, ...]] = []
        for solution in result:
            if len(rows) == limit:
                raise _TooLarge(f"the result has more than {limit} rows; add LIMIT or narrow the query")
            rows.append(tuple(solution[v] for v in variables))
        table = result_type(variables, rows).with_sorted_lists(tuple(map(tuple, request.get("lists") or ())))
        fmt = request["solutions_format"]
        return Answer("solutions", _solutions(table, fmt), fmt)
    triples: list[Any] = []
    for triple in result:
        if len(triples) == limit:
            raise _TooLarge(f"the result has more than {limit} triples; add LIMIT or narrow the query")
        triples.append(triple)
    fmt = request["graph_format"]
    body = ox.serialize(triples, format=ox.RdfFormat.from_media_type(fmt), prefixes=prefixes) or b""
    return Answer("graph", body, fmt)


@functools.lru_cache(maxsize=256)
def _named_in(text: str) -> dict[str, str]:
    """The predeclared prefixes whose name is in the text: each one given to pyoxigraph costs
    time at every query (all 30: a fifth of a cheap count's evaluation). The cached dict is shared
    by every call with the same text, so no caller may change it."""
    from kg.iris import PREFIXES

    return {name: namespace for name, namespace in PREFIXES.items() if name + ":" in text}


def _boolean(value: bool, media_type: str) -> bytes:
    if media_type == "application/sparql-results+xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    return f'{{"head": {{}}, "boolean": {"true" if value else "false"}}}\n'.encode()


def _solutions(table: Any, media_type: str) -> bytes:
    if media_type == "application/sparql-results+xml":
        return str(table.to_xml()).encode("utf-8")
    if media_type == "text/csv":
        return str(table.to_csv()).encode("utf-8")
    if media_type == "text/tab-separated-values":
        return str(table.to_tsv()).encode("utf-8")
    return str(table.to_json(indent=None)).encode("utf-8")
