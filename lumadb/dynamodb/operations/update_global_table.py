"""UpdateGlobalTable: adding a replica is refused as CreateGlobalTable is; removing one finds no
legacy global table (lumadb/dynamodb/legacy_global_tables.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import legacy_global_tables
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.schema import INVALID
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    updates = body["ReplicaUpdates"]
    if not updates:  # (live probes of DynamoDB, 2026-10: no detail)
        raise DynamoError.validation(INVALID.rstrip(": "))
    if any(update.get("Create") for update in updates):
        raise legacy_global_tables.not_supported()
    raise legacy_global_tables.not_found(body["GlobalTableName"])
