"""The request and response objects every protocol handler works with.

The router reads the whole body (bounded by the configured limit) before calling a
handler, so handlers are plain `async def handler(request) -> Response` functions.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson

if TYPE_CHECKING:
    from lumadb.server import Server


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query_string: bytes
    headers: dict[str, str]  # lower-case names; the last value wins
    body: bytes
    server: Server
    request_id: str
    client: tuple[str, int] | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    raw_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    encoded_body: bytes | None = None  # the body as sent, when `body` is its decoding (gzip)

    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string.decode("latin-1"), keep_blank_values=True)

    def query_value(self, name: str) -> str | None:
        values = self.query().get(name)
        return values[-1] if values else None

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes = b""
    content_type: bytes | None = b"application/json"
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    # a body too large to hold: sent after `body` as it comes, chunked; closed early when the
    # client goes away (the iterator's `aclose`)
    more: AsyncGenerator[bytes, None] | None = None

    @classmethod
    def json(cls, value: Any, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None) -> Response:
        return cls(status, orjson.dumps(value), b"application/json", headers or [])

    @classmethod
    def text(cls, value: str, status: int = 200, content_type: bytes | None = b"text/plain; charset=utf-8") -> Response:
        return cls(status, value.encode(), content_type, [])


Handler = Callable[[Request], Awaitable[Response]]
