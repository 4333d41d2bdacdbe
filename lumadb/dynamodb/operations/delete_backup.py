"""DeleteBackup: drop a backup; the response describes it with BackupStatus DELETED."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import backups
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    arn = body["BackupArn"]
    backups.check_arn(arn)
    backup = await service.write_in_background(backups.delete, arn)
    if backup is None:
        raise backups.not_found(arn)
    return {"BackupDescription": backups.description(backup, "DELETED")}
