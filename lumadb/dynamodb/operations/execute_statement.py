"""ExecuteStatement: one PartiQL statement. A SELECT reads pages (Limit, NextToken); an INSERT,
UPDATE or DELETE changes one item and returns the RETURNING image, if any."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb.partiql.execute import run_write
from lumadb.dynamodb.partiql.select import run_select
from lumadb.dynamodb.partiql.statements import Read, plan
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    planned = plan(body["Statement"], body.get("Parameters"), service.catalog)
    if isinstance(planned, Read):
        return await run_select(service, planned, body)
    return await run_write(service, planned, body, request)
