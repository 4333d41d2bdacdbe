"""Hrana over WebSocket (`ws://host/turso`, the `hrana1`-`hrana3` JSON subprotocols): one
session per connection, streams opened and closed by the client's own ids.

The requests are those of Hrana over HTTP (pipeline.py runs them: the same streams, results
and statement errors); what differs is the envelope. The client says `hello` (with its JWT)
first, then sends `request` messages whose `response_ok` / `response_error` carry its
`request_id`. A stream's requests run in order, the streams of one connection side by side,
so a transaction waiting for a lock on one stream does not hold up the others. Stored SQL
texts belong to the connection; a request sees them as they were when it arrived.

A message that breaks the protocol closes the connection: 1007 when it cannot be read as a
client message, 1003 for a binary frame, 1008 for the rest, with sqld's words as the reason.
Where sqld drops the TCP connection without a close frame (an unknown stream, a request of a
later protocol version, an unknown SQL text id), LumaDB sends 1008 with sqld's logged message,
as the spec asks ("close the WebSocket with an appropriate code").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import orjson

from lumadb import eager
from lumadb.libsql.batch import parse_batch
from lumadb.libsql.cursor import start_cursor
from lumadb.libsql.errors import JSON_PREFIX, HranaError, StmtError, invalid_type, unexpected
from lumadb.libsql.pipeline import (
    StreamRequest,
    handle_stream_request,
    parse_request,
    serde_syntax_error,
)
from lumadb.libsql.stmt import optional_int, required
from lumadb.libsql.streams import Stream
from lumadb.libsql.ws_streams import WsCursor, WsStream
from lumadb.storage.loop_writer import DatabaseClosed
from lumadb.websocket import Refused, Upgrade, WebSocketConnection

if TYPE_CHECKING:
    from lumadb.libsql.frontend import Context, LibsqlFrontEnd

log = logging.getLogger("lumadb.libsql")

SUBPROTOCOLS = {"hrana3": 3, "hrana2": 2, "hrana1": 1}  # the server's order of preference, as sqld's
MAX_SQL_COUNT = 150  # stored SQL texts per connection (sqld's WebSocket limit)
NORMAL, UNSUPPORTED_DATA, INVALID_DATA, POLICY, SERVER_ERROR = 1000, 1003, 1007, 1008, 1011
_STREAM_TYPES = ("execute", "batch", "sequence", "describe", "get_autocommit")
_REQUEST_TYPES = ("`open_stream`, `close_stream`, `execute`, `batch`, `open_cursor`, `close_cursor`, `fetch_cursor`, "
                  "`sequence`, `describe`, `store_sql`, `close_sql`, `get_autocommit`")
_MIN_VERSION = {"sequence": 2, "describe": 2, "store_sql": 2, "close_sql": 2,
                "open_cursor": 3, "close_cursor": 3, "fetch_cursor": 3, "get_autocommit": 3}
_CLOSED = "the database was deleted, or the server is stopping"
# what sqld's hello_error says for each of the Authenticator's refusals
_AUTH_CODES = {"Expected authorization header but none given": "AUTH_HEADER_NOT_FOUND",
               "The JWT is invalid": "AUTH_JWT_INVALID", "The JWT has expired": "AUTH_JWT_EXPIRED"}


def choose_subprotocol(offered: Sequence[str]) -> str | None:
    """sqld's choice: its own order of preference, names compared without case; none offered is
    Hrana 1."""
    names = {name.lower() for name in offered}
    if not names:
        return None
    for name in SUBPROTOCOLS:
        if name in names:
            return name
    raise Refused("Only these WebSocket subprotocols are supported: " + " ".join(SUBPROTOCOLS))


def upgrade(front: LibsqlFrontEnd, headers: dict[str, str], max_message_bytes: int) -> Upgrade:
    def start(conn: WebSocketConnection, subprotocol: str | None) -> HranaSession:
        return HranaSession(front, conn, SUBPROTOCOLS.get(subprotocol or "", 1), headers)

    return Upgrade(start, choose_subprotocol, max_message_bytes)


class _ProtocolViolation(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class HranaSession:
    def __init__(self, front: LibsqlFrontEnd, conn: WebSocketConnection, version: int, headers: dict[str, str]) -> None:
        self.front = front
        self.conn = conn
        self.version = version
        self.headers = headers
        self.context: Context | None = None  # after a successful hello
        self.streams: dict[int, WsStream] = {}
        self.sqls: dict[int, str] = {}
        self.cursors: dict[int, WsCursor] = {}
        self.finished = False
        self.tasks: set[asyncio.Task] = set()

    # -- messages ---------------------------------------------------------------------
    def received(self, message: str | bytes) -> None:
        if self.finished:
            return
        try:
            self._message(message)
        except _ProtocolViolation as violation:
            self._end(violation.code, violation.reason)
        except HranaError as exc:
            self._end(INVALID_DATA if exc.message.startswith(JSON_PREFIX) else POLICY, exc.message)

    def _message(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            raise _ProtocolViolation(UNSUPPORTED_DATA,
                                     "Received a binary WebSocket message, which is not supported in this encoding")
        try:
            msg = orjson.loads(message)
        except orjson.JSONDecodeError as exc:
            raise HranaError.json(serde_syntax_error(str(exc))) from None
        if not isinstance(msg, dict):
            raise invalid_type(msg, "internally tagged enum ClientMsg")
        kind = msg.get("type")
        if kind == "hello":
            self._hello(msg)
        elif kind == "request":
            self._request(msg)
        elif kind is None:
            raise HranaError.json("missing field `type`")
        else:
            raise HranaError.json(f"unknown variant `{kind}`, expected `hello` or `request`")

    def _hello(self, msg: dict) -> None:
        jwt = msg.get("jwt")
        if jwt is not None and not isinstance(jwt, str):
            raise HranaError.json(f"invalid type: {unexpected(jwt)}, expected a string")
        if self.context is not None and self.version < 2:
            raise _ProtocolViolation(POLICY, "Repeated hello message is only supported in protocol version hrana2 "
                                             "and higher")
        try:
            headers = dict(self.headers)
            headers.pop("authorization", None)
            headers.pop("x-authorization", None)
            if jwt is not None:
                headers["authorization"] = "Bearer " + jwt
            context = self.front.context_now(headers)
        except HranaError as exc:
            if exc.status != 401:
                raise
            detail = exc.message.removeprefix("Unauthorized: `").removesuffix("`")
            self.conn.send(orjson.dumps({"type": "hello_error", "error": {
                "message": f"Authentication failed: {detail}", "code": _AUTH_CODES.get(detail, "AUTH_JWT_INVALID")}}))
            raise _ProtocolViolation(NORMAL, "Thank you for using sqld") from None
        self.context = context
        self.conn.send(b'{"type":"hello_ok"}')

    def _request(self, msg: dict) -> None:
        if self.context is None:
            raise _ProtocolViolation(POLICY, "Received a request before hello message")
        request_id = optional_int(msg, "request_id")
        if request_id is None:
            required(msg, "request_id")
            raise HranaError.json("invalid type: null, expected i32")
        request = msg.get("request")
        if not isinstance(request, dict) or "type" not in request:
            raise _ProtocolViolation(POLICY, "Request type not recognized")
        kind = request["type"]
        if not isinstance(kind, str) or (kind not in _STREAM_TYPES and kind not in _SESSION_TYPES):
            raise HranaError.json(f"unknown variant `{kind}`, expected one of {_REQUEST_TYPES}")
        needed = _MIN_VERSION.get(kind, 1)
        if self.version < needed:
            raise HranaError.not_supported(f"The `{kind}` request", needed)
        if kind in _STREAM_TYPES:
            stream_id = self._id(request, "stream_id")
            parsed = parse_request(request)
            ws_stream = self._stream(stream_id)
            sqls = dict(self.sqls) if self.sqls else {}  # as they are now: a close_sql may follow
            self._enqueue(ws_stream, request_id, lambda: self._run(ws_stream, parsed, sqls))
        else:
            _SESSION_TYPES[kind](self, request_id, request)

    # -- requests outside a stream's own statements ---------------------------------------
    def _open_stream(self, request_id: int, request: dict) -> None:
        stream_id = self._id(request, "stream_id")
        if stream_id in self.streams:
            raise _ProtocolViolation(POLICY, f"Stream {stream_id} already exists")
        assert self.context is not None
        self.streams[stream_id] = WsStream(Stream(self.context.db, self.context.access.namespace))
        self._ok(request_id, {"type": "open_stream"})

    def _close_stream(self, request_id: int, request: dict) -> None:
        stream_id = self._id(request, "stream_id")
        ws_stream = self._stream(stream_id)
        del self.streams[stream_id]  # the id may be opened again at once
        if ws_stream.cursor_id is not None:
            self.cursors.pop(ws_stream.cursor_id, None)

        async def close() -> dict:
            await ws_stream.settle()
            await ws_stream.stream.close()
            ws_stream.stream.turn_over()
            return {"type": "close_stream"}

        self._enqueue(ws_stream, request_id, close)

    def _store_sql(self, request_id: int, request: dict) -> None:
        parsed = parse_request(request)
        assert parsed.sql_id is not None and parsed.sql is not None
        if parsed.sql_id in self.sqls:
            raise _ProtocolViolation(POLICY, f"SQL text {parsed.sql_id} already exists")
        if len(self.sqls) >= MAX_SQL_COUNT:
            error = StmtError(f"The server already stores {len(self.sqls)} SQL texts, it cannot store more",
                              "SQL_STORE_TOO_MANY")
            self._error(request_id, error.as_dict())
            return
        self.sqls[parsed.sql_id] = parsed.sql
        self._ok(request_id, {"type": "store_sql"})

    def _close_sql(self, request_id: int, request: dict) -> None:
        parsed = parse_request(request)
        self.sqls.pop(parsed.sql_id, None)  # type: ignore[arg-type]
        self._ok(request_id, {"type": "close_sql"})

    def _open_cursor(self, request_id: int, request: dict) -> None:
        stream_id = self._id(request, "stream_id")
        cursor_id = self._id(request, "cursor_id")
        specs = parse_batch(required(request, "batch"))
        ws_stream = self._stream(stream_id)
        if cursor_id in self.cursors:
            raise _ProtocolViolation(POLICY, f"Cursor {cursor_id} already exists")
        if ws_stream.cursor_id is not None:
            raise _ProtocolViolation(POLICY, f"Stream {stream_id} already has an open cursor")
        cursor = self.cursors[cursor_id] = WsCursor(stream_id, ws_stream)
        ws_stream.cursor_id = cursor_id
        sqls = dict(self.sqls) if self.sqls else {}
        assert self.context is not None
        access = self.context.access

        async def run() -> dict:
            stream = ws_stream.stream
            stream.sqls = sqls
            started = await start_cursor(stream, specs, sqls, self.version, access)
            cursor.lines.extend(started.lines)
            ws_stream.output = started.output
            if started.output is None:
                stream.turn_over()
            return {"type": "open_cursor"}

        self._enqueue(ws_stream, request_id, run)

    def _fetch_cursor(self, request_id: int, request: dict) -> None:
        cursor_id = self._id(request, "cursor_id")
        required(request, "max_count")
        max_count = optional_int(request, "max_count", signed=False)
        cursor = self._cursor(cursor_id)

        self._enqueue(self.streams[cursor.stream_id], request_id, lambda: cursor.fetch(max_count or 0))

    def _close_cursor(self, request_id: int, request: dict) -> None:
        cursor_id = self._id(request, "cursor_id")
        cursor = self._cursor(cursor_id)
        del self.cursors[cursor_id]
        ws_stream = self.streams[cursor.stream_id]
        ws_stream.cursor_id = None

        async def close() -> dict:
            await ws_stream.settle()
            return {"type": "close_cursor"}

        self._enqueue(ws_stream, request_id, close)

    # -- running ----------------------------------------------------------------------
    async def _run(self, ws_stream: WsStream, parsed: StreamRequest, sqls: dict[int, str]) -> dict:
        assert self.context is not None
        await ws_stream.settle()
        stream = ws_stream.stream
        stream.sqls = sqls
        outcome = await handle_stream_request(stream, parsed, self.version, self.context.access)
        stream.turn_over()
        if outcome["type"] == "error":
            raise _RequestFailed(outcome["error"])
        return outcome["response"]

    def _enqueue(self, ws_stream: WsStream, request_id: int, job: Callable[[], Awaitable[dict]]) -> None:
        async def answer() -> None:
            try:
                response = await job()
            except _RequestFailed as failed:
                self._error(request_id, failed.error)
            else:
                self._ok(request_id, response)

        ws_stream.jobs.append(answer)
        if not ws_stream.running:  # run now, up to its first wait (a point read has none)
            ws_stream.running = True
            eager.start(asyncio.get_running_loop(), self._drain(ws_stream), self.tasks)

    async def _drain(self, ws_stream: WsStream) -> None:
        try:
            while ws_stream.jobs and not self.finished:
                job = ws_stream.jobs.popleft()
                try:
                    await job()
                except _ProtocolViolation as violation:
                    self._end(violation.code, violation.reason)
                except HranaError as exc:
                    self._end(POLICY, exc.message)
                except DatabaseClosed:  # deleted while the connection was open, or the server stops
                    log.info("Hrana over WebSocket: %s", _CLOSED)
                    self._end(SERVER_ERROR, _CLOSED)
                except Exception:
                    log.exception("Hrana request over WebSocket failed")
                    self._end(SERVER_ERROR, "Internal server error")
        finally:
            ws_stream.running = False
            if self.finished:
                ws_stream.jobs.clear()
                await ws_stream.settle()
                await ws_stream.stream.close()

    # -- helpers ----------------------------------------------------------------------
    def _id(self, request: dict, field: str) -> int:
        value = optional_int(request, field)
        if value is None:
            required(request, field)
            raise HranaError.json("invalid type: null, expected i32")
        return value

    def _stream(self, stream_id: int) -> WsStream:
        ws_stream = self.streams.get(stream_id)
        if ws_stream is None:
            raise _ProtocolViolation(POLICY, f"Stream {stream_id} not found")
        return ws_stream

    def _cursor(self, cursor_id: int) -> WsCursor:
        cursor = self.cursors.get(cursor_id)
        if cursor is None:
            raise _ProtocolViolation(POLICY, f"Cursor {cursor_id} not found")
        return cursor

    def _ok(self, request_id: int, response: dict) -> None:
        if not self.finished:
            self.conn.send(orjson.dumps({"type": "response_ok", "request_id": request_id, "response": response}))

    def _error(self, request_id: int, error: dict) -> None:
        if not self.finished:
            self.conn.send(orjson.dumps({"type": "response_error", "request_id": request_id, "error": error}))

    def _end(self, code: int, reason: str) -> None:
        """Close the connection; the streams are closed (transactions rolled back) as it goes."""
        if self.finished:
            return
        self.conn.close(code, reason)
        self.ended()

    def ended(self) -> None:
        if self.finished:
            return
        self.finished = True
        for ws_stream in self.streams.values():
            if not ws_stream.running:  # (a running one closes its stream when its job returns)
                task = asyncio.get_running_loop().create_task(_close(ws_stream))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
        self.streams.clear()
        self.cursors.clear()


async def _close(ws_stream: WsStream) -> None:
    await ws_stream.settle()
    await ws_stream.stream.close()


class _RequestFailed(Exception):
    def __init__(self, error: dict) -> None:
        super().__init__(error.get("message"))
        self.error = error


_SESSION_TYPES: dict[str, Callable[[HranaSession, int, dict], None]] = {
    "open_stream": HranaSession._open_stream,
    "close_stream": HranaSession._close_stream,
    "store_sql": HranaSession._store_sql,
    "close_sql": HranaSession._close_sql,
    "open_cursor": HranaSession._open_cursor,
    "fetch_cursor": HranaSession._fetch_cursor,
    "close_cursor": HranaSession._close_cursor,
}
