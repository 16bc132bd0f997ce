"""SPARQL text handled safely without a parser: parameters bound as VALUES, the query form, dataset
clauses and SERVICE calls found with comments, strings and IRIs masked out."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping

import pyoxigraph as ox

from kg.errors import QueryError


def bind_values(
    text: str,
    bindings: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple],
    inline: Collection[str] = (),
) -> str:
    """The query with its parameters bound by a VALUES block at the top of the outer WHERE group;
    those named in `inline` are written as the term itself wherever the variable appears.

    Inlining reaches the parts an engine evaluates on their own (MINUS, sub-selects), so a bound
    site restricts each of them instead of being joined in after them. Terms are serialised by
    pyoxigraph (escaped N-Triples syntax) after validation, so a value can never change the
    query's structure.
    """
    for name in inline:
        if name in bindings:
            text = _inline(text, name, str(bindings[name]))
    bindings = {k: v for k, v in bindings.items() if k not in inline}
    if not bindings:
        return text
    names = sorted(bindings)
    values = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(str(bindings[n]) for n in names)}) }}"
    match = _WHERE.search(_mask_comments(text))
    if match is None:
        raise QueryError("the query has no WHERE group to bind parameters in")
    return f"{text[: match.end()]} {values}\n{text[match.end() :]}"


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def _inline(text: str, name: str, term: str) -> str:
    """Every ?name or $name of the query (not inside a comment, string or IRI) replaced by the term."""
    spans = [m.span() for m in variable_uses(text, name)]
    for start, end in reversed(spans):
        text = text[:start] + term + text[end:]
    return text


def variable_uses(text: str, name: str) -> list[re.Match[str]]:
    """Where the variable occurs in the query, comments, strings and IRIs left out."""
    return list(re.finditer(variable_pattern(name), mask_strings(text)))


def variable_pattern(name: str) -> str:
    """A regular expression for ?name or $name, not the start of a longer name."""
    return rf"[?$]{re.escape(name)}(?![A-Za-z0-9_\u00B7\u00C0-\uFFFF])"


def _mask_comments(text: str) -> str:
    """The text with comments blanked out (same length); a '#' inside an IRI or a string is kept."""
    out = []
    in_iri = in_string = in_comment = False
    for ch in text:
        if in_comment:
            in_comment = ch != "\n"
            out.append(ch if ch == "\n" else " ")
            continue
        if ch == "#" and not in_iri and not in_string:
            in_comment = True
            out.append(" ")
            continue
        if ch == '"' and not in_iri:
            in_string = not in_string
        elif ch == "<" and not in_string:
            in_iri = True
        elif ch in "> \n" and in_iri:
            in_iri = False
        out.append(ch)
    return "".join(out)


_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def mask_strings(text: str) -> str:
    """Comments, strings and IRIs blanked out, so keywords can be looked for safely. Kept for the
    texts seen last: a server looks at each request's text three times (form, dataset, SERVICE),
    and clients send the same texts again and again."""
    masked = _mask_comments(text)
    masked = re.sub(
        r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
        lambda m: " " * len(m.group(0)),
        masked,
    )
    return re.sub(r"<[^<>\s]*>", lambda m: " " * len(m.group(0)), masked)


@functools.lru_cache(maxsize=256)
def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a query (SELECT if none is found)."""
    match = _FORM.search(mask_strings(text))
    return match.group(1).upper() if match else "SELECT"


@functools.lru_cache(maxsize=256)
def has_dataset_clause(text: str) -> bool:
    """Whether the query names its own dataset with FROM or FROM NAMED."""
    return re.search(r"\bFROM\b", mask_strings(text), re.IGNORECASE) is not None


@functools.lru_cache(maxsize=256)
def uses_service(text: str) -> bool:
    """Whether the query asks for a federated SERVICE call (refused: the server fetches nothing)."""
    return _SERVICE.search(mask_strings(text)) is not None
