"""The page a browser gets for a stored query (`/queries/NAME` asked for HTML): what it answers, its
parameters as a form, the result as a table whose IRIs link to their pages and print as one pastes
them into SPARQL, and the same answer as CSV, JSON, TSV or XML. It reads without JavaScript."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.errors import TermError
from kg.query.catalog import Param, StoredQuery
from kg.store.results import QueryResult, Term
from kg.views.html import link, page

DOWNLOADS = ("csv", "json", "tsv", "xml")


def href(stored: StoredQuery, given: dict[str, str], **more: str) -> str:
    return f"/queries/{stored.name}" + (f"?{urlencode({**given, **more})}" if given or more else "")


def _field(p: Param, given: dict[str, str]) -> str:
    value = given.get(p.name, p.default or "")
    kind = f"{p.type}, {p.range.describe()}" if p.range else p.type
    name = escape(p.name)
    if p.enum:
        options = "".join(f"<option{' selected' if e == value else ''}>{escape(e)}</option>" for e in p.enum)
        control = f'<select name="{name}" id="param-{name}">{options}</select>'
    else:
        control = f'<input name="{name}" id="param-{name}" value="{escape(value)}" size="40">'
    note = f" - {escape(p.description)}" if p.description else ""
    return (
        f'<p><label for="param-{name}"><b>{name}</b> <span class="muted">({escape(kind)}){note}</span></label><br>'
        f"{control}</p>"
    )


def _cell(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return link(term.value)  # printed as in SPARQL (case:..., vskg:..., <...>), linked to its page
    if isinstance(term, ox.Literal | ox.BlankNode):
        return escape(term.value)
    return escape(str(term))


def _table(result: QueryResult) -> str:
    head = "".join(f"<th>{escape(v)}</th>" for v in result.variables)
    rows = "".join("<tr>" + "".join(f"<td>{_cell(t)}</td>" for t in row) + "</tr>" for row in result.rows)
    count = f"{len(result.rows)} row{'' if len(result.rows) == 1 else 's'}"
    return (
        f'<p id="row-count">{count}</p><table id="result-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _problem(message: str, exc: Exception | None, stored: StoredQuery, given: dict[str, str]) -> str:
    text = f'<p class="error" id="problem">{escape(message)}</p>'
    if isinstance(exc, TermError) and exc.suggestions:
        tries = " · ".join(
            f'<a href="{escape(href(stored, {**given, exc.parameter: s}))}">{escape(s)}</a>' for s in exc.suggestions
        )
        text += f'<p id="suggestions">Did you mean: {tries}</p>'
    return text


def stored_query_page(
    stored: StoredQuery,
    given: dict[str, str],
    result: QueryResult | None,
    problem: str | None = None,
    exc: Exception | None = None,
) -> str:
    """The whole page; `given` holds the parameters of the request, `result` the answer (None when
    the request was refused, with `problem` saying why)."""
    fields = "".join(_field(p, given) for p in stored.params)
    form = (
        f'<form method="get" action="/queries/{escape(stored.name)}" id="parameters"><h2>Parameters</h2>{fields}'
        '<p><button type="submit">Run</button></p></form>'
        if stored.params
        else '<p class="muted">This query takes no parameters.</p>'
    )
    if result is not None:
        downloads = " · ".join(
            f'<a href="{escape(href(stored, given, format=f))}" data-format="{f}">{f.upper()}</a>' for f in DOWNLOADS
        )
        answer = f'<h2>Result</h2>{_table(result)}<p id="downloads">The same answer as {downloads}</p>'
    else:
        answer = "<h2>Result</h2>" + _problem(problem or "the query was refused", exc, stored, given)
    description = f"<p>{escape(stored.description)}</p>" if stored.description else ""
    tags = f" · tags: {escape(', '.join(stored.tags))}" if stored.tags else ""
    body = (
        f"<h1>{escape(stored.summary)}</h1>"
        f'<p class="muted">stored query <code>{escape(stored.name)}</code>{tags} · '
        f'<a href="/query?example={escape(stored.name)}">open in the query editor</a> · '
        f'<a href="/queries">all stored queries</a></p>'
        f"{description}{form}{answer}"
        f"<details><summary>The SPARQL</summary><pre>{escape(stored.text)}</pre></details>"
    )
    return page(stored.summary, body)
