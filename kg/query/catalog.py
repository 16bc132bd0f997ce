"""Stored queries: `queries/*.rq` with a grlc-style `#+` YAML header and typed parameters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from kg.errors import QueryError
from kg.iris import XSD
from kg.query.terms import TermRange, TermRequest, spellings
from kg.store.sparql_text import bind_values, mask_strings, variable_pattern, variable_uses

PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean")
RANGE_KEYS = ("subclass_of", "instance_of")
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_DECIMAL = re.compile(r"^[+-]?(\d{1,18}(\.\d{0,18})?|\.\d{1,18})$")
MAX_STRING = 1000


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None = None
    enum: tuple[str, ...] = ()
    description: str = ""
    range: TermRange | None = None  # the terms an iri parameter takes (checked against the graph)
    inline: bool = False  # written into the text wherever the variable appears (kg.store.sparql_text)

    def bind(self, raw: str | int | float | bool) -> ox.NamedNode | ox.Literal:
        """The RDF term for a user-supplied value, or a QueryError saying what is valid."""
        text = str(raw).lower() if isinstance(raw, bool) else str(raw)
        if self.enum and text not in self.enum:
            raise QueryError(f"parameter '{self.name}': {text!r} is not one of {', '.join(self.enum)}")
        if self.type == "iri":
            # without a graph to look in, only a spelling that can name one IRI is bound
            iris = spellings(text, data=self.range is None or self.range.instances)
            if len(iris) != 1:
                raise QueryError(
                    f"parameter '{self.name}': {text[:80]!r} is not an IRI; give a full IRI "
                    "or a prefixed name such as vskg:FemoralVein"
                )
            return ox.NamedNode(iris[0])
        if self.type == "integer":
            if not _INTEGER.match(text):
                raise QueryError(f"parameter '{self.name}': {text[:80]!r} is not an integer")
            return ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "decimal":
            if not _DECIMAL.match(text):
                raise QueryError(f"parameter '{self.name}': {text[:80]!r} is not a decimal number")
            return ox.Literal(text, datatype=ox.NamedNode(XSD + "decimal"))
        if self.type == "boolean":
            if text not in ("true", "false"):
                raise QueryError(f"parameter '{self.name}': {text[:80]!r} is not true or false")
            return ox.Literal(text, datatype=ox.NamedNode(XSD + "boolean"))
        if len(text) > MAX_STRING:
            raise QueryError(f"parameter '{self.name}': longer than {MAX_STRING} characters")
        return ox.Literal(text)


@dataclass(frozen=True)
class StoredQuery:
    name: str
    summary: str
    text: str
    path: Path
    params: tuple[Param, ...] = ()
    tags: tuple[str, ...] = ()
    headline: bool = False
    description: str = ""
    lists: tuple[tuple[str, str], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        valid = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"query '{self.name}' has no parameter '{name}'; its parameters: {valid}")

    def bindings(self, values: dict[str, Any]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Typed terms for every parameter: given values, else defaults; missing ones are errors."""
        for name in values:
            self.param(name)
        out: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in self.params:
            raw = values.get(p.name, p.default)
            if raw is None:
                raise QueryError(f"query '{self.name}' needs parameter '{p.name}' ({p.type}): {p.description}")
            out[p.name] = p.bind(raw)
        return out

    def split(self, values: dict[str, Any]) -> tuple[dict[str, ox.NamedNode | ox.Literal], list[TermRequest]]:
        """The literal parameters bound, and the term parameters as requests to look up in a graph
        (kg.query.terms.resolve): given values, else defaults; missing ones are errors."""
        for name in values:
            self.param(name)
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        terms: list[TermRequest] = []
        for p in self.params:
            raw = values.get(p.name, p.default)
            if raw is None:
                raise QueryError(f"query '{self.name}' needs parameter '{p.name}' ({p.type}): {p.description}")
            if p.range is not None and p.type == "iri":
                if p.enum and str(raw) not in p.enum:
                    raise QueryError(f"parameter '{p.name}': {str(raw)!r} is not one of {', '.join(p.enum)}")
                terms.append(TermRequest(p.name, str(raw), p.range))
            else:
                bound[p.name] = p.bind(raw)
        return bound, terms

    def substitutions(self, values: dict[str, Any]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
        return {ox.Variable(k): t for k, t in self.bindings(values).items()}

    def bound_text(self, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
        """The query text with its parameters bound: inline ones written in, the rest as VALUES."""
        return bind_values(self.text, bindings, inline=[p.name for p in self.params if p.inline])


def parse_query_file(path: Path, name: str) -> StoredQuery:
    text = path.read_text(encoding="utf-8")
    header_lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            header_lines.append(line[2:].removeprefix(" "))
        elif line.strip() and not line.startswith("#"):
            break
    try:
        header = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as exc:
        raise QueryError(f"{path}: the '#+' header is not valid YAML: {exc}") from exc
    if not isinstance(header, dict) or not isinstance(header.get("summary"), str):
        raise QueryError(f"{path}: the '#+' header needs 'summary: <one line>'")
    params = []
    for i, spec in enumerate(header.get("params") or []):
        if not isinstance(spec, dict) or "name" not in spec or spec.get("type") not in PARAM_TYPES:
            raise QueryError(f"{path}: params[{i}] needs name and a type among {', '.join(PARAM_TYPES)}")
        default = spec.get("default")
        params.append(
            Param(
                name=str(spec["name"]),
                type=str(spec["type"]),
                default=None if default is None else str(default),
                enum=tuple(str(e) for e in spec.get("enum") or ()),
                description=str(spec.get("description", "")),
                range=_term_range(path, i, spec),
                inline=_inline_flag(path, i, spec, text),
            )
        )
    lists = header.get("lists") or {}
    if not isinstance(lists, dict) or not all(isinstance(v, str) and v for v in lists.values()):
        raise QueryError(f"{path}: 'lists' maps a result column to the separator of its concatenated values")
    known = {"summary", "params", "tags", "headline", "description", "lists"}
    return StoredQuery(
        name=name,
        summary=header["summary"],
        text=text,
        path=path,
        params=tuple(params),
        tags=tuple(str(t) for t in header.get("tags") or ()),
        headline=bool(header.get("headline", False)),
        description=str(header.get("description", "")),
        lists=tuple(sorted((str(k), str(v)) for k, v in lists.items())),
        extra={k: v for k, v in header.items() if k not in known},
    )


# where an inlined variable would leave the query malformed or lose a column
_NOT_INLINE = {
    "projected by a SELECT": r"\bSELECT\b[^{]*?{var}",
    "assigned with AS": r"\bAS\s+{var}",
    "bound by VALUES": r"\bVALUES\s*\(?[^{]*?{var}",
    "in GROUP BY or ORDER BY": r"\bBY\b[^{}]*?{var}",
}


def _inline_flag(path: Path, i: int, spec: dict[str, Any], text: str) -> bool:
    """`inline: true` writes the value into the text: every ?name of the query, inside MINUS and
    sub-selects too, means that one term, so the variable may only be used, never projected or assigned."""
    flag = spec.get("inline", False)
    where = f"{path}: params[{i}]({spec['name']})"
    if not isinstance(flag, bool):
        raise QueryError(f"{where}: inline is true or false, not {flag!r}")
    if not flag:
        return False
    var = variable_pattern(str(spec["name"]))
    masked = mask_strings(text)
    if not variable_uses(text, str(spec["name"])):
        raise QueryError(f"{where}: inline: true but the query never uses ?{spec['name']}")
    for what, pattern in _NOT_INLINE.items():
        if re.search(pattern.replace("{var}", var), masked, re.IGNORECASE | re.DOTALL):
            raise QueryError(
                f"{where}: an inline parameter is written into the query as a term, so ?{spec['name']} "
                f"cannot be {what}; use it in patterns and filters only, or drop inline"
            )
    return True


def _term_range(path: Path, i: int, spec: dict[str, Any]) -> TermRange | None:
    """An iri parameter names the terms it takes: `subclass_of: vskg:AnatomicalSite` (that class or
    one below it) or `instance_of: vskg:PatientGroup` (a resource typed with such a class)."""
    given = [key for key in RANGE_KEYS if key in spec]
    where = f"{path}: params[{i}]({spec['name']})"
    if spec["type"] != "iri":
        if given:
            raise QueryError(f"{where}: {given[0]} is for iri parameters only")
        return None
    if len(given) != 1:
        raise QueryError(
            f"{where}: an iri parameter needs exactly one of subclass_of or instance_of (the class whose "
            "subclasses, or whose instances, it takes), e.g. subclass_of: vskg:AnatomicalSite"
        )
    iris = spellings(str(spec[given[0]]), data=False)
    if len(iris) != 1:
        raise QueryError(f"{where}: {given[0]}: {spec[given[0]]!r} is not a class IRI or prefixed name")
    return TermRange(iris[0], instances=given[0] == "instance_of")


def load_catalog(queries_dir: Path) -> dict[str, StoredQuery]:
    """Every stored query by name; QC checks are named `qc/NAME`."""
    if not queries_dir.is_dir():
        raise QueryError(f"{queries_dir}: no stored-query folder here")
    catalog: dict[str, StoredQuery] = {}
    for path in sorted(queries_dir.rglob("*.rq")):
        name = path.relative_to(queries_dir).with_suffix("").as_posix()
        catalog[name] = parse_query_file(path, name)
    return catalog
