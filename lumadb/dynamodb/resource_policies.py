"""Resource-based policies of tables and their streams (PutResourcePolicy, GetResourcePolicy,
DeleteResourcePolicy, CreateTable's ResourcePolicy). LumaDB checks no IAM permissions: a policy
is kept in its table's metadata, revision by revision, in DynamoDB's canonical form
(policy_documents.py), and given back, never evaluated. It goes with the table when the table
is deleted."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import catalog
from lumadb.dynamodb.errors import DYNAMODB, DynamoError
from lumadb.dynamodb.schema import INVALID

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService

NO_POLICY = "NO_POLICY"  # ExpectedRevisionId: attach only when the resource has no policy
NOT_FOUND = "Resource-based policy not found for the provided ResourceArn: "


def policy_not_found(detail: str) -> DynamoError:
    return DynamoError(DYNAMODB + "PolicyNotFoundException", NOT_FOUND + detail)


def resource(service: DynamoService, arn: str) -> TableInfo:
    """The table whose ARN, or whose current stream's ARN, `arn` is (texts: live probes of
    DynamoDB, 2026-10)."""
    if not arn.startswith("arn:"):
        raise DynamoError.validation(INVALID + f"ARNs must start with 'arn:': {arn}")
    if "/index/" in arn:
        raise DynamoError.validation(
            INVALID + f"Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {arn}"
        )
    name = catalog.table_name_from(arn)
    table = service.catalog.get(name)
    if table is None:
        raise DynamoError.resource_not_found(f"Requested resource not found: Table: {name} not found")
    if arn in (table.arn, table.meta.get("LatestStreamArn")):
        return table
    parts, own = catalog.split_arn(arn), _own_arn(table)
    if parts is not None and parts.resource.startswith(own.resource):
        if (parts.partition, parts.region) != (own.partition, own.region):
            raise DynamoError.validation(INVALID + f"Invalid resource Arn: {arn}")
        if parts.account != own.account:
            raise DynamoError.validation(
                "This action is only supported by accounts that match the resource owner\u2019s account."
            )
        rest = parts.resource[len(own.resource) :]
        if rest.startswith("/stream/"):
            raise DynamoError.resource_not_found(
                f"Requested resource not found: Stream: {rest[len('/stream/'):]} not found for Table: {name}"
            )
        if rest.startswith("/"):
            raise DynamoError.validation(INVALID + f"Provided Arn is not a DynamoDB resource arn: {arn}")
    raise DynamoError.resource_not_found(f"Requested resource not found: ResourceArn: {arn} not found")


def _own_arn(table: TableInfo) -> catalog.Arn:
    parts = catalog.split_arn(table.arn)
    assert parts is not None  # the catalog writes every table's ARN
    return parts


def partition_of(table: TableInfo) -> str:
    return _own_arn(table).partition


def revision_after(previous: str | None) -> str:
    """A revision id: the time in milliseconds, as DynamoDB's are, and never a repeat."""
    revision = time.time_ns() // 1_000_000
    if previous is not None and previous.isdigit():
        revision = max(revision, int(previous) + 1)
    return str(revision)


def policies(meta: dict[str, Any]) -> dict[str, dict[str, str]]:
    """{resource ARN: {"Policy": ..., "RevisionId": ...}}, kept in the table's metadata; a deleted
    policy leaves {"Deleted": revision of the deletion}."""
    return meta.setdefault("ResourcePolicies", {})


def current(kept: dict[str, dict[str, str]], arn: str) -> dict[str, str] | None:
    found = kept.get(arn)
    return found if found is not None and "Policy" in found else None


def check_expected(arn: str, table_name: str, current: dict[str, str] | None, expected: str | None) -> None:
    if expected is None:
        return
    if current is None:
        if expected != NO_POLICY:  # (the end of the text after "associated" is not known)
            raise policy_not_found(
                f"Requested update for policy with revision id {expected}, but table {table_name} has no "
                "associated policy."
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
