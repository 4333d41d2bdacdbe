"""DeleteBackup: drop a backup; the response describes it with BackupStatus DELETED. A SYSTEM
backup (lumadb/dynamodb/backups.py) is refused: it expires by itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from lumadb.dynamodb import backups
from lumadb.dynamodb.errors import DynamoError
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    arn = body["BackupArn"]
    backup = await service.write_in_background(backups.delete, *backups.parse_arn(arn))
    if backup is None:
        raise backups.not_found(arn)
    if backups.backup_type(backup) == "SYSTEM":  # (live probes of DynamoDB, 2026-10)
        expiry = datetime.fromtimestamp(backup["BackupExpiryDateTime"], UTC)
        raise DynamoError.validation(
            f"Invalid Request: User is not allowed to delete the system backup with arn {arn}. "
            f"It will automatically expire on {expiry.isoformat(timespec='milliseconds').replace('+00:00', 'Z')}"
        )
    return {"BackupDescription": backups.description(backup, "DELETED", arn)}
