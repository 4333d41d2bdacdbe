"""Point-in-time recovery settings as DynamoDB reports them (the state is kept and reported;
LumaDB takes no continuous backups)."""

from __future__ import annotations

from typing import Any

from lumadb.dynamodb.errors import DYNAMODB, DynamoError

DEFAULT_RECOVERY_DAYS = 35


def table_not_found(name: str) -> DynamoError:
    return DynamoError(DYNAMODB + "TableNotFoundException", f"Table not found: {name}")


def description(meta: dict[str, Any]) -> dict[str, Any]:
    state = meta.get("PointInTimeRecovery") or {}
    pitr: dict[str, Any]
    if state.get("Enabled"):
        pitr = {
            "PointInTimeRecoveryStatus": "ENABLED",
            "RecoveryPeriodInDays": state.get("RecoveryPeriodInDays", DEFAULT_RECOVERY_DAYS),
            "EarliestRestorableDateTime": state.get("EnabledAt", meta["CreationDateTime"]),
            "LatestRestorableDateTime": state.get("Now"),
        }
    else:
        pitr = {"PointInTimeRecoveryStatus": "DISABLED"}
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr}
