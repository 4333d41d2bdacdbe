"""ListBackups: on-demand backups in the order they were made, filtered by table, creation time
(lower bound inclusive, upper bound exclusive) and type, paged by ExclusiveStartBackupArn."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import backups, catalog
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.schema import INVALID
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService

DEFAULT_LIMIT = 100
# The types each BackupType filter lists; USER is the default (live probes of DynamoDB, 2026-10).
# LumaDB makes no AWS_BACKUP backups: they come from the AWS Backup service.
LISTED_TYPES = {"USER": ("USER",), "SYSTEM": ("SYSTEM",), "ALL": ("USER", "SYSTEM"), "AWS_BACKUP": ()}
_CREATED_MS = re.compile(r"/backup/(\d{14})-")


def _after(found: list[dict[str, Any]], start: str) -> list[dict[str, Any]]:
    """The backups after the cursor, which names one by table and id whatever its region."""
    _, found_resource, resource = start.partition(":table/")
    for position, backup in enumerate(found):
        if found_resource and backup["BackupArn"].endswith(":table/" + resource):
            return found[position + 1 :]
    # a backup deleted between two pages: go on after its creation time, which its ARN holds
    match = _CREATED_MS.search(start)
    if match is None:
        return found
    after = int(match.group(1)) / 1000
    return [backup for backup in found if backup["BackupCreationDateTime"] > after]


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    lower, upper = body.get("TimeRangeLowerBound"), body.get("TimeRangeUpperBound")
    if lower is not None and upper is not None and lower > upper:  # (live probes of DynamoDB, 2026-10)
        raise DynamoError.validation(INVALID + "Time range lower bound must be less than or equal to upper bound")
    types = LISTED_TYPES[body.get("BackupType") or "USER"]
    if not types:
        return {"BackupSummaries": []}
    table = body.get("TableName")
    found = service.read_now(backups.listed, None if table is None else catalog.table_name_from(table))
    found = [backup for backup in found if backups.backup_type(backup) in types]
    if lower is not None:
        found = [b for b in found if b["BackupCreationDateTime"] >= lower]
    if upper is not None:
        found = [b for b in found if b["BackupCreationDateTime"] < upper]
    start = body.get("ExclusiveStartBackupArn")
    if start is not None:
        found = _after(found, start)
    limit = body.get("Limit") or DEFAULT_LIMIT
    out: dict[str, Any] = {}
    if len(found) > limit:
        found = found[:limit]
        out["LastEvaluatedBackupArn"] = found[-1]["BackupArn"]
    out["BackupSummaries"] = [backups.summary(backup) for backup in found]
    return out
