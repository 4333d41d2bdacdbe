"""WarmThroughput as DynamoDB describes it (live probes, 2026-10): always there, 12,000/4,000 on
demand, the provisioned capacity otherwise, never lower than it has been, and more only."""

from __future__ import annotations

from typing import Any

from tests.dynamodb.helpers import error_of, table_name

ACTIVE_ON_DEMAND = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
GSI = {
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
    "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
}  # fmt: skip


def _warm(ddb: Any, name: str) -> Any:
    return ddb.describe_table(TableName=name)["Table"]["WarmThroughput"]


def test_on_demand_tables_and_indexes(ddb: Any) -> None:
    name = table_name()
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     BillingMode="PAY_PER_REQUEST", **GSI)  # fmt: skip
    try:
        _on_demand_table(ddb, name)
    finally:
        ddb.delete_table(TableName=name)


def _on_demand_table(ddb: Any, name: str) -> None:
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["WarmThroughput"] == ACTIVE_ON_DEMAND
    assert table["GlobalSecondaryIndexes"][0]["WarmThroughput"] == ACTIVE_ON_DEMAND
    invalid = "One or more parameter values were invalid: "
    assert error_of(ddb.update_table, TableName=name, WarmThroughput={"ReadUnitsPerSecond": 100}) == (
        "ValidationException",
        invalid + "Requested ReadUnitsPerSecond for WarmThroughput for table is lower than current WarmThroughput, "
        "decreasing WarmThroughput is not supported",
    )
    answered = ddb.update_table(TableName=name, WarmThroughput={"ReadUnitsPerSecond": 13000})["TableDescription"]
    assert answered["WarmThroughput"] == {"ReadUnitsPerSecond": 13000, "WriteUnitsPerSecond": 4000, "Status": "UPDATING"}
    assert _warm(ddb, name) == {**ACTIVE_ON_DEMAND, "ReadUnitsPerSecond": 13000}
    for update, message in (
        ({"IndexName": "by_g", "WarmThroughput": {}},
         "WarmThroughput must have at least one of ReadUnitsPerSecond or WriteUnitsPerSecond specified for index: by_g"),
        ({"IndexName": "by_g"},
         "The only Updates for index: by_g when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, "
         "WarmThroughput"),
    ):  # fmt: skip
        assert error_of(ddb.update_table, TableName=name, GlobalSecondaryIndexUpdates=[{"Update": update}]) == (
            "ValidationException", invalid + message
        )
    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[
        {"Update": {"IndexName": "by_g", "WarmThroughput": {"WriteUnitsPerSecond": 5000}}}])  # fmt: skip
    index = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
    assert index["WarmThroughput"] == {**ACTIVE_ON_DEMAND, "WriteUnitsPerSecond": 5000}


def test_provisioned_tables_keep_their_highest_capacity(ddb: Any, make_table: Any) -> None:
    name = make_table(BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    assert _warm(ddb, name) == {"ReadUnitsPerSecond": 1, "WriteUnitsPerSecond": 1, "Status": "ACTIVE"}
    ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 3})
    ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 1})
    assert _warm(ddb, name) == {"ReadUnitsPerSecond": 3, "WriteUnitsPerSecond": 3, "Status": "ACTIVE"}
    switched = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert switched["BillingModeSummary"] == {"BillingMode": "PAY_PER_REQUEST"}  # the date comes with DescribeTable
    assert "LastUpdateToPayPerRequestDateTime" in ddb.describe_table(TableName=name)["Table"]["BillingModeSummary"]
    ddb.update_table(TableName=name, BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})  # fmt: skip
    assert _warm(ddb, name) == ACTIVE_ON_DEMAND


def test_create_table_answers_it_only_when_asked(ddb: Any) -> None:
    plain, asked = table_name(), table_name()
    key = {"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
           "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}  # fmt: skip
    try:
        assert "WarmThroughput" not in ddb.create_table(TableName=plain, **key)["TableDescription"]
        answered = ddb.create_table(TableName=asked, WarmThroughput={"ReadUnitsPerSecond": 12001,
                                                                     "WriteUnitsPerSecond": 4001}, **key)  # fmt: skip
        assert answered["TableDescription"]["WarmThroughput"] == {
            "ReadUnitsPerSecond": 12001, "WriteUnitsPerSecond": 4001, "Status": "UPDATING"}  # fmt: skip
        assert _warm(ddb, asked)["Status"] == "ACTIVE"
    finally:
        for name in (plain, asked):
            ddb.delete_table(TableName=name)


def test_on_demand_caps(ddb: Any, make_table: Any) -> None:
    """Live probes of DynamoDB, 2026-10: -1 takes a cap off, none left none described; 0, -2 and a
    provisioned table refused."""
    invalid = "One or more parameter values were invalid: "
    name = make_table(OnDemandThroughput={"MaxReadRequestUnits": 1000, "MaxWriteRequestUnits": 500})
    answered = ddb.update_table(TableName=name, OnDemandThroughput={"MaxReadRequestUnits": -1})["TableDescription"]
    assert answered["OnDemandThroughput"] == {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": 500}  # the answer echoes -1
    assert ddb.describe_table(TableName=name)["Table"]["OnDemandThroughput"] == {"MaxWriteRequestUnits": 500}
    ddb.update_table(TableName=name, OnDemandThroughput={"MaxWriteRequestUnits": -1})
    assert "OnDemandThroughput" not in ddb.describe_table(TableName=name)["Table"]
    for value in (0, -2):
        assert error_of(ddb.update_table, TableName=name, OnDemandThroughput={"MaxReadRequestUnits": value}) == (
            "ValidationException",
            invalid + "Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range",
        )
    assert error_of(make_table, OnDemandThroughput={"MaxWriteRequestUnits": -1}) == (
        "ValidationException",
        invalid + "Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range",
    )
    assert error_of(make_table, BillingMode="PROVISIONED", OnDemandThroughput={"MaxReadRequestUnits": 5},
                    ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}) == (  # fmt: skip
        "ValidationException",
        invalid + "MaxReadRequestUnits for OnDemandThroughput cannot be specified when table BillingMode is "
        "PROVISIONED.",  # CreateTable's words; UpdateTable's say "when the table BillingMode"
    )


def test_index_caps_and_throughput(ddb: Any) -> None:
    """A GSI's caps are kept, merged and cleared as the table's; an on-demand table's GSI takes
    no throughput; the same throughput again is refused (live probes of DynamoDB, 2026-10)."""
    name = table_name()
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     BillingMode="PAY_PER_REQUEST", **GSI)  # fmt: skip
    invalid = "One or more parameter values were invalid: "
    try:
        def update(**change: Any) -> Any:
            return ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Update": {"IndexName": "by_g", **change}}])

        update(OnDemandThroughput={"MaxReadRequestUnits": 5000, "MaxWriteRequestUnits": 5000})
        update(OnDemandThroughput={"MaxWriteRequestUnits": -1})
        index = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
        assert index["OnDemandThroughput"] == {"MaxReadRequestUnits": 5000}
        assert error_of(update, OnDemandThroughput={"MaxReadRequestUnits": 0}) == (
            "ValidationException",
            invalid + "Requested MaxReadRequestUnits for OnDemandThroughput for index : by_g is outside of valid range",
        )
        assert error_of(update, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}) == (
            "ValidationException",
            invalid + "The only Updates for index: by_g when TableThroughputMode is PAY_PER_REQUEST can be to "
            "OnDemandThroughput, WarmThroughput",
        )
        ddb.update_table(TableName=name, BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                         GlobalSecondaryIndexUpdates=[{"Update": {"IndexName": "by_g", "ProvisionedThroughput": {
                             "ReadCapacityUnits": 50, "WriteCapacityUnits": 50}}}])  # fmt: skip
        assert error_of(update, ProvisionedThroughput={"ReadCapacityUnits": 50, "WriteCapacityUnits": 50}) == (
            "ValidationException",
            "The provisioned throughput for the index by_g will not change. The requested value equals the current "
            "value. Current ReadCapacityUnits provisioned for index by_g: 50. Requested ReadCapacityUnits: 50. "
            "Current WriteCapacityUnits provisioned for index by_g: 50. Requested WriteCapacityUnits: 50. Refer to "
            "the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
        )
    finally:
        ddb.delete_table(TableName=name)
