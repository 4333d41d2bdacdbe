"""The legacy global tables (version 2017.11.29) as DynamoDB answers them today (live probes,
2026-10): no new one can be made, so an account has none. CreateGlobalTable, and an
UpdateGlobalTable that adds a replica, are refused in DynamoDB's words; the operations that
name a global table find none; ListGlobalTables lists none. Replicas are made with UpdateTable's
ReplicaUpdates (version 2019.11.21, lumadb/dynamodb/replicas.py)."""

from __future__ import annotations

from lumadb.dynamodb.errors import DYNAMODB, DynamoError
from lumadb.dynamodb.schema import INVALID

NOT_SUPPORTED = (
    INVALID + "DynamoDB global tables version 2017.11.29 is not supported. We recommend using DynamoDB global "
    "tables version 2019.11.21, instead of version 2017.11.29 (Legacy)."
)


def not_supported() -> DynamoError:
    return DynamoError.validation(NOT_SUPPORTED)


def not_found(name: str, prefixed: bool = True) -> DynamoError:
    """GlobalTableNotFoundException; DescribeGlobalTable's text says so twice, the settings
    operations' once."""
    message = f"Global table with name: '{name}' does not exist."
    return DynamoError(DYNAMODB + "GlobalTableNotFoundException", ("Global table not found: " if prefixed else "") + message)
