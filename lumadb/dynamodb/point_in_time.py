"""Point-in-time recovery settings as DynamoDB reports them (the history that restores use is
point_in_time_history.py's)."""

from __future__ import annotations

from typing import Any

from lumadb.dynamodb.errors import DYNAMODB, DynamoError

DEFAULT_RECOVERY_DAYS = 35


def table_not_found(name: str) -> DynamoError:
    return DynamoError(DYNAMODB + "TableNotFoundException", f"Table not found: {name}")


def enabled(meta: dict[str, Any]) -> bool:
    return bool((meta.get("PointInTimeRecovery") or {}).get("Enabled"))


def window(meta: dict[str, Any], now: float) -> tuple[float, float]:
    """(EarliestRestorableDateTime, LatestRestorableDateTime) of a table with recovery on: from
    when it was turned on, or the start of the recovery period, to now (every write is kept
    at once; DynamoDB's latest restorable time is about five minutes back)."""
    state = meta["PointInTimeRecovery"]
    period = state.get("RecoveryPeriodInDays", DEFAULT_RECOVERY_DAYS) * 24 * 60 * 60
    return max(state.get("EnabledAt", meta["CreationDateTime"]), now - period), now


def description(meta: dict[str, Any]) -> dict[str, Any]:
    state = meta.get("PointInTimeRecovery") or {}
    pitr: dict[str, Any]
    if state.get("Enabled"):
        earliest, latest = window(meta, state["Now"])
        pitr = {
            "PointInTimeRecoveryStatus": "ENABLED",
            "RecoveryPeriodInDays": state.get("RecoveryPeriodInDays", DEFAULT_RECOVERY_DAYS),
            "EarliestRestorableDateTime": earliest,
            "LatestRestorableDateTime": latest,
        }
    else:
        pitr = {"PointInTimeRecoveryStatus": "DISABLED"}
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr}
