"""sqld's admin API on LumaDB's single port: `POST /v1/namespaces/:ns/create` and
`DELETE /v1/namespaces/:ns` (also under /turso). With JWT auth configured they need a token
that may write to that database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from lumadb.http import Request, Response
from lumadb.libsql.errors import CORS_HEADERS, HranaError

if TYPE_CHECKING:
    from lumadb.libsql.frontend import LibsqlFrontEnd


def _authorize(front: LibsqlFrontEnd, request: Request, name: str) -> None:
    grant = front.auth.authenticate(request.headers)
    if front.auth.enabled and not grant.access_for(name).can_write:
        raise HranaError.forbidden(name)


async def handle_create(front: LibsqlFrontEnd, request: Request, name: str) -> Response:
    _authorize(front, request, name)
    if request.body.strip():
        try:
            options = orjson.loads(request.body)
        except orjson.JSONDecodeError as exc:
            raise HranaError.legacy(f"Failed to parse the request body as JSON: {exc}") from None
        if not isinstance(options, dict):
            raise HranaError.legacy("Failed to deserialize the JSON body into the target type: expected a map", 422)
        if options.get("dump_url"):
            raise HranaError.legacy("Creating a namespace from `dump_url` is not supported by LumaDB", 501)
    await front.namespaces.create(name)
    return Response(200, b"", None, list(CORS_HEADERS))


async def handle_delete(front: LibsqlFrontEnd, request: Request, name: str) -> Response:
    _authorize(front, request, name)
    db = front.namespaces.opened(name)
    if db is not None:
        await front.streams.close_where(lambda stream: stream.db is db)
    await front.namespaces.delete(name)
    return Response(200, b"", None, list(CORS_HEADERS))
