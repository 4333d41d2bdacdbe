"""Scan: every item of a table in partition-hash order, paged by Limit, 1 MB and
ExclusiveStartKey, then filtered and projected; parallel scans split the hash range into
TotalSegments contiguous segments, so each item belongs to exactly one segment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import key_checks, reads, start_keys
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions.projection import projection_from_attributes_to_get
from lumadb.dynamodb.indexes import queries as index_queries
from lumadb.dynamodb.keys import HASH_SPACE, segment_bounds
from lumadb.dynamodb.request_expressions import check_mixing, compile_request
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService


def _check_segments(body: dict) -> tuple[int, int]:
    segment, total = body.get("Segment"), body.get("TotalSegments")
    if segment is not None and total is None:
        raise DynamoError.validation(
            "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"
        )
    if total is not None:
        if segment is None:
            raise DynamoError.validation(
                "The Segment parameter is required but was not present in the request when parameter TotalSegments "
                "is present"
            )
        if segment >= total:
            raise DynamoError.validation(
                "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                f"Segment: {segment} is not less than TotalSegments: {total}"
            )
        return segment, total
    return 0, 1


def _statement(table: TableInfo, start: int, end: int) -> Any:
    name = table.items
    columns = "hash_prefix, pk, sk, size, item"
    order = "ORDER BY hash_prefix, pk, sk LIMIT ?"
    from_start = f"SELECT {columns} FROM {name} WHERE hash_prefix >= ? AND hash_prefix < ? {order}"
    after_key = (
        f"SELECT {columns} FROM {name} WHERE (hash_prefix, pk, sk) > (?, ?, ?) AND hash_prefix < ? {order}"
    )

    def statement(after: reads.Position | None, rows: int) -> tuple[str, tuple]:
        if after is None:
            return from_start, (start, end, rows)
        return after_key, (*after, end, rows)

    return statement


_EXPRESSIONS = ("FilterExpression", "ProjectionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues")


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    # DynamoDB's order (dynalite's tests, recorded against it): the legacy parameters
    # (AttributesToGet's repeats, then ScanFilter), the start key's values, the segments, then
    # the expressions; all before a missing table
    check_mixing(body, "Scan")
    start_key = body.get("ExclusiveStartKey")
    if any(body.get(name) is not None for name in _EXPRESSIONS):
        start_keys.check_values(start_key)
        segment, total = _check_segments(body)
        compiled = compile_request(body, "Scan")
    else:
        if body.get("AttributesToGet") is not None:
            projection_from_attributes_to_get(body["AttributesToGet"])  # its repeats before ScanFilter
        compiled = compile_request(body, "Scan")
        start_keys.check_values(start_key)
        segment, total = _check_segments(body)
    table = service.catalog.require(body["TableName"])
    if body.get("IndexName") is not None:  # (paths into key attributes after the start key's checks)
        return await index_queries.scan(service, table, body, compiled, segment, total)
    count_only = reads.check_select(body, compiled.projection is not None, scan=True)
    start, end = segment_bounds(segment, total) if total > 1 else (0, HASH_SPACE)
    plan = reads.ReadPlan(
        table,
        _statement(table, start, end),
        body.get("Limit"),
        compiled.filter,
        compiled.projection,
        count_only,
    )
    if start_key is not None:  # an empty one is invalid, not absent
        position = start_keys.storage_key(table, start_key)
        if total > 1 and not start <= position[0] < end:
            raise DynamoError.validation(
                f"{start_keys.INVALID_START}: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct "
                f"Segment. TotalSegments: {total} Segment: {segment}"
            )
        plan.last = position
    key_checks.check_read_paths(table, compiled.projection, compiled.filter)
    await reads.read_page(service, plan)
    return plan.result(body)
