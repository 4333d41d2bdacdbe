"""StreamSpecification on CreateTable and UpdateTable: DynamoDB's checks and messages, and the
LatestStreamArn/LatestStreamLabel a newly enabled stream gets."""

from __future__ import annotations

import time
from typing import Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.streams.storage import new_label

INVALID = "One or more parameter values were invalid: "


def check_create(spec: dict[str, Any] | None) -> None:
    if spec is None:
        return
    if spec.get("StreamEnabled") and not spec.get("StreamViewType"):
        raise DynamoError.validation(
            INVALID + "Table is being created with a stream enabled, UpdateViewType is required"
        )
    if not spec.get("StreamEnabled") and spec.get("StreamViewType"):
        raise DynamoError.validation(
            INVALID + "Table is being created with a stream disabled, UpdateViewType should not be specified"
        )


def enable(meta: dict[str, Any], spec: dict[str, Any]) -> None:
    """Give the table a new stream (a new label and ARN every time a stream is enabled)."""
    label = new_label(time.time())
    meta["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": spec["StreamViewType"]}
    meta["LatestStreamLabel"] = label
    meta["LatestStreamArn"] = f"{meta['TableArn']}/stream/{label}"


def check_update(spec: dict[str, Any]) -> None:
    """The checks that need no table (they come before the table lookup)."""
    if spec.get("StreamEnabled") and not spec.get("StreamViewType"):
        raise DynamoError.validation(INVALID + "If stream is being enabled then UpdateViewType is required")
    if not spec.get("StreamEnabled") and spec.get("StreamViewType"):
        raise DynamoError.validation(
            INVALID + "If stream is being disabled, then UpdateViewType must not be specified"
        )


def apply_update(meta: dict[str, Any], spec: dict[str, Any]) -> None:
    """UpdateTable's StreamSpecification: enable a new stream or disable the current one. A
    disabled table keeps LatestStreamArn/Label and loses StreamSpecification, as DynamoDB shows it."""
    check_update(spec)
    enabled = bool((meta.get("StreamSpecification") or {}).get("StreamEnabled"))
    if spec.get("StreamEnabled"):
        if enabled:
            raise DynamoError.validation(
                f"Table already has an enabled stream: TableName: {meta['TableName']}"
            )
        enable(meta, spec)
    else:
        if not enabled:
            raise DynamoError.validation(f"Table has no stream to disable: TableName: {meta['TableName']}")
        meta.pop("StreamSpecification", None)
