"""GetResourcePolicy: the policy of a table or its stream, with its revision id, in DynamoDB's
canonical form (policy_documents.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import catalog, policy_documents, resource_policies
from lumadb.dynamodb.streams import storage as streams
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    arn = body["ResourceArn"]
    gone = "/stream/" in arn and service.catalog.get(catalog.table_name_from(arn)) is None
    if gone and service.read_now(streams.by_arn, arn) is not None:  # a deleted table's stream, still readable
        raise resource_policies.policy_not_found(arn)
    table = resource_policies.resource(service, arn)
    found = resource_policies.current(table.meta.get("ResourcePolicies") or {}, arn)
    if found is None:
        raise resource_policies.policy_not_found(arn)
    canonical = policy_documents.canonical(found["Policy"], resource_policies.partition_of(table))
    return {"Policy": policy_documents.shown(canonical), "RevisionId": found["RevisionId"]}
