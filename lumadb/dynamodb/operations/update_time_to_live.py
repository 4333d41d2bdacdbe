"""UpdateTimeToLive: enable or disable TTL on an attribute, with DynamoDB's refusals of a change
that changes nothing. Enabling indexes the existing items' expiry times in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


def _apply(spec: dict[str, Any], meta: dict[str, Any]) -> None:
    current = meta.get("TimeToLiveSpecification") or {}
    enabled = bool(current.get("Enabled"))
    name = spec["AttributeName"]
    if enabled and current["AttributeName"] != name:
        raise DynamoError.validation(
            f"TimeToLive is active on a different AttributeName: current AttributeName is {current['AttributeName']}"
        )
    if spec["Enabled"]:
        if enabled:
            raise DynamoError.validation("TimeToLive is already enabled")
        meta["TimeToLiveSpecification"] = {"AttributeName": name, "Enabled": True}
    else:
        if not enabled:
            raise DynamoError.validation("TimeToLive is already disabled")
        meta.pop("TimeToLiveSpecification", None)


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    spec = body["TimeToLiveSpecification"]
    table = service.catalog.require_described(body["TableName"])
    missing = DynamoError.resource_not_found(f"Requested resource not found: Table: {table.name} not found")
    await service.change_table(table.name, lambda meta: _apply(spec, meta), missing)
    return {"TimeToLiveSpecification": {"Enabled": spec["Enabled"], "AttributeName": spec["AttributeName"]}}
