"""Resource-based policies of tables and their streams (PutResourcePolicy, GetResourcePolicy,
DeleteResourcePolicy, CreateTable's ResourcePolicy). LumaDB checks no IAM permissions: a policy
is kept in its table's metadata, revision by revision, and given back, never evaluated. It goes
with the table when the table is deleted."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import catalog
from lumadb.dynamodb.errors import DYNAMODB, DynamoError

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService

NO_POLICY = "NO_POLICY"  # ExpectedRevisionId: attach only when the resource has no policy
NOT_FOUND = "Resource-based policy not found for the provided ResourceArn: "


def policy_not_found(detail: str) -> DynamoError:
    return DynamoError(DYNAMODB + "PolicyNotFoundException", NOT_FOUND + detail)


def resource(service: DynamoService, arn: str) -> TableInfo:
    """The table whose ARN, or whose current stream's ARN, `arn` is."""
    table = service.catalog.get(catalog.table_name_from(arn)) if arn.startswith("arn:") else None
    if table is None or arn not in (table.arn, table.meta.get("LatestStreamArn")):
        raise DynamoError.resource_not_found(f"Requested resource not found: ResourceArn: {arn} not found")
    return table


def revision_after(previous: str | None) -> str:
    """A revision id: the time in milliseconds, as DynamoDB's are, and never a repeat."""
    revision = time.time_ns() // 1_000_000
    if previous is not None and previous.isdigit():
        revision = max(revision, int(previous) + 1)
    return str(revision)


def policies(meta: dict[str, Any]) -> dict[str, dict[str, str]]:
    """{resource ARN: {"Policy": ..., "RevisionId": ...}}, kept in the table's metadata."""
    return meta.setdefault("ResourcePolicies", {})


def check_expected(arn: str, table_name: str, current: dict[str, str] | None, expected: str | None) -> None:
    if expected is None:
        return
    if current is None:
        if expected != NO_POLICY:
            raise policy_not_found(
                f"Requested update for policy with revision id {expected}, but no policy is associated "
                f"to target resource {arn}."
            )
    elif expected == NO_POLICY:
        raise policy_not_found(
            f"Requested policy update expecting none to be present for table {table_name}, but a policy "
            f"exists with revision id {current['RevisionId']}."
        )
    elif expected != current["RevisionId"]:
        raise policy_not_found(
            f"Requested update for policy with revision id {expected}, but the policy associated to "
            f"target table {table_name} has revision id {current['RevisionId']}."
        )


async def change(service: DynamoService, table: TableInfo, apply: Any) -> Any:
    """Run `apply(meta)` in a catalog write and return what it returned."""
    box: list[Any] = []

    def run(meta: dict[str, Any]) -> None:
        box.append(apply(meta))

    await service.change_table(table.name, run, DynamoError.resource_not_found())
    return box[0]
