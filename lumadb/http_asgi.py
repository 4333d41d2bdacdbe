"""The rare request LumaDB's router does not answer itself (a spec UI page, served by Connexion)
goes to the ASGI app, its answer buffered into a Response (http_protocol.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from lumadb.http import Response


async def run_asgi(app: Any, method: str, url: bytes, path: str, query: bytes, headers: list[tuple[bytes, bytes]],
                   client: Any, server: Any, body: bytes) -> Response:
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": method, "scheme": "http", "path": path, "raw_path": url.split(b"?", 1)[0],
        "query_string": query, "root_path": "", "headers": headers, "client": client,
        "server": server, "state": {},
    }
    sent = False
    status = 500
    out_headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, out_headers
        if message["type"] == "http.response.start":
            status = message["status"]
            out_headers = [(n.lower(), v) for n, v in message.get("headers", [])
                           if n.lower() not in (b"content-length", b"transfer-encoding", b"connection")]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    # In a Task of its own: anyio (under Connexion) needs one, and eager handlers have none.
    await asyncio.ensure_future(app(scope, receive, send))
    return Response(status, b"".join(chunks), None, out_headers)
