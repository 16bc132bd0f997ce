"""Plain YAML records built straight from libyaml's event stream.

PyYAML's libyaml loader parses in C but composes a node tree and constructs every value in Python,
and the alias check walked the events once more: together three quarters of reading a record. Here
one pass over the events builds the dicts and lists, with PyYAML's own resolver and constructors
for every scalar (cached by text: records repeat their terms). Anything a plain record does not
use - an explicit tag, an anchor, a merge key, a non-scalar key, more than one document, nesting
deeper than the limit - returns None, and the caller loads the text the general way, which gives
PyYAML's exact result or error.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

_STR = "tag:yaml.org,2002:str"
_SCALARS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp"))
_MISSING = object()


class _Unusual(Exception):
    """The text uses something this reader leaves to PyYAML."""


class _Scalars:
    """Plain scalars to Python values, exactly as yaml.safe_load resolves and constructs them."""

    def __init__(self) -> None:
        self.resolver = Resolver()
        self.constructor = SafeConstructor()
        self.cache: dict[str, Any] = {}

    def plain(self, text: str) -> Any:
        value = self.cache.get(text, _MISSING)
        if value is _MISSING:
            tag = self.resolver.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
            if tag not in _SCALARS:
                raise _Unusual(tag)
            node = yaml.ScalarNode(tag, text)
            value = text if tag == _STR else SafeConstructor.yaml_constructors[tag](self.constructor, node)
            if len(self.cache) < 100_000:
                self.cache[text] = value
        return value


_scalars: _Scalars | None = None


def load(text: str, max_depth: int) -> Any:
    """The document as yaml.safe_load gives it, or None for the general path (see the module doc).

    libyaml's syntax errors propagate as they are.
    """
    global _scalars
    if _scalars is None:
        _scalars = _Scalars()
    try:
        return _build(yaml.parse(text, Loader=yaml.CSafeLoader), _scalars, max_depth)
    except _Unusual:
        return None


def _build(events: Any, scalars: _Scalars, max_depth: int) -> Any:
    # a stack of open collections: each a list, or a dict with the key waiting for its value
    stack: list[tuple[Any, Any]] = []
    root: Any = _MISSING
    documents = 0
    for event in events:
        cls = type(event)
        if cls is yaml.ScalarEvent:
            if event.tag is not None or event.anchor is not None:
                raise _Unusual("tag or anchor")
            value = scalars.plain(event.value) if event.implicit[0] else event.value
        elif cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent:
            if event.tag is not None or event.anchor is not None:
                raise _Unusual("tag or anchor")
            if len(stack) >= max_depth:
                raise _Unusual("deep")
            stack.append(({} if cls is yaml.MappingStartEvent else [], _MISSING))
            continue
        elif cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
            value = stack.pop()[0]
        elif cls is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Unusual("second document")
            continue
        elif cls is yaml.StreamStartEvent or cls is yaml.DocumentEndEvent or cls is yaml.StreamEndEvent:
            continue
        else:  # an alias
            raise _Unusual(cls.__name__)
        if not stack:
            root = value
            continue
        container, key = stack[-1]
        if type(container) is list:
            container.append(value)
        elif key is _MISSING:
            if type(value) in (dict, list):
                raise _Unusual("key")
            stack[-1] = (container, value)
        else:
            container[key] = value
            stack[-1] = (container, _MISSING)
    return None if root is _MISSING else root
