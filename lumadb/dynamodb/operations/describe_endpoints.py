"""DescribeEndpoints: the address clients reach this server at (host and the /dynamodb path)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService

CACHE_MINUTES = 1440


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    config = service.server.config
    host = request.host or f"{config.host}:{config.port}"
    return {"Endpoints": [{"Address": f"{host}/dynamodb", "CachePeriodInMinutes": CACHE_MINUTES}]}
