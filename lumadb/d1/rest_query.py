"""`POST .../query` and `.../raw`: `{"sql", "params"?}` or `{"batch": [...]}`, one result per
statement, the whole request one transaction; SQL errors answer HTTP 400, code 7500."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.d1 import results, runner
from lumadb.d1.errors import D1ApiError, D1QueryError
from lumadb.d1.rest_common import json_body, ok
from lumadb.d1.values import BadParameter, bind_params, describe_bad
from lumadb.http import Request, Response

if TYPE_CHECKING:
    from lumadb.d1.catalog import D1Handle
    from lumadb.d1.service import D1Service


def _query(item: Any, where: str) -> runner.Query:
    if not isinstance(item, dict) or not isinstance(item.get("sql"), str):
        raise D1ApiError.bad_request(f"{where}: sql is required and must be a string")
    params = item.get("params")
    if params is not None and not isinstance(params, list):
        raise D1ApiError.bad_request(f"{where}: params must be an array")
    try:
        return runner.Query(item["sql"], bind_params(params))
    except BadParameter as exc:
        raise D1ApiError.bad_request(f"{where}: {describe_bad(exc.args[0] if exc.args else None)}") from None


def queries_from(body: dict[str, Any]) -> list[runner.Query]:
    if "batch" in body and body["batch"] is not None:
        batch = body["batch"]
        if not isinstance(batch, list):
            raise D1ApiError.bad_request("batch must be an array of {sql, params}")
        return [_query(item, f"batch[{i}]") for i, item in enumerate(batch)]
    return [_query(body, "body")]


async def _run(service: D1Service, request: Request, handle: D1Handle, as_raw: bool) -> Response:
    queries = queries_from(json_body(request))
    try:
        outcomes = await runner.run(handle.db, handle.state, queries, per_statement=True)
    except D1QueryError as exc:
        raise D1ApiError.sql(exc.message) from None
    region = results.REGIONS.get(handle.entry.primary_location_hint or "", "WNAM")
    return ok([results.rest_element(o, as_raw, region) for o in outcomes])


async def query(service: D1Service, request: Request, handle: D1Handle) -> Response:
    return await _run(service, request, handle, False)


async def raw(service: D1Service, request: Request, handle: D1Handle) -> Response:
    return await _run(service, request, handle, True)
