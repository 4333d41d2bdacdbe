"""A request's expressions (or their legacy counterparts) compiled in DynamoDB's order: Update,
Condition, KeyCondition, Filter, Projection, then the unused-placeholder check. None of this needs
the table: DynamoDB reports these errors ahead of a missing table, so handlers compile first and
finish a Query's key condition against the key schema afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions import (
    Condition,
    ExpressionContext,
    KeyConditions,
    Projection,
    Update,
    check_key_condition,
    check_no_mixing,
    compile_condition,
    compile_projection,
    compile_update,
    condition_from_expected,
    condition_from_filter,
    key_conditions_from_legacy,
    projection_from_attributes_to_get,
    update_from_attribute_updates,
)
from lumadb.dynamodb.expressions.parser import check_size

# Any of these in a request means there is something to compile or to refuse.
_EXPRESSION_PARAMETERS = frozenset((
    "ConditionExpression", "UpdateExpression", "ProjectionExpression", "FilterExpression",
    "KeyConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues",
    "Expected", "ConditionalOperator", "AttributeUpdates", "AttributesToGet", "QueryFilter",
    "ScanFilter", "KeyConditions",
))  # fmt: skip


@dataclass(slots=True)
class Compiled:
    update: Update | None = None
    condition: Condition | None = None
    key_conditions: KeyConditions | None = None  # Query: finished by `.for_schema(hash, range)`
    filter: Condition | None = None
    projection: Projection | None = None


NOTHING = Compiled()


def _has_any(body: dict) -> bool:
    return not _EXPRESSION_PARAMETERS.isdisjoint(body)


def compile_request(
    body: dict, operation: str, *, mixing_checked: bool = True, legacy_filter: Condition | None = None
) -> Compiled:
    """Compile what `body` carries. `operation` names the API (or the transaction part: Put,
    Update, Delete, ConditionCheck, Get). Handlers call `check_mixing` first (it precedes
    DynamoDB's other checks). `legacy_filter`: the QueryFilter or ScanFilter, if the handler has
    compiled it already."""
    if not _has_any(body):
        if operation == "Query":
            raise_missing_key_condition()
        return NOTHING
    if not mixing_checked:
        check_no_mixing(body, operation)
    ctx = ExpressionContext(body.get("ExpressionAttributeNames"), body.get("ExpressionAttributeValues"))
    out = Compiled()
    text: Any = body.get("UpdateExpression")
    if text is not None:
        out.update = compile_update(text, ctx)
    elif body.get("AttributeUpdates") is not None:
        out.update = update_from_attribute_updates(body["AttributeUpdates"])
    text = body.get("ConditionExpression")
    if text is not None:
        out.condition = compile_condition(text, ctx, "ConditionExpression")
    elif body.get("Expected") is not None:
        out.condition = condition_from_expected(body["Expected"], body.get("ConditionalOperator"))
    filter_parameter = None
    if operation in ("Query", "Scan") and body.get("FilterExpression") is None:
        filter_parameter = body.get("QueryFilter" if operation == "Query" else "ScanFilter")
    if filter_parameter is not None and legacy_filter is not None:
        out.filter = legacy_filter
    if operation == "Query":
        text = body.get("KeyConditionExpression")
        if text is not None:
            out.key_conditions = check_key_condition(text, ctx, lambda: _check_filter_not_empty(body))
        elif body.get("KeyConditions") is not None:
            if filter_parameter is not None and out.filter is None:  # checked before KeyConditions (dynalite)
                out.filter = condition_from_filter(filter_parameter, body.get("ConditionalOperator"), "QueryFilter")
            out.key_conditions = key_conditions_from_legacy(body["KeyConditions"])
        else:
            raise_missing_key_condition()
    text = body.get("FilterExpression")
    if text is not None:
        out.filter = compile_condition(text, ctx, "FilterExpression")
    elif filter_parameter is not None and out.filter is None:
        kind = "QueryFilter" if operation == "Query" else "ScanFilter"
        out.filter = condition_from_filter(filter_parameter, body.get("ConditionalOperator"), kind)
    text = body.get("ProjectionExpression")
    if text is not None:
        out.projection = compile_projection(text, ctx)
    elif body.get("AttributesToGet") is not None:
        out.projection = projection_from_attributes_to_get(body["AttributesToGet"])
    ctx.check_all_used()
    return out


def _check_filter_not_empty(body: dict) -> None:
    """An empty FilterExpression is refused before the key condition's shape (moto's tests,
    verified against DynamoDB in 2026-10: `partitionKey = sth` beside `FilterExpression: ""`)."""
    text = body.get("FilterExpression")
    if isinstance(text, str) and not text.strip(" \t\r\n"):
        check_size("FilterExpression", text)  # raises: the expression can not be empty


def check_mixing(body: dict, operation: str) -> None:
    """The first of DynamoDB's expression checks, which runs before attribute values are checked."""
    if _has_any(body):
        check_no_mixing(body, operation)


def raise_missing_key_condition() -> None:
    raise DynamoError.validation(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
    )
