"""PutItem: store an item (replacing any item with its key), optionally under a condition."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from lumadb.dynamodb import capacity, inputs, item_collections, key_checks, writes
from lumadb.dynamodb.keys import key_of_item
from lumadb.dynamodb.request_expressions import check_mixing, compile_request
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    check_mixing(body, "PutItem")
    return_values = body.get("ReturnValues")
    item, size = inputs.checked_item(body["Item"], return_values)
    compiled = compile_request(body, "PutItem")
    table = service.catalog.require(body["TableName"])
    key = key_of_item(table, item)
    key_checks.check_item(table, item)
    try:
        outcome = await service.write(
            writes.put, table, key, item, orjson.dumps(item), size, compiled.condition
        )
    except writes.ConditionFailed as failure:
        raise writes.condition_failed_error(
            failure, body.get("ReturnValuesOnConditionCheckFailure")
        ) from None
    out: dict = {}
    if return_values == "ALL_OLD" and outcome.old_row is not None:
        out["Attributes"] = writes.old_attributes(outcome)
    mode = capacity.wanted(body)
    if mode:
        billed = capacity.billed_size(max(size, outcome.old_size), outcome.index_writes)
        out["ConsumedCapacity"] = capacity.consumed(
            mode, table.name, capacity.write_units(billed), indexes=outcome.index_writes
        )
    if item_collections.wanted(body, table):
        out["ItemCollectionMetrics"] = await item_collections.metrics(service, table, key, item)
    return out
