"""The ASGI application: one lean router in front of the three protocols.

Hot protocol routes go straight to their handlers (no framework in between: Connexion's
middleware stack costs ~274 µs of CPU per request, a bare ASGI route ~24 µs). Connexion
hosts the three specs for documentation and the spec-level checks; requests no protocol
claims fall through to it.
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import time
import zlib
from typing import Any

import apsw

from lumadb import __version__
from lumadb.config import Config
from lumadb.errors import ProtocolError
from lumadb.http import Request, Response
from lumadb.server import Server
from lumadb.server_routes import server_routes
from lumadb.storage.loop_writer import DatabaseClosed
from lumadb.supervisor import end_with_supervisor
from lumadb.websocket import Upgrade

log = logging.getLogger("lumadb")
_LOCKED = "the database is locked by another process (SQLITE_BUSY past the busy timeout)"
_CLOSED = "the database was deleted (or the server is stopping) while the request ran"
access_log = logging.getLogger("lumadb.requests")

Scope = dict[str, Any]

_request_ids = itertools.count(1)
NOT_FOUND = b'{"error":"not found"}'
_id_prefix = f"{os.getpid():x}"


class BodyTooLarge(Exception):
    pass


async def _read_body(receive: Any, limit: int, declared: int | None) -> bytes:
    if declared is not None and declared > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        if chunk:
            chunks.append(chunk)
        more = message.get("more_body", False)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _gunzip(body: bytes, limit: int) -> bytes:
    """Decompress a `Content-Encoding: gzip` body (the AWS SDKs can send one), bounded: every
    gzip member, each complete (zlib.error otherwise); bytes after the last member are left
    unread, as DynamoDB leaves them (Alternator's test_compressed_request, run against it)."""
    out = b""
    rest = body
    while True:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out += inflater.decompress(rest, limit + 1 - len(out))
        if len(out) > limit:
            raise BodyTooLarge
        if not inflater.eof:
            raise zlib.error("truncated gzip member")
        rest = inflater.unused_data
        if not rest.startswith(b"\x1f\x8b"):
            return out


def _decoded(body: bytes, encoding: str, limit: int) -> bytes:
    """The body a `Content-Encoding` says was sent. One that cannot be decoded (or an encoding
    other than gzip) is answered as a request without a body, so that nothing of it runs:
    DynamoDB writes nothing of it either (it answers 500; LumaDB its protocol's own error)."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip"):
        try:
            return _gunzip(body, limit)
        except zlib.error:
            return b""
    return b""


class LumaApp:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.limit = server.config.max_body_bytes
        self.debug = server.config.debug
        self.routes = server_routes(server)
        self._connexion: Any = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1003})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.server.startup()
                except Exception as exc:
                    log.exception("start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                # Start-up objects (specs, validators, compiled grammars) live as long as the
                # process: keep them out of the collector's full passes (shorter GC pauses).
                gc.collect()
                gc.freeze()
                if self.server.siblings is not None:
                    await self.server.siblings.start(self.respond)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.server.siblings is not None:
                    await self.server.siblings.stop()
                await self.server.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Any, send: Any) -> None:
        """A request arriving through plain ASGI (any ASGI server; `lumadb serve` uses the
        lean protocol in `lumadb.http_protocol`, which calls `respond` directly)."""
        method: str = scope["method"]
        path: str = scope["path"]
        raw_headers = scope["headers"]
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in raw_headers}
        if not self.claims(method, path, headers):
            await self._fallback(scope, receive, send)
            return
        declared = headers.get("content-length")
        body: bytes | None
        try:
            body = await _read_body(receive, self.limit, int(declared) if declared and declared.isdigit() else None)
        except BodyTooLarge:
            body = None
        response = await self.respond(
            method, path, scope.get("query_string", b""), headers, raw_headers, body, scope.get("client")
        )
        if response is None:  # unreachable: claimed requests always get a response
            response = Response(404, NOT_FOUND, b"application/json", [])
        await _send(send, response)

    async def respond(
        self,
        method: str,
        path: str,
        query_string: bytes,
        headers: dict[str, str],
        raw_headers: list[tuple[bytes, bytes]],
        body: bytes | None,
        client: tuple[str, int] | None = None,
    ) -> Response | None:
        """The response to one request whose body has been read (None: over the size limit).
        Header names are lower-case. Never raises: failures become the protocol's errors.
        None: no route claims the request and it names a spec UI page (see `_fallback`)."""
        started = time.perf_counter() if self.debug else 0.0
        request_id = f"{_id_prefix}-{next(_request_ids)}"
        route = self.routes.get((method, path))
        front_end = None
        if route is not None:
            handler = route
        else:
            resolved = self.server.resolve(method, path, headers)
            if resolved is None:
                return None if _is_ui_path(path) else Response(404, NOT_FOUND, b"application/json", [])
            handler, front_end = resolved
        try:
            if body is None:
                raise BodyTooLarge
            encoded = None
            if body and "content-encoding" in headers:
                encoded, body = body, _decoded(body, headers["content-encoding"], self.limit)
            request = Request(
                method, path, query_string, headers, body, self.server, request_id, client, {}, raw_headers, encoded
            )
            response = await handler(request)
        except ProtocolError as exc:
            response = _render(exc)
        except BodyTooLarge:
            response = _render(front_end.too_large(self.limit)) if front_end else Response.text("Payload Too Large", 413)
        except apsw.BusyError:
            # Another program holds the database file's write lock past the busy timeout: the
            # protocol's retryable internal error, which SDKs retry, and one line in the log.
            log.warning("request %s %s %s: %s", request_id, method, path, _LOCKED)
            response = _render(front_end.internal(request_id, _LOCKED)) if front_end else Response.text(_LOCKED, 503)
        except DatabaseClosed:
            # the request found its database just before a DELETE of it (or the server stops)
            log.info("request %s %s %s: %s", request_id, method, path, _CLOSED)
            response = _render(front_end.internal(request_id, _CLOSED)) if front_end else Response.text(_CLOSED, 503)
        except Exception:
            log.exception("request %s %s %s failed", request_id, method, path)
            response = _render(front_end.internal(request_id)) if front_end else Response.text("Internal Server Error", 500)
        if self.debug:
            access_log.debug(
                "%s %s %s %d %.3f ms", request_id, method, path, response.status, (time.perf_counter() - started) * 1000
            )
        return response

    def websocket(self, method: str, path: str, headers: dict[str, str]) -> Upgrade | None:
        """The WebSocket session a protocol serves for this upgrade request, if any."""
        return self.server.websocket(method, path, headers)

    def claims(self, method: str, path: str, headers: dict[str, str]) -> bool:
        """Whether `respond` serves this request (else it goes to the ASGI fallback)."""
        return (method, path) in self.routes or self.server.resolve(method, path, headers) is not None

    async def _fallback(self, scope: Scope, receive: Any, send: Any) -> None:
        """Requests no protocol claims: Connexion's spec UI if asked for, else a plain 404."""
        if _is_ui_path(scope["path"]):
            app = self._connexion_app()
            if app is not None:
                await app(scope, receive, send)
                return
        await _send(send, Response(404, NOT_FOUND, b"application/json", []))

    def _connexion_app(self) -> Any:
        if self._connexion is None:
            from lumadb.specs import build_connexion_app

            self._connexion = build_connexion_app()
        return self._connexion


def _is_ui_path(path: str) -> bool:
    return path.startswith("/docs/")  # Connexion's spec pages, see lumadb/specs.py


def _render(exc: ProtocolError) -> Response:
    return Response(exc.status, exc.body(), exc.content_type(), exc.headers())


async def _send(send: Any, response: Response) -> None:
    headers = list(response.headers)
    if response.content_type is not None:
        headers.append((b"content-type", response.content_type))
    headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


def create_app(config: Config | None = None) -> LumaApp:
    config = config or Config.from_env()
    _configure_logging(config)
    return LumaApp(Server(config))


def create_app_from_env() -> LumaApp:
    """The uvicorn factory: every worker process builds its app from LUMADB_* variables."""
    end_with_supervisor()
    return create_app(Config.from_env())


def _configure_logging(config: Config) -> None:
    level = logging.DEBUG if config.debug else getattr(logging, config.log_level.upper(), logging.INFO)
    root = logging.getLogger("lumadb")
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


__all__ = ["LumaApp", "__version__", "create_app", "create_app_from_env"]
