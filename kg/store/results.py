"""Query results as a small table of RDF terms, rendered as text, CSV, TSV or SPARQL JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any, Literal, overload

import pyoxigraph as ox

from kg.iris import XSD, compact
from kg.store.typed import python_value

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_SORT_KEY = re.compile(r"^\d+\|")


@dataclass(frozen=True)
class QueryResult:
    variables: list[str]
    rows: list[tuple[Term | None, ...]]

    @classmethod
    def from_solutions(cls, solutions: ox.QuerySolutions) -> QueryResult:
        variables = [var.value for var in solutions.variables]
        rows = [tuple(sol[var] for var in variables) for sol in solutions]
        return cls(variables, rows)

    def __len__(self) -> int:
        return len(self.rows)

    def with_sorted_lists(self, lists: tuple[tuple[str, str], ...]) -> QueryResult:
        """Concatenated cells (GROUP_CONCAT) with their parts sorted, as no engine keeps their order.

        A part may start with a sort key of digits and a bar (`000203|radiotherapy`), so that a query
        can order the parts (by time, say) on every engine; the key is removed after sorting. Empty
        parts are dropped and a cell with none is no value: a query concatenates COALESCE(?x, "")
        rather than an unbound ?x, whose handling inside an aggregate differs between engines.
        """
        if not lists:
            return self
        columns = {self.variables.index(name): sep for name, sep in lists if name in self.variables}

        def fix(i: int, term: Term | None) -> Term | None:
            if i not in columns or not isinstance(term, ox.Literal) or term.language:
                return term
            sep = columns[i]
            parts = [_SORT_KEY.sub("", part) for part in sorted(term.value.split(sep)) if part]
            return ox.Literal(sep.join(parts), datatype=term.datatype) if parts else None

        return QueryResult(self.variables, [tuple(fix(i, t) for i, t in enumerate(row)) for row in self.rows])

    @overload
    def records(self, *, typed: Literal[False] = False, curies: bool = False) -> list[dict[str, str | None]]: ...
    @overload
    def records(self, *, typed: Literal[True], curies: bool = False) -> list[dict[str, Any]]: ...
    def records(self, *, typed: bool = False, curies: bool = False) -> list[dict[str, Any]]:
        """Rows as dicts of plain strings (IRIs and literal values), or with `typed` as Python values."""
        if typed:
            return self.typed_records(curies=curies)
        return [{v: plain(t) for v, t in zip(self.variables, row, strict=True)} for row in self.rows]

    def typed_records(self, *, curies: bool = False) -> list[dict[str, Any]]:
        """Rows with typed values: int, Decimal, float, bool, date, datetime; IRIs, or CURIEs with `curies`."""
        return [
            {v: python_value(t, curies=curies) for v, t in zip(self.variables, row, strict=True)} for row in self.rows
        ]

    def to_pandas(self, *, curies: bool = False) -> Any:
        """A pandas DataFrame with typed columns: Int64 for integers, float for decimals, boolean."""
        import pandas as pd

        records = self.typed_records(curies=curies)
        columns = {}
        for name in self.variables:
            values = [r[name] for r in records]
            present = [v for v in values if v is not None]
            if present and all(isinstance(v, bool) for v in present):
                columns[name] = pd.Series(values, dtype="boolean")
            elif present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
                columns[name] = pd.Series(values, dtype="Int64")
            elif present and all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in present):
                columns[name] = pd.Series([None if v is None else float(v) for v in values], dtype="float64")
            else:
                columns[name] = pd.Series(values, dtype="object")
        return pd.DataFrame(columns, columns=self.variables)

    def column(self, name: str) -> list[str | None]:
        i = self.variables.index(name)
        return [plain(row[i]) for row in self.rows]

    def to_csv(self, delimiter: str = ",") -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow(["" if t is None else plain(t) for t in row])
        return out.getvalue()

    def to_tsv(self) -> str:
        lines = ["\t".join("?" + v for v in self.variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in self.rows]
        return "\n".join(lines) + "\n"

    def to_json(self, indent: int | None = 1) -> str:
        """SPARQL 1.1 JSON results; `indent=None` writes them on one line, several times faster
        (the C encoder), for a client rather than a person."""
        bindings = [
            {v: term_json(t) for v, t in zip(self.variables, row, strict=True) if t is not None} for row in self.rows
        ]
        return json.dumps(
            {"head": {"vars": self.variables}, "results": {"bindings": bindings}},
            indent=indent,
            ensure_ascii=False,
            separators=(",", ": ") if indent else (",", ":"),
        )

    def to_xml(self) -> str:
        """SPARQL Query Results XML Format."""
        out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
        out += [f'<variable name="{escape(v)}"/>' for v in self.variables]
        out += ["</head>", "<results>"]
        for row in self.rows:
            out.append("<result>")
            for v, t in zip(self.variables, row, strict=True):
                if t is not None:
                    out.append(f'<binding name="{escape(v)}">{term_xml(t)}</binding>')
            out.append("</result>")
        out += ["</results>", "</sparql>", ""]
        return "\n".join(out)

    def to_table(self) -> str:
        shown = [[display(t) for t in row] for row in self.rows]
        widths = [max([len(v), *(len(r[i]) for r in shown)]) for i, v in enumerate(self.variables)]
        widths = [min(w, 70) for w in widths]

        def fmt(cells: list[str]) -> str:
            return "  ".join(c[:w].ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        lines = [fmt(self.variables), fmt(["-" * w for w in widths])]
        lines += [fmt(r) for r in shown]
        lines.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(lines)


def plain(term: Term | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term.value
    return str(term)


def display(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.Literal):
        return term.value.replace("\n", " ")
    return str(term)


def term_xml(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f'<literal xml:lang="{escape(term.language)}">{escape(term.value)}</literal>'
        if term.datatype.value != XSD + "string":
            return f'<literal datatype="{escape(term.datatype.value)}">{escape(term.value)}</literal>'
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def term_json(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def term_from_json(binding: dict[str, Any]) -> Term:
    """A term of SPARQL 1.1 JSON results ("typed-literal" as older servers write it, too)."""
    kind, value = binding.get("type"), binding.get("value")
    if not isinstance(value, str):
        raise ValueError(f"malformed SPARQL JSON term {binding!r}")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in binding:
            return ox.Literal(value, language=binding["xml:lang"])
        if "datatype" in binding:
            return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
        return ox.Literal(value)
    raise ValueError(f"malformed SPARQL JSON term type {kind!r}")


def result_from_json(data: Any) -> QueryResult | bool:
    """SPARQL 1.1 JSON results (already decoded) as a QueryResult, or a boolean for ASK."""
    if not isinstance(data, dict) or "head" not in data:
        raise ValueError("not SPARQL JSON results (no 'head')")
    if "boolean" in data:
        return bool(data["boolean"])
    variables = list(data["head"].get("vars") or [])
    bindings = (data.get("results") or {}).get("bindings")
    if not isinstance(bindings, list):
        raise ValueError("not SPARQL JSON results (no 'results.bindings')")
    if variables == ["__ask_retval"] and len(bindings) == 1:  # Virtuoso answers ASK as a one-row SELECT
        return bool(int(bindings[0]["__ask_retval"]["value"]))
    return QueryResult(
        variables, [tuple(term_from_json(b[v]) if v in b else None for v in variables) for b in bindings]
    )
