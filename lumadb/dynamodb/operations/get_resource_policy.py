"""GetResourcePolicy: the policy of a table or its stream, with its revision id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import resource_policies
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    arn = body["ResourceArn"]
    table = resource_policies.resource(service, arn)
    found = resource_policies.current(table.meta.get("ResourcePolicies") or {}, arn)
    if found is None:
        raise resource_policies.policy_not_found(arn)
    return {"Policy": found["Policy"], "RevisionId": found["RevisionId"]}
