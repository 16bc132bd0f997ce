"""The graph does not change between builds, so an answer is a function of (build, request): every
answer of the query routes carries an ETag made from both, a request that names it in If-None-Match
gets 304 without running anything, and answers are kept in a cache bounded by bytes.

The server watches the store's CURRENT pointer (`Settings.watch_root`), which `vskg build` replaces
atomically, and serves a new build within a second without a restart (kg.web.backend); as the
build's folder name is part of every ETag, nothing cached or held by a client for the old build
matches the new one, and the answer cache is emptied when the build changes."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

CACHED_PATHS = ("/sparql", "/queries/", "/id/", "/ontology")
CACHE_CONTROL = "public, max-age=300"


@dataclass(frozen=True)
class Cached:
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]  # as ASGI sends them, without the length


def etag(build: str, method: str, url: str, accept: str, body: bytes, content_type: str = "") -> str:
    """The request's answer on this build: everything the answer depends on goes into the tag."""
    parts = "\x1f".join([build, method, url, accept, content_type]).encode()
    digest = hashlib.sha256(parts + b"\x1f" + body).hexdigest()
    return f'"{digest[:32]}"'


def matches(if_none_match: str, tag: str) -> bool:
    """Whether an If-None-Match header names the tag (or is *); weak tags compare equal."""
    names = [n.strip().removeprefix("W/") for n in if_none_match.split(",")]
    return "*" in names or tag in names


class AnswerCache:
    """Least recently used answers, at most `max_bytes` of bodies."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.items: OrderedDict[str, Cached] = OrderedDict()

    def get(self, key: str) -> Cached | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def clear(self) -> None:
        self.items.clear()
        self.size = 0

    def put(self, key: str, value: Cached) -> None:
        if len(value.body) > self.max_bytes or key in self.items:
            return
        self.items[key] = value
        self.size += len(value.body)
        while self.size > self.max_bytes:
            _, dropped = self.items.popitem(last=False)
            self.size -= len(dropped.body)
