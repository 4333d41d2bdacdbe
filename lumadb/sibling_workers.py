"""Requests that belong to another worker process (`--workers N`), passed on to it.

A libSQL stream lives in the worker that opened it (its SQLite connection, perhaps inside a
transaction), but a client may send the stream's next request over any of its connections, and
the kernel hands each connection to any worker: @libsql/client's `fetch` keeps several open.
So every worker also listens on a Unix socket of its own, and a worker that receives a baton
naming another worker's stream passes the whole request there and answers with that worker's
response. Only such requests take the detour.

The socket is named after the worker's pid, the server's secret and its data directory (so that
two servers on one machine never meet): in Linux's abstract namespace (no file to clean up, no
path length limit), elsewhere a file in the data directory. The frames are a length-prefixed JSON head (method,
path, query, headers; or status, content type, headers) and a length-prefixed body; a response
whose body comes as it is made (a cursor's: `Response.more`) follows with length-prefixed
chunks, the last of length 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import sys
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from lumadb.http import Request, Response

log = logging.getLogger("lumadb")

Respond = Callable[..., Awaitable[Response | None]]
# the body passed on is the one the handler saw (a gzip body already decoded), framed by length
_NOT_FORWARDED = frozenset((b"content-encoding", b"content-length"))


class SiblingWorkers:
    def __init__(self, secret: bytes, data_dir: str) -> None:
        tag = hashlib.sha256(b"lumadb-workers\0" + secret + data_dir.encode()).hexdigest()[:16]
        if sys.platform == "linux":
            self._address = lambda pid: f"\0lumadb-{tag}-{pid}"
        else:
            folder = Path(data_dir) / ".workers"
            self._address = lambda pid: str(folder / f"{tag}-{pid}.sock")
        self._server: asyncio.AbstractServer | None = None
        self._path: str | None = None

    async def start(self, respond: Respond) -> None:
        """Serve the requests other workers pass to this one with `respond` (LumaApp.respond)."""
        path = self._address(os.getpid())
        if not path.startswith("\0"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)  # left by a worker of the same pid that died
        self._path = path

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                head, body = await _read_frame(reader)
                raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in head["h"]]
                headers = {name: value for name, value in head["h"]}
                client = tuple(head["c"]) if head["c"] else None
                response = await respond(head["m"], head["p"], head["q"].encode("latin-1"), headers, raw, body, client)
                if response is None:
                    response = Response(404, b'{"error":"not found"}', b"application/json", [])
                content_type = response.content_type.decode("latin-1") if response.content_type is not None else None
                out_headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in response.headers]
                more = response.more
                _write_frame(writer, {"s": response.status, "t": content_type, "h": out_headers, "more": more is not None},
                             response.body)
                await writer.drain()
                if more is not None:
                    try:
                        async for chunk in more:
                            writer.write(len(chunk).to_bytes(4, "big") + chunk if chunk else b"")
                            await writer.drain()
                        writer.write(_LAST_CHUNK)
                        await writer.drain()
                    finally:
                        await more.aclose()
            except (asyncio.IncompleteReadError, ConnectionError):
                pass  # the passing worker went away: nobody to answer
            finally:
                writer.close()

        self._server = await asyncio.start_unix_server(serve, path=path)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self._path is not None and not self._path.startswith("\0"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._path)

    async def forward(self, pid: int, request: Request) -> Response | None:
        """The response of worker `pid` to `request`; None when there is no such worker (it
        stopped, or the pid never was one of this server's)."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            # connected first: uvloop's create_unix_connection refuses an abstract address
            await asyncio.get_running_loop().sock_connect(sock, self._address(pid))
            reader, writer = await asyncio.open_unix_connection(sock=sock)
        except (FileNotFoundError, ConnectionError):
            sock.close()
            return None
        try:
            headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in request.raw_headers if n not in _NOT_FORWARDED]
            head = {"m": request.method, "p": request.path, "q": request.query_string.decode("latin-1"), "h": headers,
                    "c": list(request.client) if request.client else None}
            _write_frame(writer, head, request.body)
            await writer.drain()
            answer, body = await _read_frame(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            log.warning("worker %d stopped while answering a request passed to it", pid)
            writer.close()
            return None
        content_type = answer["t"].encode("latin-1") if answer["t"] is not None else None
        out = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in answer["h"]]
        if not answer.get("more"):
            writer.close()
            return Response(answer["s"], body, content_type, out)
        return Response(answer["s"], body, content_type, out, more=_chunks(reader, writer))


_LAST_CHUNK = b"\0\0\0\0"


async def _chunks(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> AsyncGenerator[bytes, None]:
    """The rest of a body the other worker sends as it is made (a worker gone midway cuts it
    short: IncompleteReadError)."""
    try:
        while size := int.from_bytes(await reader.readexactly(4), "big"):
            yield await reader.readexactly(size)
    finally:
        writer.close()


def _write_frame(writer: asyncio.StreamWriter, head: dict[str, Any], body: bytes) -> None:
    encoded = orjson.dumps(head)
    writer.write(len(encoded).to_bytes(4, "big") + encoded + len(body).to_bytes(4, "big") + body)


async def _read_frame(reader: asyncio.StreamReader) -> tuple[dict[str, Any], bytes]:
    size = int.from_bytes(await reader.readexactly(4), "big")
    head = orjson.loads(await reader.readexactly(size))
    size = int.from_bytes(await reader.readexactly(4), "big")
    return head, await reader.readexactly(size)
