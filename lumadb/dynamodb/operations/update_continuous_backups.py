"""UpdateContinuousBackups: switch point-in-time recovery on or off (state kept and reported)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import catalog, point_in_time
from lumadb.dynamodb.errors import DynamoError
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    name = body["TableName"]
    spec = body["PointInTimeRecoverySpecification"]
    enabled = bool(spec.get("PointInTimeRecoveryEnabled"))
    if not enabled and spec.get("RecoveryPeriodInDays") is not None:
        raise DynamoError.validation(
            "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery."
        )
    table = service.catalog.get(name)
    if table is None:
        raise point_in_time.table_not_found(catalog.table_name_from(name))

    def change(meta: dict[str, Any]) -> None:
        state = meta.get("PointInTimeRecovery") or {}
        if enabled:
            if not state.get("Enabled"):
                state = {"Enabled": True, "EnabledAt": catalog.now()}
            state["RecoveryPeriodInDays"] = spec.get("RecoveryPeriodInDays") or state.get(
                "RecoveryPeriodInDays", point_in_time.DEFAULT_RECOVERY_DAYS
            )
        else:
            state = {"Enabled": False}
        meta["PointInTimeRecovery"] = state

    changed = await service.change_table(table.name, change, point_in_time.table_not_found(table.name))
    assert changed is not None
    meta = dict(changed[0].meta)
    meta["PointInTimeRecovery"] = {**meta["PointInTimeRecovery"], "Now": catalog.now()}
    return {"ContinuousBackupsDescription": point_in_time.description(meta)}
