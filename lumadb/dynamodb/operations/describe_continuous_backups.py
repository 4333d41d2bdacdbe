"""DescribeContinuousBackups: the table's point-in-time recovery state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import catalog, point_in_time
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    name = body["TableName"]
    table = service.catalog.get(name)
    if table is None:
        raise point_in_time.table_not_found(catalog.table_name_from(name))
    meta = dict(table.meta)
    meta["PointInTimeRecovery"] = {**(meta.get("PointInTimeRecovery") or {}), "Now": catalog.now()}
    return {"ContinuousBackupsDescription": point_in_time.description(meta)}
