"""Query: the items of one partition in sort-key order (or reverse), optionally narrowed by a
sort-key condition, paged by Limit, 1 MB and ExclusiveStartKey, then filtered and projected."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import key_checks, reads, start_keys
from lumadb.dynamodb.attributes import normalize_number
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions import KeyCondition
from lumadb.dynamodb.expressions.key_condition import check_key_values
from lumadb.dynamodb.expressions.legacy import condition_from_filter
from lumadb.dynamodb.expressions.projection import projection_from_attributes_to_get
from lumadb.dynamodb.indexes import queries as index_queries
from lumadb.dynamodb.keys import (
    Bound,
    encode_binary,
    encode_number,
    key_of_key,
    partition_key,
    sort_key_bounds,
)
from lumadb.dynamodb.request_expressions import check_mixing, compile_request
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService

_TYPE_MISMATCH = (
    "One or more parameter values were invalid: Condition parameter type does not match schema type"
)
_sql_cache: dict[tuple, str] = {}


def _encode(type_name: str, value: str) -> bytes:
    if type_name == "N":
        return encode_number(normalize_number(value))
    return value.encode() if type_name == "S" else encode_binary(value)


def _bounds(table: TableInfo, condition: KeyCondition) -> tuple[Bound, Bound]:
    op = condition.range_op
    if op is None:
        return None, None
    type_name = table.range_type or ""
    values = []
    for value in condition.range_values:
        if type_name not in value:
            raise DynamoError.validation(_TYPE_MISMATCH)
        values.append(_encode(type_name, value[type_name]))
    return sort_key_bounds(op, values[0], values[1] if len(values) > 1 else None)


def _sql(table: TableInfo, lower: Bound, upper: Bound, forward: bool) -> str:
    shape = (table.items, lower and lower[1], upper and upper[1], forward)
    text = _sql_cache.get(shape)
    if text is None:
        where = "hash_prefix = ? AND pk = ?"
        if lower is not None:
            where += " AND sk >= ?" if lower[1] else " AND sk > ?"
        if upper is not None:
            where += " AND sk <= ?" if upper[1] else " AND sk < ?"
        order = "" if forward else " DESC"
        text = f"SELECT hash_prefix, pk, sk, size, item FROM {table.items} WHERE {where} ORDER BY sk{order} LIMIT ?"
        _sql_cache[shape] = text
    return text


def _statement(table: TableInfo, hp: int, pk: bytes, lower: Bound, upper: Bound, forward: bool) -> Any:
    def statement(after: reads.Position | None, rows: int) -> tuple[str, tuple]:
        lo, hi = lower, upper
        if after is not None:
            if forward:
                lo = (after[2], False)
            else:
                hi = (after[2], False)
        params: list[Any] = [hp, pk]
        if lo is not None:
            params.append(lo[0])
        if hi is not None:
            params.append(hi[0])
        params.append(rows)
        return _sql(table, lo, hi, forward), tuple(params)

    return statement


def _start_position(start_key: dict, start: tuple[bytes, bytes], condition: KeyCondition, pk: bytes,
                    range_name: str | None) -> bytes:  # fmt: skip
    """ExclusiveStartKey checked against the key condition; its sort key."""
    start_pk, start_sk = start
    if condition.range_op is None:
        if start_pk != pk:
            raise DynamoError.validation(
                "The provided starting key is outside query boundaries based on provided conditions"
            )
    else:
        if not condition.range_matches(start_key.get(range_name or "")):
            raise DynamoError.validation("The provided starting key does not match the range key predicate")
        if start_pk != pk:
            raise DynamoError.validation("The query can return at most one row and cannot be restarted")
    return start_sk


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    # Select's conflicts with a projection are worded as DynamoDB's request validation words its
    # errors ("1 validation error detected: "), which answers before the operation looks at its
    # expressions or its table (inferred from that prefix: no capture has both errors at once)
    reads.check_select(body, body.get("ProjectionExpression") is not None or body.get("AttributesToGet") is not None)
    check_mixing(body, "Query")
    start_key = body.get("ExclusiveStartKey")
    # the legacy parameters' values (QueryFilter's, then AttributesToGet's repeats) come before
    # the start key's and before a missing key condition (dynalite's tests, recorded against DynamoDB)
    legacy_filter = None
    if body.get("QueryFilter") is not None and body.get("FilterExpression") is None:
        legacy_filter = condition_from_filter(body["QueryFilter"], body.get("ConditionalOperator"), "QueryFilter")
    if body.get("AttributesToGet") is not None:
        projection_from_attributes_to_get(body["AttributesToGet"])
    start_keys.check_values(start_key)
    # expression errors (placeholders, operand types, the shape of the key condition), then the
    # key values' types and, on the table itself, the number of conditions come before a missing
    # table; the key schema checks after it, as DynamoDB orders them
    compiled = compile_request(body, "Query", legacy_filter=legacy_filter)
    assert compiled.key_conditions is not None
    conditions = compiled.key_conditions.conditions
    if compiled.key_conditions.expression:
        check_key_values(conditions, expression=True)  # KeyConditions had theirs when compiled
    elif body.get("IndexName") is None and len(conditions) > 2:
        # an index may have more key attributes (multi-attribute GSI keys): counted once known
        raise DynamoError.validation("Conditions can be of length 1 or 2 only")
    table = service.catalog.require(body["TableName"])
    if body.get("IndexName") is not None:
        return await index_queries.query(service, table, body, compiled)
    compiled.key_conditions.check_count(len(table.key_names))
    types = {table.hash_name: table.hash_type, table.range_name or "": table.range_type or ""}
    checks = start_keys.piece_checks(start_key, len(table.key_names), types)  # interleaved, as DynamoDB
    condition = compiled.key_conditions.for_schema(table.hash_name, table.range_name, checks, types)
    # (its size and attributes checked with the key condition; an empty one is invalid, not absent)
    start = key_of_key(table, start_key)[1:] if start_key is not None else None
    # the projection's paths into key attributes, the filter's key attributes, then its paths
    # into key attributes (dynalite's order)
    key_checks.check_read_paths(table, compiled.projection)
    if compiled.filter is not None:
        kind = "Filter Expression" if body.get("FilterExpression") is not None else "QueryFilter"
        for name in table.key_names:
            if name in compiled.filter.attributes:
                raise DynamoError.validation(
                    f"{kind} can only contain non-primary key attributes: Primary key attribute: {name}"
                )
    key_checks.check_read_paths(table, compiled.filter)
    count_only = reads.check_select(body, compiled.projection is not None)
    hash_value = condition.hash_value.get(table.hash_type)
    if hash_value is None:
        raise DynamoError.validation(_TYPE_MISMATCH)
    hp, pk = partition_key(table, condition.hash_value)
    lower, upper = _bounds(table, condition)
    forward = body.get("ScanIndexForward", True) is not False
    plan = reads.ReadPlan(
        table,
        _statement(table, hp, pk, lower, upper, forward),
        body.get("Limit"),
        compiled.filter,
        compiled.projection,
        count_only,
    )
    if start is not None:
        assert start_key is not None
        plan.last = (hp, pk, _start_position(start_key, start, condition, pk, table.range_name))
    await reads.read_page(service, plan)
    return plan.result(body)

