"""CreateGlobalTable: refused, as DynamoDB refuses it (lumadb/dynamodb/legacy_global_tables.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import legacy_global_tables
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    raise legacy_global_tables.not_supported()
