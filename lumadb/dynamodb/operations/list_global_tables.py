"""ListGlobalTables: no legacy global table exists (lumadb/dynamodb/legacy_global_tables.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    return {"GlobalTables": []}
