"""A raw Hrana-over-WebSocket client for the tests: send messages, collect what comes back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

UNTIL_CLOSED = 1 << 30  # `expect`: read until the server closes, or is silent for `timeout`


def ws_url(http_url: str, path: str = "/turso") -> str:
    return "ws" + http_url.removeprefix("http") + path


def hello(jwt: str | None = None) -> dict:
    return {"type": "hello", "jwt": jwt}


def req(request_id: int, kind: str, **fields: Any) -> dict:
    return {"type": "request", "request_id": request_id, "request": {"type": kind, **fields}}


def stmt(sql: str, *args: dict, **fields: Any) -> dict:
    return {"sql": sql, "args": list(args), **fields}


def open_ws(url: str, subprotocols: Sequence[str] | None = ("hrana3",), **kwargs: Any) -> ClientConnection:
    return connect(url, subprotocols=list(subprotocols) if subprotocols is not None else None,  # type: ignore[misc]
                   open_timeout=10, **kwargs)


WAIT = {"wait": True}  # in `exchange`'s messages: every reply so far arrives before the next is sent


def _answered(message: Any) -> bool:
    return isinstance(message, dict) and message.get("type") in ("hello", "request")


def exchange(url: str, messages: Sequence[dict | str | bytes], subprotocols: Sequence[str] | None = ("hrana3",),
             expect: int | None = None, timeout: float = 10) -> list[Any]:
    """Send the messages (waiting at each WAIT for the replies so far), then read until `expect`
    messages came back (by default one for each hello and request sent) or the server closed; a
    close is recorded as {"close": [code, reason]}."""
    wanted = expect if expect is not None else sum(1 for m in messages if _answered(m))
    seen: list[Any] = []
    with open_ws(url, subprotocols) as ws:
        try:
            sent = 0
            for message in messages:
                if message is WAIT:
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


def by_request(replies: list[Any]) -> dict[int, dict]:
    return {r["request_id"]: r for r in replies if isinstance(r, dict) and "request_id" in r}
