"""One WebSocket conversation as a conformance step (libSQL's Hrana over WebSocket): the step's
messages are sent in order, the replies read back and recorded as a JSON list, closes as
`{"close": [code, reason]}` (`{"close": null}` when the server drops the connection without a
close frame, as sqld does for some protocol errors).

A step is `websocket: {subprotocols: [...], messages: [...], until_closed: false}` (subprotocols
hrana3 when not given, none when null); a message
`{wait: true}` holds the rest until everything sent so far is answered (a connection's streams
run side by side, so a step that reads what another stream wrote waits for it)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

# A server that drops the connection (sqld, on some errors) makes the client log it; here that
# is an answer, recorded as `{"close": null}`.
_QUIET = logging.getLogger("conformance.websocket")
_QUIET.setLevel(logging.CRITICAL)
UNTIL_CLOSED = 1 << 30  # `expect`: read until the server closes, or is silent for `timeout`
WAIT = {"wait": True}


def _answered(message: Any) -> bool:
    return isinstance(message, dict) and message.get("type") in ("hello", "request")


def exchange(url: str, messages: Sequence[Any], subprotocols: Sequence[str] | None = ("hrana3",),
             expect: int | None = None, timeout: float = 10) -> list[Any]:
    """Send the messages (waiting at each WAIT for the replies so far), then read until `expect`
    messages came back (by default one for each hello and request sent) or the server closed."""
    wanted = expect if expect is not None else sum(1 for m in messages if _answered(m))
    seen: list[Any] = []
    protocols: Any = list(subprotocols) if subprotocols is not None else None
    with connect(url, subprotocols=protocols, open_timeout=timeout, logger=_QUIET) as ws:
        try:
            sent = 0
            for message in messages:
                if message == WAIT:
                    while len(seen) < sent:
                        seen.append(json.loads(ws.recv(timeout)))
                    continue
                ws.send(message if isinstance(message, str | bytes) else json.dumps(message))
                sent += _answered(message)
            while len(seen) < wanted:
                seen.append(json.loads(ws.recv(timeout)))
        except TimeoutError:
            if wanted != UNTIL_CLOSED:
                raise  # (reading until a close that never comes: what came is the answer)
        except ConnectionClosed as closed:
            frame = closed.rcvd
            seen.append({"close": [frame.code, frame.reason] if frame is not None else None})
    return seen


def step_replies(url: str, spec: dict[str, Any], timeout: float = 10) -> tuple[int, bytes]:
    """(status, body) of a `websocket` step: 101 and the replies in a stable order (by request
    id: streams answer side by side), or the refused handshake's status and body."""
    try:
        replies = exchange(url, spec.get("messages") or [], spec.get("subprotocols", ["hrana3"]),
                           UNTIL_CLOSED if spec.get("until_closed") else None, timeout)
    except InvalidStatus as refused:
        return refused.response.status_code, bytes(refused.response.body or b"")
    ordered = sorted(replies, key=lambda r: (2 if "close" in r else 0 if r.get("type", "").startswith("hello") else 1,
                                             r.get("request_id", 0)))
    return 101, json.dumps(ordered).encode()
