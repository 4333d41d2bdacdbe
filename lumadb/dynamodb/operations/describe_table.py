"""DescribeTable: the stored description with the live ItemCount and TableSizeBytes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    table = service.catalog.require_described(body["TableName"])
    item_count, size_bytes = service.read_now(service.catalog.counters, table)
    return {"Table": table.describe(item_count, size_bytes)}
