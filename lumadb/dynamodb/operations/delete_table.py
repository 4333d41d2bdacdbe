"""DeleteTable: drop the table's items and metadata in one transaction; the response describes
the table as it was, with TableStatus DELETING (as DynamoDB answers). A table with point-in-time
recovery on leaves a SYSTEM backup, `<table>$DeletedTableBackup` (lumadb/dynamodb/backups.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import backups, catalog, point_in_time, replicas
from lumadb.dynamodb.errors import DynamoError
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService

# What DeleteTable leaves out of the description DescribeTable gives (Alternator's tests, run
# against DynamoDB: test_delete_table_description, ..._with_si; the vector indexes by analogy;
# WarmThroughput: live probes of DynamoDB, 2026-10)
NOT_DESCRIBED = ("CreationDateTime", "KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes",
                 "LocalSecondaryIndexes", "VectorIndexes", "WarmThroughput")  # fmt: skip
PROTECTED = "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    table = service.catalog.require_described(body["TableName"])
    if table.meta.get("DeletionProtectionEnabled"):
        raise DynamoError.validation(PROTECTED)
    if table.meta.get("MultiRegionConsistency") == replicas.STRONG:  # taken down whole, by UpdateTable
        raise DynamoError.validation(replicas.STRONG_ONE_DELETE)
    if any(index.get("IndexStatus") == "CREATING" for index in table.meta.get("GlobalSecondaryIndexes") or []):
        raise DynamoError.resource_in_use(  # an index still filling (live probes of DynamoDB, 2026-10)
            "Attempt to change a resource which is still in use: Cannot delete table while indexes are being "
            "created, updated, or deleted."
        )
    if point_in_time.enabled(table.meta):  # a SYSTEM backup first: a copy of any size, on the writer thread
        dropped = await service.write_in_background(backups.drop_table_keeping_backup, table.name)
    else:
        dropped = await service.write(catalog.drop_table, table.name)
    if dropped is None:
        raise DynamoError.resource_not_found(f"Requested resource not found: Table: {table.name} not found")
    meta, item_count, size_bytes, version = dropped
    service.catalog.installed(None, table.name, version)
    description = catalog.describe(meta, item_count, size_bytes, "DELETING")
    for name in NOT_DESCRIBED:
        description.pop(name, None)
    return {"TableDescription": description}
