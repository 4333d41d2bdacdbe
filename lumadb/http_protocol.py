"""LumaDB's HTTP/1.1 connection protocol for uvicorn (`http=` class): httptools parses, the
router's `respond` is called directly (no ASGI message dicts, no per-request middleware) and
each response leaves in one write, with the others of its loop iteration (outbox.py). Measured
on one core: a bare ASGI app on uvicorn's own httptools protocol costs ~30 µs of CPU per
request, this protocol ~12 µs.

uvicorn still runs the process: sockets, workers, lifespan, signals, graceful shutdown (it
calls `shutdown()` on every connection in `server_state.connections` and waits for
`server_state.tasks`). Requests on one connection are answered in order (pipelining). A
handler runs eagerly: synchronously until its first real suspension; one waiting for a future
(a write waiting for its commit) is resumed by the future's callback, anything else in a Task,
so most requests cost no Task at all. Shutdown still waits for them: their connection stays
busy, and uvicorn waits for busy connections to close. A request to upgrade to a WebSocket
that a protocol serves (libSQL's Hrana) hands the socket to `lumadb/websocket.py`.
"""

from __future__ import annotations

import asyncio
import http
import logging
import urllib.parse
from collections import deque
from collections.abc import AsyncGenerator, Coroutine
from typing import TYPE_CHECKING, Any

import httptools

from lumadb.eager import Resumed
from lumadb.http import Response
from lumadb.http_asgi import run_asgi
from lumadb.idle_poll import IdlePoll
from lumadb.outbox import Outbox
from lumadb.websocket import WebSocketConnection

if TYPE_CHECKING:
    from lumadb.app import LumaApp

log = logging.getLogger("lumadb.http")


def _status_line(code: int) -> bytes:
    try:
        phrase = http.HTTPStatus(code).phrase
    except ValueError:
        phrase = ""
    return f"HTTP/1.1 {code} {phrase}\r\n".encode()


STATUS_LINES = {code: _status_line(code) for code in range(100, 600)}
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
MAX_QUEUED = 16  # pipelined requests buffered before reading pauses


def find_luma_app(app: Any) -> LumaApp:
    """The LumaApp inside whatever middleware uvicorn wrapped around it."""
    from lumadb.app import LumaApp

    for _ in range(8):
        if isinstance(app, LumaApp):
            return app
        app = getattr(app, "app", None)
    raise RuntimeError("lumadb.http_protocol serves only the LumaDB application")


class _Incoming:
    """One request: parsed so far, then complete and waiting for its answer."""

    __slots__ = ("body", "body_size", "client", "headers", "keep_alive", "method", "raw_headers", "too_large", "url")

    def __init__(self, client: Any) -> None:
        self.url = b""
        self.headers: dict[str, str] = {}
        self.raw_headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.body_size = 0
        self.too_large = False
        self.keep_alive = True
        self.method = "GET"
        self.client = client


class LumaHttpProtocol(asyncio.Protocol):
    def __init__(self, config: Any, server_state: Any, app_state: Any = None, _loop: Any = None) -> None:
        if not config.loaded:
            config.load()
        self.config = config
        self.app = find_luma_app(config.loaded_app)
        self.asgi = config.loaded_app
        self.limit = self.app.limit
        self.loop = _loop or asyncio.get_event_loop()
        self.server_state = server_state
        self.connections = server_state.connections
        self.tasks = server_state.tasks
        self.keep_alive_timeout = float(config.timeout_keep_alive)
        self.parser = httptools.HttpRequestParser(self)
        try:  # answer the first of pipelined requests sent after `Connection: close`
            self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
        except AttributeError:  # pragma: no cover - httptools < 0.6.3
            pass
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.client: Any = None
        self.incoming: _Incoming | None = None
        self.upgrading: _Incoming | None = None  # a request asking to switch protocols
        self.queue: deque[_Incoming] = deque()
        self.busy = False  # a request is being answered
        # the handler waiting for a future (see _wait): held here, for nothing else may hold it
        # (a StreamReader's waiter is only weakly reachable from its transport)
        self.waiting: Coroutine[Any, Any, Response | None] | None = None
        self.closing = False  # close once the queued requests are answered
        self.lost = False
        self.reading_paused = False
        self.writing_paused = False
        self.drained: asyncio.Future | None = None  # resolved when writing may go on (a streamed body)
        self.idle_since = 0.0
        self.timer: asyncio.TimerHandle | None = None
        self._headers_source: Any = None
        self._default_headers = b""
        self.idle_poll = IdlePoll.of(self.loop, self.app.server.config.idle_poll_us)
        self.outbox = Outbox.of(self.loop)  # this iteration's responses leave together

    # -- connection ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.connections.add(self)
        self.transport = transport  # type: ignore[assignment]
        self.client = transport.get_extra_info("peername")
        self.idle_since = self.loop.time()
        if self.keep_alive_timeout > 0:
            self.timer = self.loop.call_later(self.keep_alive_timeout, self._check_idle)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        self.lost = True
        self.queue.clear()
        drained, self.drained = self.drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def eof_received(self) -> bool | None:
        self.outbox.flush()  # held answers first: the transport closes on return
        return None  # close our side too, once the queued answers are written

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        drained, self.drained = self.drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)
        if not self.busy and self.queue:
            self._next()

    def shutdown(self) -> None:
        """Graceful shutdown: close now if idle, else after the requests under way."""
        self.closing = True
        if not self.busy and not self.queue and self.incoming is None:
            self.outbox.flush()
            self.transport.close()

    def _check_idle(self) -> None:
        # One timer per connection, re-armed lazily: no timer churn per request.
        self.timer = None
        if self.lost:
            return
        if self.busy or self.queue or self.incoming is not None:
            wait = self.keep_alive_timeout
        else:
            wait = self.idle_since + self.keep_alive_timeout - self.loop.time()
            if wait <= 0:
                self.transport.close()
                return
        self.timer = self.loop.call_later(wait, self._check_idle)

    def data_received(self, data: bytes) -> None:
        self.idle_poll.received()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            incoming, self.upgrading = self.upgrading, None
            if incoming is not None and self._take_over(incoming, data[upgrade.args[0]:]):
                return
            # Other upgrades (h2c, a WebSocket nobody serves): answered as plain HTTP, then closed.
            self.closing = True
            incoming = incoming or self.incoming
            if incoming is not None:
                self._complete(incoming)
        except httptools.HttpParserError:
            self._bad_request()

    def _bad_request(self) -> None:
        if self.lost:
            return
        body = b"Invalid HTTP request received."
        self.outbox.flush()  # answers to the requests before it go first
        self.transport.write(
            STATUS_LINES[400] + b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        self.transport.close()
        self.lost = True

    # -- parser callbacks ------------------------------------------------------------
    def on_message_begin(self) -> None:
        self.incoming = _Incoming(self.client)

    def on_url(self, url: bytes) -> None:
        self.incoming.url += url  # type: ignore[union-attr]

    def on_header(self, name: bytes, value: bytes) -> None:
        incoming = self.incoming
        name = name.lower()
        incoming.raw_headers.append((name, value))  # type: ignore[union-attr]
        incoming.headers[name.decode("latin-1")] = value.decode("latin-1")  # type: ignore[union-attr]

    def on_headers_complete(self) -> None:
        incoming: _Incoming = self.incoming  # type: ignore[assignment]
        incoming.method = self.parser.get_method().decode("ascii")
        declared = incoming.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            incoming.too_large = True
        elif incoming.headers.get("expect", "").lower() == "100-continue" and not self.lost:
            self.outbox.flush()
            self.transport.write(CONTINUE)

    def on_body(self, body: bytes) -> None:
        incoming: _Incoming = self.incoming  # type: ignore[assignment]
        if incoming.too_large:
            return
        incoming.body_size += len(body)
        if incoming.body_size > self.limit:
            incoming.too_large = True
            incoming.body = []
        else:
            incoming.body.append(body)

    def on_message_complete(self) -> None:
        incoming: _Incoming = self.incoming  # type: ignore[assignment]
        incoming.keep_alive = self.parser.should_keep_alive()
        if self.parser.should_upgrade():  # HttpParserUpgrade follows: decided there
            self.incoming = None
            self.upgrading = incoming
            return
        self._complete(incoming)

    def _take_over(self, incoming: _Incoming, rest: bytes) -> bool:
        """Hand the connection to a WebSocket session, if a protocol serves one at this path and
        nothing before this request is still to be answered."""
        if self.busy or self.queue or self.lost or incoming.headers.get("upgrade", "").lower() != "websocket":
            return False
        path = httptools.parse_url(incoming.url).path.decode("latin-1")
        upgrade = self.app.websocket(incoming.method, path, incoming.headers)
        if upgrade is None:
            return False
        self.outbox.flush()
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.connections.discard(self)
        self.lost = True  # this protocol is done with the transport
        WebSocketConnection(upgrade, self.server_state).take_over(
            self.transport, incoming.url.decode("latin-1"), incoming.raw_headers, rest
        )
        return True

    def _complete(self, incoming: _Incoming) -> None:
        self.incoming = None
        self.queue.append(incoming)
        if not self.busy:
            self._next()
        elif len(self.queue) > MAX_QUEUED and not self.reading_paused:
            self.reading_paused = True
            self.transport.pause_reading()

    # -- answering -------------------------------------------------------------------
    def _next(self) -> None:
        """Answer queued requests in order until one has to wait (`_wait` resumes it)."""
        while self.queue and not self.lost and not self.writing_paused:
            incoming = self.queue.popleft()
            self.busy = True
            coro = self._answer(incoming)
            try:
                step = coro.send(None)
            except StopIteration as done:
                if not self._write(incoming, done.value):
                    return
                continue
            except BaseException:  # a bug in rendering: answer 500 and drop the connection
                log.exception("request failed")
                self._fail()
                return
            self._wait(incoming, coro, step)
            return
        self.busy = False
        if self.reading_paused and not self.lost and len(self.queue) <= MAX_QUEUED // 2:
            self.reading_paused = False
            self.transport.resume_reading()

    def _wait(self, incoming: _Incoming, coro: Coroutine[Any, Any, Response | None], step: Any) -> None:
        """The handler waits for `step`. A future (a write waiting for its group's commit):
        resume the coroutine when it is done, as a Task would, without one (a Task per write
        request cost ~5% of PutItem's CPU: its creation, its registry, its steps). Anything
        else (a bare yield) continues in a Task."""
        self.idle_poll.waiting += 1
        if getattr(step, "_asyncio_future_blocking", False) and step.get_loop() is self.loop:
            step._asyncio_future_blocking = False
            self.waiting = coro
            step.add_done_callback(lambda _: self._step(incoming, coro))
            return
        task = self.loop.create_task(self._resume(incoming, coro, step))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _step(self, incoming: _Incoming, coro: Coroutine[Any, Any, Response | None]) -> None:
        self.idle_poll.waiting -= 1
        self.waiting = None
        try:
            step = coro.send(None)  # the awaited future's result, or its exception, goes in
        except StopIteration as done:
            if self._write(incoming, done.value):
                self._next()
            return
        except BaseException:
            log.exception("request failed")
            self._fail()
            return
        self._wait(incoming, coro, step)

    async def _resume(self, incoming: _Incoming, coro: Coroutine[Any, Any, Response | None], step: Any) -> None:
        try:
            response = await Resumed(coro, step)
        except BaseException:
            log.exception("request failed")
            self._fail()
            return
        finally:
            self.idle_poll.waiting -= 1
        if self._write(incoming, response):
            self._next()

    async def _answer(self, incoming: _Incoming) -> Response | None:
        parsed = httptools.parse_url(incoming.url)
        path = parsed.path.decode("latin-1")
        if "%" in path:
            path = urllib.parse.unquote(path)
        body = None if incoming.too_large else (incoming.body[0] if len(incoming.body) == 1 else b"".join(incoming.body))
        response = await self.app.respond(
            incoming.method, path, parsed.query or b"", incoming.headers, incoming.raw_headers, body, incoming.client
        )
        if response is None:  # a spec UI page: served by Connexion through ASGI
            response = await run_asgi(self.asgi, incoming.method, incoming.url, path, parsed.query or b"",
                                      incoming.raw_headers, incoming.client, self.transport.get_extra_info("sockname"),
                                      body or b"")
        return response

    def _write(self, incoming: _Incoming, response: Response | None) -> bool:
        """Send one response; False when the connection is finished."""
        self.server_state.total_requests += 1
        if self.lost:
            return False
        assert response is not None
        source = self.server_state.default_headers
        if source is not self._headers_source:  # uvicorn refreshes the date header every second
            self._headers_source = source
            self._default_headers = b"".join(name + b": " + value + b"\r\n" for name, value in source)
        body = response.body
        parts = [STATUS_LINES[response.status], self._default_headers]
        for name, value in response.headers:
            parts += (name, b": ", value, b"\r\n")
        if response.content_type is not None:
            parts += (b"content-type: ", response.content_type, b"\r\n")
        keep_alive = incoming.keep_alive and not self.closing
        if response.more is not None:
            return self._write_streamed(incoming, response, parts, keep_alive)
        parts.append(b"content-length: %d\r\n\r\n" % len(body) if keep_alive else
                     b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body))
        if incoming.method != "HEAD":
            parts.append(body)
        self.outbox.send(self.transport, b"".join(parts), not keep_alive)
        if not keep_alive:
            self.lost = True
            self.busy = False
            return False
        self.idle_since = self.loop.time()
        self.idle_poll.answered()
        return True

    def _write_streamed(self, incoming: _Incoming, response: Response, parts: list[bytes], keep_alive: bool) -> bool:
        """Send the head and `body` now, the rest chunked as it comes, in a task; the requests
        queued behind wait for it. False: the connection is finished or busy until then."""
        assert response.more is not None
        parts.append(b"transfer-encoding: chunked\r\n\r\n" if keep_alive else
                     b"transfer-encoding: chunked\r\nconnection: close\r\n\r\n")
        if response.body:
            parts.append(b"%x\r\n%b\r\n" % (len(response.body), response.body))
        self.outbox.flush()
        self.transport.write(b"".join(parts))
        task = self.loop.create_task(self._stream(response.more, keep_alive))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return False

    async def _stream(self, more: AsyncGenerator[bytes, None], keep_alive: bool) -> None:
        try:
            async for chunk in more:
                if self.lost:
                    break
                if chunk:
                    self.transport.write(b"%x\r\n%b\r\n" % (len(chunk), chunk))
                if self.writing_paused and not self.lost:
                    self.drained = self.loop.create_future()
                    await self.drained
        except BaseException:
            log.exception("request failed")
            self.lost = True  # a body cut short: the client sees no last chunk
            self.transport.close()
            return
        finally:
            await more.aclose()
        if self.lost:
            return
        self.transport.write(b"0\r\n\r\n")
        if not keep_alive:
            self.lost = True
            self.busy = False
            self.transport.close()
            return
        self.idle_since = self.loop.time()
        self._next()

    def _fail(self) -> None:
        self.busy = False
        if not self.lost:
            self.outbox.flush()
            self.transport.write(
                STATUS_LINES[500] + b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
                b"content-length: 21\r\n\r\nInternal Server Error"
            )
            self.transport.close()
            self.lost = True
