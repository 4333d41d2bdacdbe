"""RestoreTableToPointInTime: a new table holding the source table's items as they were at a
second of its recovery window (point_in_time_history.py keeps what each write replaced), with the
source's key schema, indexes, billing, throughput, table class and encryption unless the request
overrides them.

As with RestoreTableFromBackup, the new table gets no stream, TTL, tags, point-in-time recovery
or deletion protection, CreateTable's checks apply to it, and it is ACTIVE when the call
returns."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lumadb.dynamodb import catalog, point_in_time, point_in_time_history
from lumadb.dynamodb.errors import DYNAMODB, DynamoError
from lumadb.dynamodb.operations.describe_table import live_description
from lumadb.dynamodb.operations.restore_table_from_backup import already_exists, restored_meta
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


def _unavailable(name: str) -> DynamoError:
    return DynamoError(
        DYNAMODB + "PointInTimeRecoveryUnavailableException",
        f"Point in time recovery is not enabled for table '{name}'",
    )


def _invalid_time() -> DynamoError:
    return DynamoError(
        DYNAMODB + "InvalidRestoreTimeException",
        "RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime",
    )


def _check_request(body: dict) -> None:
    """The request's shape, before any table is looked up (live probes of DynamoDB, 2026-10)."""
    arn, name = body.get("SourceTableArn"), body.get("SourceTableName")
    if arn is not None and name is not None:
        raise DynamoError.validation("Invalid Request: Must provide exactly one of: sourceTableArn, sourceTableName")
    if arn is None and name is None:
        raise DynamoError.validation("The parameter 'TableName' is required but was not present in the request")
    if arn is not None and not _TABLE_ARN.match(arn):
        raise DynamoError.validation("Invalid Request: sourceTableArn is not a valid ARN")
    latest, when = body.get("UseLatestRestorableTime"), body.get("RestoreDateTime")
    if latest and when is not None:
        raise DynamoError.validation(
            "Only one of RestoreDateTime or UseLatestRestorableTime can be specified"
        )
    if not latest and when is None:
        raise DynamoError.validation(
            "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both"
        )


_TABLE_ARN = re.compile(r"arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+\Z")


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    name = body["TargetTableName"]
    _check_request(body)
    latest = body.get("UseLatestRestorableTime")
    source_name = catalog.table_name_from(body.get("SourceTableArn") or body["SourceTableName"])
    source = service.catalog.get(source_name)
    if source is None:
        raise point_in_time.table_not_found(source_name)
    if not point_in_time.enabled(source.meta):
        raise _unavailable(source_name)
    earliest, now = point_in_time.window(source.meta, catalog.now())
    at = now if latest else float(body["RestoreDateTime"])
    if not earliest <= at <= now:  # before the target's name is looked at (DynamoDB's order)
        raise _invalid_time()
    if service.catalog.get(name) is not None:
        raise already_exists(name)
    meta = restored_meta(source.meta, body, name, request)
    summary = {
        "SourceTableArn": source.meta["TableArn"],
        "RestoreDateTime": at,
        "RestoreInProgress": False,
    }
    try:
        # the writer thread: copying a large table must not hold up the event loop
        restored = await service.write_in_background(
            point_in_time_history.restore, source_name, float("inf") if latest else at, name, meta
        )
    except LookupError:  # the source was deleted meanwhile
        raise point_in_time.table_not_found(source_name) from None
    if restored is None:
        raise already_exists(name)
    table, version = restored
    service.catalog.installed(table, name, version)
    # the restore's answer says where the table came from; DescribeTable does not (live probes
    # of DynamoDB, 2026-10: RestoreSummary goes once the table is ACTIVE)
    return {"TableDescription": {**live_description(service, table), "RestoreSummary": summary}}
