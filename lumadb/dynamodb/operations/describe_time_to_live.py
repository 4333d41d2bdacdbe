"""DescribeTimeToLive: ENABLED with the attribute name, or DISABLED."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import ttl
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    table = service.catalog.require_described(body["TableName"])
    name = ttl.attribute_name(table.meta)
    if name is None:
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
    return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": name}}
