"""ListTables: table names in order, paged by ExclusiveStartTableName and Limit (default 100)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService

DEFAULT_LIMIT = 100


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    names = service.catalog.names()
    start = body.get("ExclusiveStartTableName")
    if start is not None:
        names = [n for n in names if n > start]
    limit = body.get("Limit") or DEFAULT_LIMIT
    out: dict = {}
    if len(names) > limit:
        names = names[:limit]
        out["LastEvaluatedTableName"] = names[-1]
    out["TableNames"] = names
    return out
