"""DescribeTable: the stored description with the live ItemCount and TableSizeBytes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import replicas, warm_throughput
from lumadb.dynamodb.indexes import definitions as index_definitions
from lumadb.dynamodb.indexes import storage as index_storage
from lumadb.dynamodb.operations.create_table import request_region
from lumadb.dynamodb.vectors import definitions as vector_definitions
from lumadb.dynamodb.vectors import storage as vector_storage
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    table = live_description(service, service.catalog.require_described(body["TableName"]))
    return {"Table": replicas.viewed_from(table, request_region(request))}


def live_description(service: DynamoService, table: TableInfo) -> dict[str, Any]:
    """The table's description with its current item counts and sizes, its indexes' too."""
    item_count, size_bytes = service.read_now(service.catalog.counters, table)
    description = warm_throughput.described(table.meta, table.describe(item_count, size_bytes))
    return with_live_figures(service, table.id, description)


def with_live_figures(service: DynamoService, table_id: int, description: dict[str, Any]) -> dict[str, Any]:
    """A description with its indexes' current item counts and sizes."""
    if "LocalSecondaryIndexes" in description or "GlobalSecondaryIndexes" in description:
        counts = service.read_now(index_storage.counters, table_id)
        description = index_definitions.with_live_figures(description, counts)
    if "VectorIndexes" in description:
        names = [index["IndexName"] for index in description["VectorIndexes"]]
        counts = service.read_now(vector_storage.counters, table_id, names)
        description = vector_definitions.with_live_figures(description, counts)
    return description
