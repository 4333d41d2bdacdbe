"""ListTagsOfResource: a table's tags (at most 50, so one page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb.tags import not_found, table_for
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    arn = body.get("ResourceArn")
    table = table_for(service, arn, not_found(arn))
    return {"Tags": list(table.meta.get("Tags") or [])}
