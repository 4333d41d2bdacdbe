"""DeleteItem: remove an item by its key, optionally under a condition."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import capacity, inputs, item_collections, writes
from lumadb.dynamodb.keys import key_of_key
from lumadb.dynamodb.request_expressions import check_mixing, compile_request
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    check_mixing(body, "DeleteItem")
    key = body["Key"]
    inputs.check_key_values(key)
    return_values = body.get("ReturnValues")
    inputs.check_put_return_values(return_values)
    compiled = compile_request(body, "DeleteItem")
    table = service.catalog.require(body["TableName"])
    storage_key = key_of_key(table, key)
    try:
        outcome = await service.write(writes.delete, table, storage_key, compiled.condition)
    except writes.ConditionFailed as failure:
        raise writes.condition_failed_error(
            failure, body.get("ReturnValuesOnConditionCheckFailure")
        ) from None
    out: dict = {}
    if return_values == "ALL_OLD" and outcome.old_row is not None:
        out["Attributes"] = writes.old_attributes(outcome)
    mode = capacity.wanted(body)
    if mode:
        units = capacity.write_units(capacity.billed_size(outcome.old_size, outcome.index_writes))
        out["ConsumedCapacity"] = capacity.consumed(mode, table.name, units, indexes=outcome.index_writes)
    if item_collections.wanted(body, table):
        out["ItemCollectionMetrics"] = await item_collections.metrics(service, table, storage_key, key)
    return out
