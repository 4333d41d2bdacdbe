"""The libSQL front end: which requests are Hrana's, and the handlers that serve them.

Routes live under `/turso` and, because @libsql/client and libsql-client resolve
`v2/pipeline` relative to the URL (dropping a last path segment without a trailing slash),
also at the root: `/v1/execute`, `/v1/batch`, `/v2`, `/v2/pipeline`, `/v3`, `/v3/pipeline`,
`/v3/cursor`, `/dump` (GET, without `X-LumaDB-Database`), sqld's admin
`/v1/namespaces/...`, and the legacy `POST /` without `X-Amz-Target`; a `GET /` (or `/turso`)
asking for a WebSocket is Hrana over WebSocket (ws_session.py). Protobuf is not served:
`/v3-protobuf` answers 404 so that hrana-client falls back to JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from lumadb import __version__
from lumadb.http import Handler, Request, Response
from lumadb.libsql import admin, cursor, dump, legacy, pipeline, v1, ws_session
from lumadb.libsql.auth import Authenticator
from lumadb.libsql.errors import CORS_HEADERS, HranaError
from lumadb.libsql.namespaces import Namespaces
from lumadb.libsql.stmt import Access
from lumadb.libsql.streams import StreamElsewhere, StreamRegistry
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import SQLITE_VERSION
from lumadb.websocket import Upgrade

if TYPE_CHECKING:
    from lumadb.server import Server

PREFIX = "/turso"
_WEBSOCKET_PATHS = frozenset(("/", PREFIX, PREFIX + "/"))
HELLO_V2 = "Hello, this is HTTP API v2 (Hrana over HTTP)"
PREFLIGHT_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"*"),
    (b"access-control-allow-headers", b"*"),
    (b"access-control-max-age", b"86400"),
]


@dataclass(frozen=True, slots=True)
class Context:
    """A request's database and what its credentials allow there."""

    db: Database
    access: Access


def _text(text: str) -> Handler:
    async def serve(_: Request) -> Response:
        return Response(200, text.encode(), b"text/plain", list(CORS_HEADERS))

    return serve


async def _empty(status: int, _: Request) -> Response:
    return Response(status, b"", None, list(CORS_HEADERS))


async def _preflight(_: Request) -> Response:
    return Response(200, b"", None, list(PREFLIGHT_HEADERS))


# Named handlers for the operationIds of specs/libsql.yaml.
hello_v1 = _text("This is sqld HTTP API v1")
hello_v2 = _text(HELLO_V2)
hello_v3 = _text(HELLO_V2)  # sqld answers the v3 probe with the v2 text
version = _text(f"lumadb {__version__} (sqlite {SQLITE_VERSION})")
health = partial(_empty, 200)
websocket_upgrade = partial(_empty, 404)  # a GET without `Upgrade: websocket` (ws_session.py serves one with)


def _method_not_allowed(methods: dict[str, Handler]) -> Handler:
    # sqld's router lists a route's methods in its own order, HEAD wherever GET is: "POST,GET,HEAD"
    allowed = ",".join(m for method in methods for m in ((method, "HEAD") if method == "GET" else (method,)))

    async def serve(_: Request) -> Response:
        return Response(405, b"", None, [*CORS_HEADERS, (b"allow", allowed.encode())])

    return serve


class LibsqlFrontEnd:
    name = "libsql"

    def __init__(self) -> None:
        self.server: Server | None = None
        self.streams: StreamRegistry
        self.auth: Authenticator
        self.namespaces: Namespaces
        self.not_found: Handler = partial(_empty, 404)
        # path (after the optional /turso prefix) -> method -> handler
        self.routes: dict[str, dict[str, Handler]] = {
            "/v1": {"GET": hello_v1},
            "/v1/execute": {"POST": partial(v1.handle_execute, self)},
            "/v1/batch": {"POST": partial(v1.handle_batch, self)},
            "/v2": {"GET": hello_v2},
            "/v3": {"GET": hello_v3},
            "/v2/pipeline": {"POST": partial(pipeline.handle_pipeline_v2, self)},
            "/v3/pipeline": {"POST": partial(pipeline.handle_pipeline_v3, self)},
            "/v3/cursor": {"POST": partial(cursor.handle_cursor, self)},
            "/dump": {"GET": partial(dump.handle_dump, self)},
        }
        legacy_route: dict[str, Handler] = {"POST": partial(legacy.handle_legacy, self), "GET": websocket_upgrade}
        self.prefixed_only: dict[str, dict[str, Handler]] = {
            "": legacy_route,
            "/": legacy_route,
            "/health": {"GET": health},
            "/version": {"GET": version},
        }
        self.root_legacy = legacy_route["POST"]

    # -- routing ----------------------------------------------------------------------
    def resolve(self, method: str, path: str, headers: dict[str, str]) -> Handler | None:
        if path.startswith(PREFIX):
            rest = path[len(PREFIX):]
            if rest and rest[0] != "/":
                return None  # /tursoX is not ours
            return self._route(method, rest, headers, prefixed=True)
        if path in self.routes or path.startswith(("/v1/namespaces/", "/v3-protobuf")):
            if path == "/dump" and "x-lumadb-database" in headers:
                return None  # the D1 binding's dump
            return self._route(method, path, headers, prefixed=False)
        if path == "/" and method == "POST" and "x-amz-target" not in headers:
            return self.root_legacy
        if path == "/" and method == "OPTIONS" and "access-control-request-method" in headers:
            return _preflight
        return None

    def _route(self, method: str, path: str, headers: dict[str, str], *, prefixed: bool) -> Handler:
        methods = self.routes.get(path)
        if methods is None and prefixed:
            methods = self.prefixed_only.get(path)
        if methods is None and path.startswith("/v1/namespaces/"):
            methods = self._admin_route(path)
        if methods is None:
            return _preflight if method == "OPTIONS" else self.not_found
        handler = methods.get(method)
        if handler is None and method == "HEAD":
            handler = methods.get("GET")  # as sqld's router serves it: the GET without its body
        if handler is not None:
            return handler
        if method == "OPTIONS":
            return _preflight
        return _method_not_allowed(methods)

    def _admin_route(self, path: str) -> dict[str, Handler] | None:
        parts = path.split("/")  # "", "v1", "namespaces", name, ["create"]
        if len(parts) == 5 and parts[4] == "create" and parts[3]:
            return {"POST": partial(admin.handle_create, self, name=parts[3])}
        if len(parts) == 4 and parts[3]:
            return {"DELETE": partial(admin.handle_delete, self, name=parts[3])}
        return None

    # -- per-request context ---------------------------------------------------------------
    async def context(self, request: Request) -> Context:
        return self.context_now(request.headers)

    def context_now(self, headers: dict[str, str]) -> Context:
        """Authenticate, then find the database (401 before 404, as sqld)."""
        grant = self.auth.authenticate(headers)
        name = self.namespaces.select(headers, grant)
        access = grant.access_for(name)
        return Context(self.namespaces.open(name), access)

    def websocket(self, method: str, path: str, headers: dict[str, str]) -> Upgrade | None:
        """Hrana over WebSocket, where sqld serves it: `GET /` (here `/turso` too)."""
        if method != "GET" or path not in _WEBSOCKET_PATHS:
            return None
        assert self.server is not None
        return ws_session.upgrade(self, headers, self.server.config.max_body_bytes)

    async def pass_on(self, elsewhere: StreamElsewhere, request: Request) -> Response:
        """The answer of the worker process that holds the stream a baton names."""
        siblings = self.server.siblings if self.server is not None else None
        response = await siblings.forward(elsewhere.pid, request) if siblings is not None else None
        if response is None:  # that worker is gone, and its streams with it
            raise HranaError.baton_invalid()
        return response

    # -- FrontEnd protocol ----------------------------------------------------------------
    def too_large(self, limit: int) -> HranaError:
        return HranaError.too_large(limit)

    def internal(self, request_id: str, cause: str = "") -> HranaError:
        return HranaError.internal(request_id, cause)

    async def startup(self, server: Server) -> None:
        self.server = server
        config = server.config
        self.auth = Authenticator(config.libsql_jwt_keys)
        self.streams = StreamRegistry(server.secret, config.libsql_stream_idle_seconds,
                                      siblings=server.siblings is not None)
        self.namespaces = Namespaces(server)

    async def shutdown(self) -> None:
        if self.server is not None:
            await self.streams.close_all()


def create_front_end() -> LibsqlFrontEnd:
    return LibsqlFrontEnd()
