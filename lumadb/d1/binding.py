"""The Workers-binding wire protocol: what workerd's `cloudflare-internal:d1-api` binding
sends to its `fetcher` (`POST /query`, `/execute`, `/dump`), answered like D1's backend.

The database comes from the `X-LumaDB-Database` header (a uuid, else a name; an unknown
name is created on first use, as a local D1 does). Every request runs in one transaction;
SQL errors answer HTTP 200 with `{"success": false, "error"}`, which the binding turns into
`D1_ERROR: <error>`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.d1 import catalog as catalog_module
from lumadb.d1 import results, runner
from lumadb.d1.errors import D1BindingError, D1QueryError
from lumadb.d1.values import BadParameter, bind_params, describe_bad
from lumadb.http import Request, Response

if TYPE_CHECKING:
    from lumadb.d1.catalog import D1Handle
    from lumadb.d1.service import D1Service

DATABASE_HEADER = "x-lumadb-database"
TOKEN_HEADER = "x-cf-d1-session-commit-token"
_TOKEN_HEADER_BYTES = TOKEN_HEADER.encode()
FORMATS = ("ARRAY_OF_OBJECTS", "ROWS_AND_COLUMNS", "NONE")


def results_format(query_string: bytes) -> str:
    """`resultsFormat` from the query string; D1 falls back to ARRAY_OF_OBJECTS."""
    if not query_string:
        return "ARRAY_OF_OBJECTS"
    for part in query_string.split(b"&"):
        name, _, value = part.partition(b"=")
        if name == b"resultsFormat":
            text = value.decode("latin-1")
            return text if text in FORMATS else "ARRAY_OF_OBJECTS"
    return "ARRAY_OF_OBJECTS"


def _loads_with_lone_surrogates(body: bytes) -> Any:
    """JSON that orjson refuses only for a lone UTF-16 surrogate escape (`"\\ud800"`), which a
    Worker sends for a string cut inside an emoji: JavaScript's JSON.parse takes it, and
    workerd binds the string as text. Each lone surrogate becomes U+FFFD here (workerd stores
    its three bytes of WTF-8, which read back as three U+FFFD)."""

    def refuse(constant: str) -> Any:  # NaN and Infinity are not JSON to JavaScript either
        raise ValueError(constant)

    try:
        data = json.loads(body, parse_constant=refuse)
    except (ValueError, RecursionError):
        raise D1BindingError("Failed to parse body as JSON", 400) from None
    return _without_lone_surrogates(data)


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


def parse_queries(body: bytes) -> list[runner.Query]:
    """The body: one `{"sql", "params"?}` object or an array of them."""
    try:
        data: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = _loads_with_lone_surrogates(body)
    items = data if isinstance(data, list) else [data]
    queries = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("sql"), str):
            raise D1BindingError("Each query must be an object with a string 'sql'", 400)
        try:
            queries.append(runner.Query(item["sql"], bind_params(item.get("params"))))
        except BadParameter as exc:
            raise D1BindingError(describe_bad(exc.args[0] if exc.args else None), 400) from None
    return queries


async def database_for(service: D1Service, request: Request) -> D1Handle:
    key = request.headers.get(DATABASE_HEADER, "").strip()
    if not key:
        raise D1BindingError("Missing X-LumaDB-Database header naming the D1 database", 400)
    handle = service.catalog.find(key)
    if handle is not None:
        return handle
    try:
        return await service.catalog.create(key, exist_ok=True)
    except catalog_module.InvalidName:
        raise D1BindingError(catalog_module.INVALID_NAME, 400) from None


def _token(request: Request, handle: D1Handle) -> bytes:
    ours = results.bookmark(handle.uuid, handle.state)
    theirs = request.headers.get(TOKEN_HEADER, "")
    # A newer bookmark the client saw from another worker process keeps sessions monotonic.
    if len(theirs) == len(ours) and theirs[8:9] == "-" and theirs > ours:
        return theirs.encode("latin-1")
    return ours.encode()


async def query(service: D1Service, request: Request) -> Response:
    """`POST /query` and `POST /execute`: both run the body; `resultsFormat` shapes results."""
    handle = await database_for(service, request)
    queries = parse_queries(request.body)
    fmt = results_format(request.query_string)
    try:
        outcomes = await runner.run(handle.db, handle.state, queries)
    except D1QueryError as exc:
        return Response(200, orjson.dumps({"success": False, "error": exc.message}), b"application/json", [])
    region = results.REGIONS.get(handle.entry.primary_location_hint or "", "WNAM")
    body = orjson.dumps([results.binding_element(o, fmt, region) for o in outcomes])
    return Response(200, body, b"application/json", [(_TOKEN_HEADER_BYTES, _token(request, handle))])


async def dump(service: D1Service, request: Request) -> Response:
    """`POST /dump` (the deprecated `db.dump()`): the database file's bytes."""
    handle = await database_for(service, request)
    data = await handle.db.read(lambda conn: conn.serialize("main"))
    return Response(200, bytes(data or b""), b"application/octet-stream", [])


execute = query  # `POST /execute` (run, exec) is served exactly like `/query`
