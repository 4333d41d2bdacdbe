"""DescribeTable: the stored description with the live ItemCount and TableSizeBytes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb.indexes import definitions as index_definitions
from lumadb.dynamodb.indexes import storage as index_storage
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    table = service.catalog.require_described(body["TableName"])
    item_count, size_bytes = service.read_now(service.catalog.counters, table)
    description = table.describe(item_count, size_bytes)
    if "LocalSecondaryIndexes" in description or "GlobalSecondaryIndexes" in description:
        counts = service.read_now(index_storage.counters, table.id)
        description = index_definitions.with_live_figures(description, counts)
    return {"Table": description}
