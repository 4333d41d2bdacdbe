"""DescribeTable: the stored description with the live ItemCount and TableSizeBytes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.indexes import definitions as index_definitions
from lumadb.dynamodb.indexes import storage as index_storage
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    return {"Table": live_description(service, service.catalog.require_described(body["TableName"]))}


def live_description(service: DynamoService, table: TableInfo) -> dict[str, Any]:
    """The table's description with its current item counts and sizes, its indexes' too."""
    item_count, size_bytes = service.read_now(service.catalog.counters, table)
    description = table.describe(item_count, size_bytes)
    if "LocalSecondaryIndexes" in description or "GlobalSecondaryIndexes" in description:
        counts = service.read_now(index_storage.counters, table.id)
        description = index_definitions.with_live_figures(description, counts)
    return description
