"""The Cloudflare v4 REST API for D1 (what the `cloudflare` SDKs and `wrangler d1 --remote`
call): routing, the database collection (create, list, get, update, edit, delete) and the
GraphQL stub `wrangler d1 info` asks for analytics.

Served under `/d1/client/v4`, `/client/v4`, `/d1` and the root (users paste any base URL),
each followed by `/accounts/{account_id}/d1/database...`. Account ids are accepted and not
checked; API tokens only when the server has some (`--d1-api-token`, frontend.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.d1 import catalog as catalog_module
from lumadb.d1 import rest_query, timetravel, transfer
from lumadb.d1.errors import D1ApiError
from lumadb.d1.rest_common import json_body, ok
from lumadb.http import Request, Response

if TYPE_CHECKING:
    from lumadb.d1.catalog import D1Handle
    from lumadb.d1.service import D1Service

PREFIXES = ("/d1/client/v4", "/client/v4", "/d1", "")  # the root last
GRAPHQL_PATHS = frozenset(p + "/graphql" for p in PREFIXES)
ACCOUNT_PATHS = frozenset(p + suffix for p in PREFIXES for suffix in ("/accounts", "/memberships"))
# The one account LumaDB reports to tools that look for one (wrangler without CLOUDFLARE_ACCOUNT_ID);
# requests may name any account id.
LOCAL_ACCOUNT = {"id": "000000000000000000000000000000d1", "name": "LumaDB"}
MAX_PER_PAGE = 10_000
DEFAULT_PER_PAGE = 1000
LOCATIONS = ("wnam", "enam", "weur", "eeur", "apac", "oc")
JURISDICTIONS = ("eu", "fedramp", "us")
MODES = ("auto", "disabled")

Route = Callable[["D1Service", Request, "D1Handle"], Awaitable[Response]]


def _split(path: str) -> tuple[str, list[str]] | None:
    """(the API path after the base, the segments after `/d1/database`) or None."""
    for prefix in PREFIXES:
        if path.startswith(prefix + "/accounts/"):
            api_path = path[len(prefix):]
            parts = api_path.split("/")  # "", "accounts", account, "d1", "database", ...
            if len(parts) >= 5 and parts[3] == "d1" and parts[4] == "database" and parts[2]:
                rest = [p for p in parts[5:] if p != ""]
                return api_path, rest
            return None
    return None


async def dispatch(service: D1Service, request: Request) -> Response:
    method, path = request.method, request.path
    if path in GRAPHQL_PATHS:
        if method != "POST":
            raise D1ApiError.method_not_allowed(method, ["POST"])
        return await graphql(service, request)
    if path in ACCOUNT_PATHS:
        if method != "GET":
            raise D1ApiError.method_not_allowed(method, ["GET"])
        return accounts(request)
    found = _split(path)
    if found is None:
        raise D1ApiError.no_route("/client/v4" + _api_path(path))
    _, rest = found
    if not rest:
        if method == "GET":
            return await list_databases(service, request)
        if method == "POST":
            return await create_database(service, request)
        raise D1ApiError.method_not_allowed(method, ["GET", "POST"])
    key, action = rest[0], "/".join(rest[1:])
    routes = _ROUTES.get(action)
    if routes is None:
        raise D1ApiError.no_route("/client/v4" + _api_path(path))
    handler = routes.get(method)
    if handler is None:
        raise D1ApiError.method_not_allowed(method, list(routes))
    handle = service.catalog.find(key)
    if handle is None:
        raise D1ApiError.not_found(key)
    return await handler(service, request, handle)


def _api_path(path: str) -> str:
    for prefix in PREFIXES:
        if path.startswith(prefix + "/"):
            return path[len(prefix):]
    return path


# -- the collection ----------------------------------------------------------------------
async def create_database(service: D1Service, request: Request) -> Response:
    body = json_body(request)
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise D1ApiError.bad_request("name is required")
    if not catalog_module.valid_name(name):
        raise D1ApiError.bad_request(catalog_module.INVALID_NAME)
    hint = body.get("primary_location_hint")
    jurisdiction = body.get("jurisdiction")
    mode = _replication_mode(body.get("read_replication"), required=False) or "disabled"
    if hint is not None and hint not in LOCATIONS:
        raise D1ApiError.bad_request(f"primary_location_hint must be one of {', '.join(LOCATIONS)}")
    if jurisdiction is not None and jurisdiction not in JURISDICTIONS:
        raise D1ApiError.bad_request(f"jurisdiction must be one of {', '.join(JURISDICTIONS)}")
    try:
        handle = await service.catalog.create(name, jurisdiction=jurisdiction, location_hint=hint,
                                              read_replication=mode)
    except catalog_module.NameTaken:
        raise D1ApiError(7502, "A database with that name already exists", 400) from None
    result = await service.d1_object(handle)
    if hint:
        result["created_in_region"] = hint.upper()
    return ok(result)


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query_value(name)
    if text is None or text == "":
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise D1ApiError.bad_request(f"{name} must be an integer between {low} and {high}")
    return int(text)


async def list_databases(service: D1Service, request: Request) -> Response:
    page = _int_param(request, "page", 1, 1, 10**9)
    per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    name = request.query_value("name") or None
    handles = service.catalog.page(name, (page - 1) * per_page, per_page)
    keep = ("uuid", "name", "created_at", "version", "num_tables", "file_size", "jurisdiction")
    result = [await service.d1_object(h, list(keep)) for h in handles]
    info = {"page": page, "per_page": per_page, "count": len(result), "total_count": service.catalog.count(name)}
    return ok(result, result_info=info)


# -- one database ------------------------------------------------------------------------
async def get_database(service: D1Service, request: Request, handle: D1Handle) -> Response:
    query = request.query()
    # repeated (`fields=uuid&fields=name`, what the SDKs send) or comma-separated
    fields = [f for value in query.get("fields", []) + query.get("fields[]", []) for f in value.split(",") if f]
    return ok(await service.d1_object(handle, fields or None))


def _replication_mode(value: Any, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, dict) or value.get("mode") not in MODES:
        raise D1ApiError.bad_request("read_replication.mode must be 'auto' or 'disabled'")
    return str(value["mode"])


async def update_database(service: D1Service, request: Request, handle: D1Handle) -> Response:
    mode = _replication_mode(json_body(request).get("read_replication"), required=True)
    handle = await service.catalog.set_read_replication(handle, str(mode))
    return ok(await service.d1_object(handle))


async def edit_database(service: D1Service, request: Request, handle: D1Handle) -> Response:
    mode = _replication_mode(json_body(request, optional=True).get("read_replication"), required=False)
    if mode is not None:
        handle = await service.catalog.set_read_replication(handle, mode)
    return ok(await service.d1_object(handle))


async def delete_database(service: D1Service, request: Request, handle: D1Handle) -> Response:
    await service.delete(handle)
    return ok(None)


def accounts(request: Request) -> Response:
    """`GET /accounts` and `/memberships`: LumaDB's one account, on one page."""
    item: dict[str, Any] = dict(LOCAL_ACCOUNT)
    if request.path.endswith("/memberships"):
        item = {"id": LOCAL_ACCOUNT["id"], "status": "accepted", "account": dict(LOCAL_ACCOUNT)}
    page = _int_param(request, "page", 1, 1, 10**9)
    result = [item] if page == 1 else []
    info = {"page": page, "per_page": 20, "count": len(result), "total_count": 1, "total_pages": 1}
    return ok(result, result_info=info)


async def graphql(service: D1Service, request: Request) -> Response:
    """Enough of Cloudflare's GraphQL analytics for `wrangler d1 info`: no analytics rows."""
    data: dict[str, Any] = {"viewer": {"accounts": [{"d1AnalyticsAdaptiveGroups": []}]}}
    return Response(200, orjson.dumps({"data": data, "errors": None}), b"application/json", [])


_ROUTES: dict[str, dict[str, Route]] = {
    "": {"GET": get_database, "PUT": update_database, "PATCH": edit_database, "DELETE": delete_database},
    "query": {"POST": rest_query.query},
    "raw": {"POST": rest_query.raw},
    "export": {"POST": transfer.export},
    "import": {"POST": transfer.import_},
    "time_travel/bookmark": {"GET": timetravel.get_bookmark},
    "time_travel/restore": {"POST": timetravel.restore},
}


memberships = accounts  # the spec's name for `GET /memberships`
