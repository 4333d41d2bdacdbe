"""What a WebSocket session keeps for each of its streams (ws_session.py): the requests
waiting for the stream, run one after the other, and its open cursor, whose batch may still be
running on the stream's thread."""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from lumadb.libsql.cursor import CursorOutput
from lumadb.libsql.streams import Stream


class WsStream:
    """A stream and the requests waiting for it, run one after the other."""

    __slots__ = ("cursor_id", "jobs", "output", "running", "stream")

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.jobs: deque[Callable[[], Awaitable[None]]] = deque()
        self.running = False
        self.cursor_id: int | None = None
        self.output: CursorOutput | None = None  # a cursor's batch under way on the stream's thread

    async def settle(self) -> None:
        """Let no cursor's batch run on: stopped where it is, unless it has ended (a request
        for the stream itself, its close or the connection's end comes first, as hrana-client
        never sends one while its cursor is open)."""
        output, self.output = self.output, None
        if output is not None:
            await output.stop()
            self.stream.turn_over()


class WsCursor:
    """An open cursor: its lines not yet fetched, and while its batch runs on the stream's
    thread, the output more come from (cursor.py); that thread waits while the client does
    not fetch."""

    __slots__ = ("lines", "stream_id", "ws_stream")

    def __init__(self, stream_id: int, ws_stream: WsStream) -> None:
        self.stream_id = stream_id
        self.ws_stream = ws_stream
        self.lines: deque[bytes] = deque()

    async def fetch(self, max_count: int) -> dict[str, Any]:
        output = self.ws_stream.output
        while len(self.lines) < max_count and output is not None:
            more = await output.next_lines()
            if more is None:
                await self.ws_stream.settle()
                break
            self.lines.extend(more)
        entries = [orjson.Fragment(self.lines.popleft()) for _ in range(min(max_count, len(self.lines)))]
        return {"type": "fetch_cursor", "entries": entries, "done": self.ws_stream.output is None and not self.lines}
