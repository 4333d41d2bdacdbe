"""The legacy global table operations (version 2017.11.29) as DynamoDB answers them today (live
probes of DynamoDB, 2026-10): none can be made, so none exists."""

from __future__ import annotations

from typing import Any

from tests.dynamodb.helpers import error_of

NOT_SUPPORTED = (
    "ValidationException",
    "One or more parameter values were invalid: DynamoDB global tables version 2017.11.29 is not supported. "
    "We recommend using DynamoDB global tables version 2019.11.21, instead of version 2017.11.29 (Legacy).",
)


def test_none_can_be_made_and_none_exists(ddb: Any, make_table: Any) -> None:
    name = make_table()
    group = [{"RegionName": "us-east-1"}, {"RegionName": "us-west-2"}]
    assert error_of(ddb.create_global_table, GlobalTableName=name, ReplicationGroup=group) == NOT_SUPPORTED
    assert error_of(ddb.create_global_table, GlobalTableName="nosuch", ReplicationGroup=group) == NOT_SUPPORTED
    assert error_of(ddb.update_global_table, GlobalTableName=name,
                    ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}]) == NOT_SUPPORTED  # fmt: skip
    assert error_of(ddb.update_global_table, GlobalTableName=name, ReplicaUpdates=[]) == (
        "ValidationException", "One or more parameter values were invalid")  # fmt: skip
    assert error_of(ddb.update_global_table, GlobalTableName=name,
                    ReplicaUpdates=[{"Delete": {"RegionName": "eu-west-1"}}])[0] == "GlobalTableNotFoundException"  # fmt: skip
    assert error_of(ddb.describe_global_table, GlobalTableName=name) == (
        "GlobalTableNotFoundException", f"Global table not found: Global table with name: '{name}' does not exist.")  # fmt: skip
    settings = ("GlobalTableNotFoundException", f"Global table with name: '{name}' does not exist.")
    assert error_of(ddb.describe_global_table_settings, GlobalTableName=name) == settings
    assert error_of(ddb.update_global_table_settings, GlobalTableName=name, GlobalTableBillingMode="PAY_PER_REQUEST") == settings
    listed = ddb.list_global_tables(RegionName="us-east-1", Limit=1)
    assert listed["GlobalTables"] == [] and "LastEvaluatedGlobalTableName" not in listed
    exceptions = ddb.exceptions  # the SDK models the error
    assert issubclass(exceptions.GlobalTableNotFoundException, exceptions.ClientError)
