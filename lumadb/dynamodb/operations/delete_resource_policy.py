"""DeleteResourcePolicy: detach the policy of a table or its stream; answers the revision id of
the policy it removed (again and again: the revision of that deletion)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import resource_policies
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    arn, expected = body["ResourceArn"], body.get("ExpectedRevisionId")
    table = resource_policies.resource(service, arn)

    def delete(meta: dict[str, Any]) -> dict[str, str]:
        kept = resource_policies.policies(meta)
        current = resource_policies.current(kept, arn)
        resource_policies.check_expected(arn, table.name, current, expected)
        if current is None:
            # nothing to delete is no error (live probes of DynamoDB, 2026-10): the answer is
            # empty, or names the revision of the deletion that removed the last policy
            deleted = kept.get(arn)
            return {"RevisionId": deleted["Deleted"]} if deleted else {}
        kept[arn] = {"Deleted": resource_policies.revision_after(current["RevisionId"])}
        return {"RevisionId": current["RevisionId"]}

    answer: dict[str, str] = await resource_policies.change(service, table, delete)
    return answer
