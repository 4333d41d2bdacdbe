"""Resource-based policies of tables and their streams (PutResourcePolicy, GetResourcePolicy,
DeleteResourcePolicy, CreateTable's ResourcePolicy). LumaDB checks no IAM permissions: a policy
is kept in its table's metadata, revision by revision, and given back, never evaluated. It goes
with the table when the table is deleted."""

from __future__ import annotations

import json
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


MAX_POLICY_BYTES = 20_480


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
    if arn not in (table.arn, table.meta.get("LatestStreamArn")):
        raise DynamoError.resource_not_found(f"Requested resource not found: ResourceArn: {arn} not found")
    return table


def check_document(policy: str) -> None:
    """The size and the plainest faults of a policy document, in DynamoDB's texts (live probes,
    2026-10). Nothing more of IAM's grammar is checked: the policy is never evaluated."""
    if len(policy.encode()) > MAX_POLICY_BYTES:
        raise DynamoError.validation(INVALID + f"Maximum policy size of {MAX_POLICY_BYTES} bytes exceeded")
    try:
        document = json.loads(policy)
    except ValueError:
        raise _invalid_document("This policy contains invalid Json") from None
    if document is None:
        raise _invalid_document("This text appears not to be a policy")
    if not isinstance(document, dict):
        raise _invalid_document("This policy contains invalid Json")
    if not document:
        raise _invalid_document(f"Syntax error at position (1,{len(policy.strip()) + 1})")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if statements == []:
        raise _invalid_document("Could not parse the policy: Statement is empty!")
    for statement in statements or []:
        if isinstance(statement, dict) and "Effect" not in statement:
            raise _invalid_document("Missing required field Effect")


def _invalid_document(detail: str) -> DynamoError:
    return DynamoError.validation(INVALID + "Invalid policy document: " + detail)


def same_document(stored: str, given: str) -> bool:
    """An equivalent document (other white space or key order) is no change: DynamoDB keeps the
    revision (live probes, 2026-10)."""
    if stored == given:
        return True
    try:
        return bool(json.loads(stored) == json.loads(given))
    except ValueError:
        return False


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
