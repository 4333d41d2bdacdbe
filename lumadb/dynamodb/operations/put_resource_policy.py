"""PutResourcePolicy: attach a policy to a table or its stream; the same policy again (in any
form of the same canonical form, policy_documents.py) keeps its revision id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import policy_documents, resource_policies
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    arn, policy, expected = body["ResourceArn"], body["Policy"], body.get("ExpectedRevisionId")
    table = resource_policies.resource(service, arn)
    policy_documents.check(policy)
    partition = resource_policies.partition_of(table)
    policy = policy_documents.canonical(policy, partition)

    def put(meta: dict[str, Any]) -> str:
        kept = resource_policies.policies(meta)
        current = resource_policies.current(kept, arn)
        resource_policies.check_expected(arn, table.name, current, expected)
        if current is not None and policy_documents.same(current["Policy"], policy, partition):
            return current["RevisionId"]
        previous = current or kept.get(arn)
        revision = resource_policies.revision_after(
            (previous.get("RevisionId") or previous.get("Deleted")) if previous else None
        )
        kept[arn] = {"Policy": policy, "RevisionId": revision}
        return revision

    return {"RevisionId": await resource_policies.change(service, table, put)}
