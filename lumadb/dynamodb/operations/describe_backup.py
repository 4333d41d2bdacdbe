"""DescribeBackup: a backup's details and the source table as it was backed up. The backup is
found whatever region its ARN names, and the ARN is echoed as given (backups.parse_arn)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import backups
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    arn = body["BackupArn"]
    backup = service.read_now(backups.find, *backups.parse_arn(arn))
    if backup is None:
        raise backups.not_found(arn)
    return {"BackupDescription": backups.description(backup, arn=arn)}
