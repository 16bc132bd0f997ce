"""The two layers every request meets before routing, written as plain ASGI so that a route pays
only for what it uses: the request limits (a few header sums), and for the query routes alone the
conditional answer cache. Starlette's `BaseHTTPMiddleware` would instead run each request in its
own task group and stream the response through a memory channel, for every route."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.web.backend import error
from kg.web.caching import CACHE_CONTROL, CACHED_PATHS, AnswerCache, Cached, etag, matches
from kg.web.settings import Settings


class RequestLimits:
    """Refuses oversized headers (431), a declared body over the limit (413) and an overlong query
    string (414) before anything else reads the request."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self._refusal(scope)
            if refusal is not None:
                await error(*refusal)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        limits = self.settings
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if sum(len(k) + len(v) for k, v in headers) > limits.max_header_bytes:
            return 431, f"the request headers are larger than {limits.max_header_bytes} bytes"
        declared = next((v for k, v in headers if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limits.max_request_bytes):
            return 413, f"the request body is larger than {limits.max_request_bytes} bytes"
        if len(scope.get("query_string", b"")) > limits.max_request_bytes:
            return 414, f"the query string is longer than {limits.max_request_bytes} characters"
        return None


class Direct:
    """Sends the requests for some paths straight to their own ASGI app, past the framework's
    exception layer, router and request handling; everything else goes on. Added first, so that
    it is the innermost of these layers: the limits, CORS and the answer cache still apply."""

    def __init__(self, app: ASGIApp, routes: dict[str, ASGIApp]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = self.routes.get(_route_path(scope)) if scope["type"] == "http" else None
        await (target or self.app)(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path below the app's mount point, as the router matches it (an app mounted under a
    prefix sees the whole path, the prefix in root_path)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class BodyTooLarge(Exception):
    pass


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body, counted as it arrives: a body that declares no length is refused at
    the limit rather than read whole."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class ConditionalCache:
    """ETag, 304 and the answer cache (kg.web.caching) for GET and POST on the query routes; every
    other request goes straight on."""

    def __init__(self, app: ASGIApp, build: Callable[[], str], cache: AnswerCache, max_body: int) -> None:
        self.app = app
        self.build = build
        self.cache = cache
        self.max_body = max_body
        self.cached_build = build()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cacheable = scope["type"] == "http" and scope["method"] in ("GET", "POST")
        if not cacheable or not _route_path(scope).startswith(CACHED_PATHS):
            await self.app(scope, receive, send)
            return
        try:
            body = await read_body(receive, self.max_body)
        except BodyTooLarge:
            await error(413, f"the request body is larger than {self.max_body} bytes")(scope, receive, send)
            return
        build = self.build()
        if build != self.cached_build:  # a new build is being served: nothing cached holds for it
            self.cache.clear()
            self.cached_build = build
        headers = dict(scope["headers"])
        tag = etag(
            build,
            scope["method"],
            _target(scope),
            headers.get(b"accept", b"").decode("latin-1"),
            body,
            headers.get(b"content-type", b"").decode("latin-1"),
        )
        tag_header = [(b"etag", tag.encode()), (b"cache-control", CACHE_CONTROL.encode())]
        if matches(headers.get(b"if-none-match", b"").decode("latin-1"), tag):
            # a 304 names what its 200 would vary on: every answer here is negotiated on Accept (the
            # CORS layer outside adds Origin to every response)
            vary = (b"vary", b"Accept")
            await send({"type": "http.response.start", "status": 304, "headers": [*tag_header, vary]})
            await send({"type": "http.response.body", "body": b""})
            return
        hit = self.cache.get(tag)
        if hit is not None:
            await _send_whole(send, hit)
            return
        await self.app(scope, _replay(body, receive), _KeepAnswer(send, self.cache, tag, tag_header))


def _target(scope: Scope) -> str:
    """Everything the request's URL is made of (scheme, Host, path, query; the server's address
    where no Host is given): a key for the answer, read from the scope without building the URL."""
    host = next((v for k, v in scope["headers"] if k == b"host"), b"").decode("latin-1")
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}|{scope.get('server')}|{scope['path']}?{query}"


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then whatever the connection says next (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _send_whole(send: Send, answer: Cached) -> None:
    length = (b"content-length", str(len(answer.body)).encode())
    await send({"type": "http.response.start", "status": 200, "headers": [*answer.headers, length]})
    await send({"type": "http.response.body", "body": answer.body})


class _KeepAnswer:
    """Sends a response on, and keeps a 200 answer in the cache with its tag; other statuses pass
    unchanged and are not kept."""

    def __init__(self, send: Send, cache: AnswerCache, tag: str, tag_header: list[tuple[bytes, bytes]]) -> None:
        self.send = send
        self.cache = cache
        self.tag = tag
        self.tag_header = tag_header
        self.headers: list[tuple[bytes, bytes]] | None = None  # set while a 200 answer is being kept
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 200:
            if not self.cache.max_bytes:  # nothing can be kept: the answer goes on with its tag
                await self.send({**message, "headers": [*message.get("headers", []), *self.tag_header]})
                return
            kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
            self.headers = kept + self.tag_header
            return
        if self.headers is None or message["type"] != "http.response.body":
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            answer = Cached(b"".join(self.chunks), tuple(self.headers))
            self.cache.put(self.tag, answer)
            await _send_whole(self.send, answer)
