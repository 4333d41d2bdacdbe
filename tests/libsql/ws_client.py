"""A raw Hrana-over-WebSocket client for the tests: messages to build, and the conformance
engine's exchange (send them, collect what comes back)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from websockets.sync.client import ClientConnection, connect

from conformance.websocket_exchange import UNTIL_CLOSED, WAIT, exchange

__all__ = ["UNTIL_CLOSED", "WAIT", "by_request", "exchange", "hello", "open_ws", "req", "stmt", "ws_url"]

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


def by_request(replies: list[Any]) -> dict[int, dict]:
    return {r["request_id"]: r for r in replies if isinstance(r, dict) and "request_id" in r}
