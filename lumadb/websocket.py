"""WebSocket connections taken over from the HTTP protocol (`Upgrade: websocket`).

The `websockets` package's sans-I/O `ServerProtocol` (the one uvicorn uses) checks the handshake,
parses and masks frames, answers pings and runs the closing handshake; this module feeds it the
socket's bytes, writes what it has to send, joins fragmented messages and hands each whole
message to the session of the protocol that accepted the upgrade (Hrana: libsql/ws_session.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from websockets.frames import Frame, Opcode
from websockets.http11 import Request as HandshakeRequest
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.typing import Subprotocol

from lumadb.outbox import Outbox

log = logging.getLogger("lumadb.websocket")

GOING_AWAY = 1001  # the server stops
INVALID_DATA = 1007
CLOSE_TIMEOUT_SECONDS = 10.0  # for the client's answer to our close frame (the websockets default)


class Session(Protocol):
    """What runs over one WebSocket connection."""

    def received(self, message: str | bytes) -> None: ...

    def ended(self) -> None: ...


class Refused(Exception):
    """The handshake is answered 400 with this text (no subprotocol both sides speak)."""


class Upgrade:
    """A protocol's yes to an upgrade request: which of the subprotocols the client offers it
    speaks (`choose` returns one, None to go on without, or raises Refused) and how to start a
    session on the connection."""

    def __init__(
        self,
        start: Callable[[WebSocketConnection, str | None], Session],
        choose: Callable[[Sequence[str]], str | None],
        max_message_bytes: int,
    ) -> None:
        self.start = start
        self.choose = choose
        self.max_message_bytes = max_message_bytes


class WebSocketConnection(asyncio.Protocol):
    """One upgraded connection: `transport.set_protocol` makes this its protocol."""

    def __init__(self, upgrade: Upgrade, server_state: Any) -> None:
        self.protocol = ServerProtocol(
            select_subprotocol=lambda _protocol, offered: self.chosen,  # (decided before: take_over)
            max_size=upgrade.max_message_bytes,
        )
        self.chosen: Subprotocol | None = None
        self.upgrade = upgrade
        self.connections = server_state.connections
        self.transport: asyncio.Transport | None = None
        self.session: Session | None = None
        self.fragments: list[bytes] = []
        self.fragment_text = False
        self.lost = False
        self.outbox = Outbox.of(asyncio.get_event_loop())
        self.flush_due = False
        self.close_timer: asyncio.TimerHandle | None = None

    def take_over(self, transport: asyncio.Transport, path: str, raw_headers: list[tuple[bytes, bytes]],
                  rest: bytes) -> None:
        """Answer the handshake request the HTTP protocol parsed, then read frames from `rest` on."""
        self.transport = transport
        self.connections.add(self)
        transport.set_protocol(self)
        # the request as it came (the sans-I/O protocol reads its handshake from the bytes)
        head = [f"GET {path} HTTP/1.1\r\n".encode("latin-1")]
        head += [name + b": " + value + b"\r\n" for name, value in raw_headers]
        self.protocol.receive_data(b"".join(head) + b"\r\n")
        request = next((e for e in self.protocol.events_received() if isinstance(e, HandshakeRequest)), None)
        offered = [name.strip() for value in request.headers.get_all("Sec-WebSocket-Protocol")
                   for name in value.split(",") if name.strip()] if request is not None else []
        try:
            if request is None:  # headers the HTTP parser took and websockets does not
                raise Refused("Failed to open a WebSocket connection: invalid HTTP request.\n")
            chosen = self.upgrade.choose(offered)
        except Refused as refused:
            response = self.protocol.reject(400, str(refused))
        else:
            self.chosen = Subprotocol(chosen) if chosen is not None else None
            response = self.protocol.accept(request)
        self.protocol.send_response(response)
        if response.status_code == 101:
            self.session = self.upgrade.start(self, self.protocol.subprotocol)
        self._flush()
        if rest and not self.lost:
            self.data_received(rest)

    # -- to the client ----------------------------------------------------------------
    def send(self, message: str | bytes) -> None:
        if self.lost or self.protocol.state is not State.OPEN:
            return
        self.protocol.send_text(message.encode() if isinstance(message, str) else message)  # (bytes: UTF-8 JSON)
        self._flush_soon()

    def _flush_soon(self) -> None:
        """What this loop iteration has to send (answers, pongs) leaves in one write at its end."""
        if not self.flush_due:
            self.flush_due = True
            self.outbox.loop.call_soon(self._due_flush)

    def _due_flush(self) -> None:
        self.flush_due = False
        self._flush()

    def close(self, code: int, reason: str = "") -> None:
        """Start the closing handshake (the session has nothing more to say). A close frame's
        reason holds at most 123 bytes: a longer one is cut."""
        if self.lost or self.protocol.state is not State.OPEN:
            return
        data = reason.encode()
        self.protocol.send_close(code, reason if len(data) <= 123 else data[:123].decode(errors="ignore"))
        self._flush()

    def shutdown(self) -> None:
        """The server stops (uvicorn calls this on every connection)."""
        self.close(GOING_AWAY)
        if self.transport is not None and not self.lost:  # the client's answer, or a second at most
            if self.close_timer is not None:
                self.close_timer.cancel()
            self.close_timer = asyncio.get_running_loop().call_later(1.0, self.transport.close)

    def _flush(self) -> None:
        """Hand what the protocol has to send to the loop's outbox (outbox.py): the messages of
        one loop iteration leave in one write (an execute() is three answers)."""
        if self.transport is None or self.lost:
            return
        chunks = self.protocol.data_to_send()
        data = b"".join(chunks)
        if data:
            self.outbox.send(self.transport, data, False)
        if all(chunks) and self.protocol.state is State.OPEN:
            return  # (the common case: messages only)
        self.outbox.flush()  # what is held goes before an end of the stream
        if not all(chunks) and self.transport.can_write_eof():
            self.transport.write_eof()
        if self.protocol.state is State.CLOSED:
            self.transport.close()
        elif self.protocol.close_expected() and self.close_timer is None:
            # Not at once: a client still sending would get a reset, and a reset can make its
            # kernel drop what it has not read yet (the reason of our close frame among it).
            loop = asyncio.get_running_loop()
            self.close_timer = loop.call_later(CLOSE_TIMEOUT_SECONDS, self.transport.close)

    # -- from the client --------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        self.protocol.receive_data(data)
        self._deliver()

    def eof_received(self) -> bool | None:
        self.protocol.receive_eof()
        self._deliver()
        self._flush()  # now: the transport closes on return
        return None

    def _deliver(self) -> None:
        for frame in self.protocol.events_received():
            if not isinstance(frame, Frame):
                continue  # (a handshake request: only before the upgrade)
            opcode = frame.opcode
            if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
                if frame.fin:
                    self._message(bytes(frame.data), opcode is Opcode.TEXT)
                else:
                    self.fragments = [bytes(frame.data)]
                    self.fragment_text = opcode is Opcode.TEXT
            elif opcode is Opcode.CONT:
                self.fragments.append(bytes(frame.data))
                if frame.fin:
                    data, self.fragments = b"".join(self.fragments), []
                    self._message(data, self.fragment_text)
        self._flush_soon()  # pongs, the answer to a close, a close for a protocol error

    def _message(self, data: bytes, text: bool) -> None:
        if self.session is None or self.lost:
            return
        try:
            message: str | bytes = data.decode() if text else data
        except UnicodeDecodeError:
            self.close(INVALID_DATA, "invalid UTF-8 in a text message")
            return
        try:
            self.session.received(message)
        except Exception:  # a bug in the session: close as a server error rather than hang
            log.exception("websocket message failed")
            self.close(1011)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self.close_timer is not None:
            self.close_timer.cancel()
        self.connections.discard(self)
        session, self.session = self.session, None
        if session is not None:
            session.ended()

    # A client that sends without reading what comes back: stop reading it until its answers
    # have drained, rather than buffer them without bound.
    def pause_writing(self) -> None:
        if self.transport is not None and not self.lost:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None and not self.lost:
            self.transport.resume_reading()
