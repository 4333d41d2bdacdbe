"""CreateBackup: copy a table's items and settings as they are now (lumadb/dynamodb/backups.py).
The backup is complete when the call returns; the answer says CREATING, as DynamoDB's does,
and DescribeBackup says AVAILABLE at once (DynamoDB: ~50 ms later for a small table)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import backups, catalog, point_in_time
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    name = catalog.table_name_from(body["TableName"])
    table = service.catalog.get(body["TableName"])
    if table is None:
        raise point_in_time.table_not_found(name)
    # the writer thread: a large table's copy must not hold up the event loop
    backup = await service.write_in_background(backups.create, table.name, body["BackupName"])
    if backup is None:
        raise point_in_time.table_not_found(name)
    return {"BackupDetails": backups.details(backup, "CREATING")}
