"""DeleteResourcePolicy: detach the policy of a table or its stream; answers the revision id of
the policy it removed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import resource_policies
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    arn, expected = body["ResourceArn"], body.get("ExpectedRevisionId")
    table = resource_policies.resource(service, arn)

    def delete(meta: dict[str, Any]) -> str:
        kept = resource_policies.policies(meta)
        current = kept.get(arn)
        if current is None:
            raise resource_policies.policy_not_found(arn)
        resource_policies.check_expected(arn, table.name, current, expected)
        del kept[arn]
        return current["RevisionId"]

    return {"RevisionId": await resource_policies.change(service, table, delete)}
