"""UpdateItem: change (or create) one item with an UpdateExpression or AttributeUpdates,
optionally under a condition; the whole change happens in one transaction or not at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import capacity, inputs, item_collections, key_checks, writes
from lumadb.dynamodb.attributes import normalize_item
from lumadb.dynamodb.keys import key_of_key
from lumadb.dynamodb.request_expressions import check_mixing, compile_request
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    check_mixing(body, "UpdateItem")
    key = body["Key"]
    inputs.check_key_values(key)
    compiled = compile_request(body, "UpdateItem")
    table = service.catalog.require(body["TableName"])
    storage_key = key_of_key(table, key)
    if compiled.update is not None:
        key_checks.check_update(table, compiled.update)
    try:
        outcome = await service.write(
            writes.update, table, storage_key, normalize_item(key), compiled.update, compiled.condition
        )
    except writes.ConditionFailed as failure:
        raise writes.condition_failed_error(
            failure, body.get("ReturnValuesOnConditionCheckFailure")
        ) from None
    out: dict = {}
    attributes = writes.updated_attributes(outcome, body.get("ReturnValues"), compiled.update)
    if attributes is not None:
        out["Attributes"] = attributes
    mode = capacity.wanted(body)
    if mode:
        billed = capacity.billed_size(max(outcome.new_size, outcome.old_size), outcome.index_writes)
        units = capacity.write_units(billed)
        out["ConsumedCapacity"] = capacity.consumed(mode, table.name, units, indexes=outcome.index_writes)
    if item_collections.wanted(body, table):
        out["ItemCollectionMetrics"] = await item_collections.metrics(service, table, storage_key, key)
    return out
