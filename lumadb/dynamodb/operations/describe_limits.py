"""DescribeLimits: DynamoDB's default per-account and per-table throughput quotas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService

LIMITS = {
    "AccountMaxReadCapacityUnits": 80000,
    "AccountMaxWriteCapacityUnits": 80000,
    "TableMaxReadCapacityUnits": 40000,
    "TableMaxWriteCapacityUnits": 40000,
}


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    return dict(LIMITS)
