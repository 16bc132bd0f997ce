"""The SPARQL 1.1 Protocol, read-only: turns an HTTP request into one query and its dataset."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from kg.store.sparql_text import query_form, uses_service


class ProtocolError(Exception):
    """A request the endpoint refuses; carries the HTTP status and a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class QueryRequest:
    text: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None

    @property
    def form(self) -> str:
        return query_form(self.text)


READ_ONLY = "this endpoint is read-only: SPARQL Update (including LOAD) is not accepted"


def _charset_ok(content_type: str) -> bool:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request body is not UTF-8") from None


def url_parameters(url_query: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(url_query, keep_blank_values=True)


def parse_request(method: str, params: dict[str, list[str]], content_type: str | None, body: bytes) -> QueryRequest:
    """Validate a protocol request (GET, URL-encoded POST, direct POST) and extract the query;
    `params` are the URL's (url_parameters)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if method == "GET":
        if "update" in params:
            raise ProtocolError(403, READ_ONLY)
        fields = params
    elif method == "POST":
        if media == "application/x-www-form-urlencoded":
            if not _charset_ok(content_type or ""):
                raise ProtocolError(415, "form bodies must be UTF-8")
            form = urllib.parse.parse_qs(_decode(body), keep_blank_values=True)
            if "update" in form:
                raise ProtocolError(403, READ_ONLY)
            fields = {**params, **form}
        elif media == "application/sparql-update":
            raise ProtocolError(403, READ_ONLY)
        elif media == "application/sparql-query":
            if not _charset_ok(content_type or ""):
                raise ProtocolError(415, "direct query bodies must be UTF-8 (charset=utf-8)")
            if "query" in params:
                raise ProtocolError(400, "give the query either in the body or in the URL, not both")
            fields = {**params, "query": [_decode(body)]}
        elif not media:
            raise ProtocolError(
                415, "POST needs Content-Type application/x-www-form-urlencoded or application/sparql-query"
            )
        else:
            raise ProtocolError(
                415,
                f"unsupported Content-Type {media!r}: use application/x-www-form-urlencoded "
                "or application/sparql-query",
            )
    else:
        raise ProtocolError(405, f"{method} is not a SPARQL protocol method here: use GET or POST")
    queries = fields.get("query", [])
    if len(queries) != 1:
        raise ProtocolError(400, "give exactly one 'query' parameter" if queries else "no 'query' parameter")
    text = queries[0]
    if not text.strip():
        raise ProtocolError(400, "the query is empty")
    if uses_service(text):
        raise ProtocolError(403, "SERVICE is not accepted: this endpoint never fetches data from elsewhere")
    default = fields.get("default-graph-uri")
    named = fields.get("named-graph-uri")
    return QueryRequest(text, default if default else None, named if named else None)
