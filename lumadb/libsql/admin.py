"""sqld's admin API on LumaDB's single port: `POST /v1/namespaces/:ns/create` (empty, or
loaded from a `dump_url`: `dump_load.py`) and `DELETE /v1/namespaces/:ns` (also under /turso).
With JWT auth configured they need a token that may write to that database."""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.http import Request, Response
from lumadb.libsql import dump_load
from lumadb.libsql.errors import CORS_HEADERS, HranaError
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import close_connection

if TYPE_CHECKING:
    from lumadb.libsql.frontend import LibsqlFrontEnd


def _authorize(front: LibsqlFrontEnd, request: Request, name: str) -> None:
    grant = front.auth.authenticate(request.headers)
    if front.auth.enabled and not grant.access_for(name).can_write:
        raise HranaError.forbidden(name)


async def handle_create(front: LibsqlFrontEnd, request: Request, name: str) -> Response:
    _authorize(front, request, name)
    dump_url = None
    if request.body.strip():
        try:
            options = orjson.loads(request.body)
        except orjson.JSONDecodeError as exc:
            raise HranaError.legacy(f"Failed to parse the request body as JSON: {exc}") from None
        if not isinstance(options, dict):
            raise HranaError.legacy("Failed to deserialize the JSON body into the target type: expected a map", 422)
        if options.get("dump_url") is not None:
            dump_url = dump_load.parse_dump_url(options["dump_url"])
    if dump_url is None:
        await front.namespaces.create(name)
    else:
        await _create_from_dump(front, name, dump_url)
    return Response(200, b"", None, list(CORS_HEADERS))


async def _create_from_dump(front: LibsqlFrontEnd, name: str, url: urllib.parse.SplitResult) -> None:
    """sqld's order: fetch the dump, create the database, load it. A failed load leaves no
    database behind (sqld keeps an empty one)."""
    response = await asyncio.to_thread(dump_load.open_dump, url)
    try:
        await front.namespaces.create(name)
        db = front.namespaces.opened(name)
        assert db is not None
        try:
            await asyncio.to_thread(_load, db, response)
        except BaseException:
            await _delete(front, name)
            raise
    finally:
        response.close()


def _load(db: Database, response: Any) -> None:
    conn, clock = db.connect()
    try:
        dump_load.load_dump(conn, response, clock)
    finally:
        close_connection(conn)  # maybe the database's last: its checkpoint lets go of the GIL


async def _delete(front: LibsqlFrontEnd, name: str) -> None:
    db = front.namespaces.opened(name)
    if db is not None:
        await front.streams.close_where(lambda stream: stream.db is db)
    await front.namespaces.delete(name)


async def handle_delete(front: LibsqlFrontEnd, request: Request, name: str) -> Response:
    _authorize(front, request, name)
    await _delete(front, name)
    return Response(200, b"", None, list(CORS_HEADERS))
