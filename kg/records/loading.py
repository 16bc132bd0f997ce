"""Reads `data/*.yaml` into typed records, refusing anything malformed with a precise error."""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

import pydantic
import yaml

from kg.errors import RecordError, RecordErrors
from kg.records import yaml_events
from kg.records.model import SourceRecord

FILL_IN = "FILL-IN"
MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 40


class _GuardedLoader(yaml.SafeLoader):
    """Safe YAML without anchors/aliases (no billion-laughs) and with bounded nesting."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                problem=f"aliases (*{event.anchor}) are not allowed in records: write the value out",
                problem_mark=event.start_mark,
            )
        depth = getattr(self, "_depth", 0) + 1
        if depth > MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(problem=f"nesting deeper than {MAX_DEPTH} levels", problem_mark=mark)
        self._depth = depth
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth - 1


_FAST = bool(getattr(yaml, "__with_libyaml__", False))


def _scan(text: str) -> None:
    """Walk the event stream of libyaml's parser: refuse aliases and deep nesting, as _GuardedLoader does."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.MarkedYAMLError(
                problem=f"aliases (*{event.anchor}) are not allowed in records: write the value out",
                problem_mark=event.start_mark,  # type: ignore[arg-type]
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise yaml.MarkedYAMLError(problem=f"nesting deeper than {MAX_DEPTH} levels", problem_mark=mark)  # type: ignore[arg-type]
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def read_yaml(path: Path) -> Any:
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RecordError(name, "(file)", f"cannot be read: {exc.strerror}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise RecordError(name, "(file)", f"is {len(raw)} bytes; a record file may be at most {MAX_FILE_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(name, "(file)", f"is not UTF-8 (byte {exc.start}): save it as UTF-8") from exc
    try:
        if _FAST:
            data = yaml_events.load(text, MAX_DEPTH)
            if data is not None:
                return data
            _scan(text)  # aliases and nesting refused before anything is built
            return yaml.load(text, Loader=yaml.CSafeLoader)
        return yaml.load(text, Loader=_GuardedLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise RecordError(name, where, f"YAML syntax error: {problem}") from exc
    except RecursionError as exc:
        raise RecordError(name, "(document)", f"nesting deeper than {MAX_DEPTH} levels") from exc


def _model_at(model: type[pydantic.BaseModel], loc: tuple[int | str, ...]) -> type[pydantic.BaseModel] | None:
    """The record class found by following a pydantic error location through the models."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, pydantic.BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return current
        current = _unwrap(info.annotation)
    return current if isinstance(current, type) and issubclass(current, pydantic.BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """The record class inside list[...] / X | None, if there is one."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for arg in args:
            inner = _unwrap(arg)
            if isinstance(inner, type) and issubclass(inner, pydantic.BaseModel):
                return inner
    return annotation


def field_path(loc: tuple[int | str, ...], data: Any) -> str:
    """`groups[0](hong-2016-case).events[2].term` from a pydantic location."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            label = f"[{part}]"
            if isinstance(node, list) and 0 <= part < len(node):
                node = node[part]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    label += f"({node['id']})"
            out += label
        else:
            out += f".{part}" if out else part
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(document)"


def _describe(error: Any, data: Any) -> tuple[str, str]:
    loc = tuple(error["loc"])
    path = field_path(loc, data)
    kind = error["type"]
    if kind == "extra_forbidden":
        model = _model_at(SourceRecord, loc[:-1])
        valid = ", ".join(model.model_fields) if model else "see the JSON schema"
        name = str(loc[-1])
        close = difflib.get_close_matches(name, list(model.model_fields) if model else [], n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return path, f"unknown field '{name}'{hint}; valid fields here: {valid}"
    if kind == "missing":
        return path, "is required but missing"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        if "a-z0-9" in pattern:
            return path, f"{error['input']!r} is not a valid id: use lower-case letters, digits and single hyphens"
        return path, f"{error['input']!r} does not match the expected form {pattern}"
    given = error.get("input")
    shown = repr(given) if not isinstance(given, dict | list) else type(given).__name__
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return path, f"{error['msg']} (got {shown})"


def parse_record(path: Path, data: Any) -> SourceRecord:
    name = str(path)
    if not isinstance(data, dict):
        raise RecordError(name, "(document)", "must be a mapping of fields (id, label, citation, ...)")
    placeholder = unfilled(data)
    if placeholder:
        raise RecordError(
            name, placeholder, f"still holds the template's {FILL_IN} placeholder: fill it in or delete it"
        )
    try:
        record = SourceRecord.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = [RecordError(name, *_describe(e, data)) for e in exc.errors()]
        if len(errors) == 1:
            raise errors[0] from None
        raise RecordErrors(errors) from None
    if record.id != path.stem:
        raise RecordError(
            name, "id", f"is '{record.id}' but the file is named '{path.name}': name the file '{record.id}.yaml'"
        )
    return record


def load_file(path: Path) -> SourceRecord:
    return parse_record(path, read_yaml(path))


def record_paths(data_dir: Path) -> list[Path]:
    """The record files of a data directory, sorted."""
    if not data_dir.is_dir():
        raise RecordError(str(data_dir), "(directory)", "does not exist: pass the folder holding the *.yaml records")
    return [p for p in sorted(data_dir.glob("*.y*ml")) if p.suffix in (".yaml", ".yml")]


def unfilled(data: Any, path: str = "") -> str | None:
    """The field path of the first FILL-IN placeholder left in a parsed record, if any."""
    if isinstance(data, str):
        return path or "(document)" if FILL_IN in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            found = unfilled(value, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(data, list):
        for i, value in enumerate(data):
            found = unfilled(value, f"{path}[{i}]")
            if found:
                return found
    return None
