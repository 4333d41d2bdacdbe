"""Table control plane with boto3: CreateTable, DescribeTable, ListTables, UpdateTable,
DeleteTable, tags, limits, endpoints and continuous backups, including DynamoDB's errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name

HASH_S = {"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
          "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}  # fmt: skip


def test_create_table_describes_an_active_table(ddb: Any, make_table: Any) -> None:
    name = table_name()
    make_table(("pk", "S"), ("sk", "N"), TableName=name, Tags=[{"Key": "team", "Value": "x"}])
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableName"] == name
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table["AttributeDefinitions"][1] == {"AttributeName": "sk", "AttributeType": "N"}
    assert table["ItemCount"] == 0 and table["TableSizeBytes"] == 0
    assert table["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    assert len(table["TableId"]) == 36
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ProvisionedThroughput"] == {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": 0,
        "WriteCapacityUnits": 0,
    }
    assert table["DeletionProtectionEnabled"] is False
    assert ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"] == [{"Key": "team", "Value": "x"}]


def test_create_table_provisioned_and_table_class(ddb: Any, make_table: Any) -> None:
    name = make_table(
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3},
        TableClass="STANDARD_INFREQUENT_ACCESS",
        DeletionProtectionEnabled=True,
    )
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    assert "BillingModeSummary" not in table  # never on demand
    assert table["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    assert table["DeletionProtectionEnabled"] is True


def test_the_default_table_class_is_reported_once_set(ddb: Any, make_table: Any) -> None:
    """Live probes of DynamoDB, 2026-10: STANDARD on a table that never set a class is no change;
    set back from another class, it is reported."""
    name = make_table()
    ddb.update_table(TableName=name, TableClass="STANDARD")
    assert "TableClassSummary" not in ddb.describe_table(TableName=name)["Table"]
    ddb.update_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS")
    ddb.update_table(TableName=name, TableClass="STANDARD")
    summary = ddb.describe_table(TableName=name)["Table"]["TableClassSummary"]
    assert summary["TableClass"] == "STANDARD" and "LastUpdateDateTime" in summary


def test_create_existing_table_is_resource_in_use(ddb: Any, make_table: Any) -> None:
    name = make_table()
    code, message = error_of(ddb.create_table, TableName=name, BillingMode="PAY_PER_REQUEST", **HASH_S)
    assert (code, message) == ("ResourceInUseException", f"Table already exists: {name}")


@pytest.mark.parametrize(
    ("definitions", "schema", "message"),
    [
        (
            [("pk", "S")],
            [("pk", "HASH"), ("sk", "RANGE")],
            "Invalid KeySchema: Some index key attribute have no definition",
        ),
        (
            [("a", "S")],
            [("pk", "HASH")],
            "One or more parameter values were invalid: Some index key attributes are not defined in "
            "AttributeDefinitions. Keys: [pk], AttributeDefinitions: [a]",
        ),
        (
            [("pk", "S")],
            [("pk", "RANGE")],
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        (
            [("pk", "S"), ("sk", "S")],
            [("pk", "HASH"), ("sk", "HASH")],
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ),
        (
            [("pk", "S"), ("sk", "S")],
            [("pk", "HASH"), ("pk", "RANGE")],
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ),
        (
            [("pk", "S"), ("x", "S")],
            [("pk", "HASH")],
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match "
            "number of attributes defined in AttributeDefinitions",
        ),
        ([("pk", "S"), ("pk", "N")], [("pk", "HASH")], "Attribute Name is duplicated: pk"),
    ],
)
def test_create_table_key_schema_errors(ddb: Any, definitions: list, schema: list, message: str) -> None:
    code, text = error_of(
        ddb.create_table,
        TableName=table_name(),
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in definitions],
        KeySchema=[{"AttributeName": n, "KeyType": t} for n, t in schema],
    )
    assert (code, text) == ("ValidationException", message)


def test_create_table_billing_errors(ddb: Any) -> None:
    code, message = error_of(
        ddb.create_table,
        TableName=table_name(),
        BillingMode="PAY_PER_REQUEST",
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        **HASH_S,
    )
    assert message == (
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
        "specified when BillingMode is PAY_PER_REQUEST"
    )
    code, message = error_of(ddb.create_table, TableName=table_name(), **HASH_S)
    assert (code, message) == (
        "ValidationException",
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be "
        "specified when BillingMode is PROVISIONED",
    )


def test_describe_missing_table(ddb: Any) -> None:
    name = table_name()
    assert error_of(ddb.describe_table, TableName=name) == (
        "ResourceNotFoundException",
        f"Requested resource not found: Table: {name} not found",
    )


def test_list_tables_pages_in_name_order(ddb: Any, make_table: Any) -> None:
    prefix = table_name()
    names = [make_table(TableName=f"{prefix}-{i}") for i in range(5)]
    seen: list[str] = []
    start = None
    while True:
        kwargs: dict[str, Any] = {"Limit": 2}
        if start:
            kwargs["ExclusiveStartTableName"] = start
        page = ddb.list_tables(**kwargs)
        seen.extend(page["TableNames"])
        start = page.get("LastEvaluatedTableName")
        if not start:
            break
        assert len(page["TableNames"]) == 2
    assert [n for n in seen if n.startswith(prefix)] == names
    assert seen == sorted(seen)
    paginated = [n for p in ddb.get_paginator("list_tables").paginate() for n in p["TableNames"]]
    assert set(names) <= set(paginated)


def test_delete_table_returns_deleting_then_gone(ddb: Any, make_table: Any) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    description = ddb.delete_table(TableName=name)["TableDescription"]
    assert description["TableStatus"] == "DELETING"
    assert description["ItemCount"] == 1
    # DeleteTable describes less than DescribeTable (Alternator's tests, run against DynamoDB)
    assert description["TableName"] == name and description["TableId"] and description["TableArn"]
    assert not {"CreationDateTime", "KeySchema", "AttributeDefinitions"} & set(description)
    assert error_of(ddb.delete_table, TableName=name)[0] == "ResourceNotFoundException"
    assert error_of(ddb.get_item, TableName=name, Key={"pk": {"S": "a"}}) == (
        "ResourceNotFoundException",
        "Requested resource not found",
    )
    # a table re-created under the same name starts empty
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **HASH_S)
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})
    ddb.delete_table(TableName=name)


def test_deletion_protection(ddb: Any, make_table: Any) -> None:
    name = make_table(DeletionProtectionEnabled=True)
    assert error_of(ddb.delete_table, TableName=name) == (
        "ValidationException",
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
    )
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    ddb.delete_table(TableName=name)


def test_update_table_throughput_and_billing(ddb: Any, make_table: Any) -> None:
    name = make_table(
        BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    )
    table = ddb.update_table(
        TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 2}
    )["TableDescription"]
    throughput = table["ProvisionedThroughput"]
    assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (10, 2)
    assert throughput["NumberOfDecreasesToday"] == 1
    assert "LastIncreaseDateTime" in throughput and "LastDecreaseDateTime" in throughput
    code, message = error_of(
        ddb.update_table,
        TableName=name,
        ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 2},
    )
    assert code == "ValidationException"
    assert message.startswith("The provisioned throughput for the table will not change.")
    table = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert error_of(
        ddb.update_table,
        TableName=name,
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )[1].startswith("One or more parameter values were invalid: Neither ReadCapacityUnits")
    code, message = error_of(ddb.update_table, TableName=name)
    assert message.startswith("At least one of ProvisionedThroughput, BillingMode")
    assert error_of(ddb.update_table, TableName=table_name(), DeletionProtectionEnabled=True)[0] == (
        "ResourceNotFoundException"
    )


def test_describe_limits_and_endpoints(ddb: Any, server: Any) -> None:
    limits = ddb.describe_limits()
    assert limits["TableMaxReadCapacityUnits"] == 40000 and limits["AccountMaxWriteCapacityUnits"] == 80000
    endpoints = ddb.describe_endpoints()["Endpoints"]
    assert endpoints == [{"Address": f"127.0.0.1:{server.port}/dynamodb", "CachePeriodInMinutes": 1440}]


def test_continuous_backups_state_is_kept(ddb: Any, make_table: Any) -> None:
    name = make_table()
    described = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert described["ContinuousBackupsStatus"] == "ENABLED"
    assert described["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    updated = ddb.update_continuous_backups(
        TableName=name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7},
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert updated["PointInTimeRecoveryStatus"] == "ENABLED" and updated["RecoveryPeriodInDays"] == 7
    again = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert again["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    missing = table_name()
    assert error_of(ddb.describe_continuous_backups, TableName=missing) == (
        "TableNotFoundException",
        f"Table not found: {missing}",
    )


def test_table_name_may_be_an_arn(ddb: Any, make_table: Any) -> None:
    name = make_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.put_item(TableName=arn, Item={"pk": {"S": "x"}})
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "x"}})["Item"] == {"pk": {"S": "x"}}
    assert ddb.describe_table(TableName=arn)["Table"]["TableName"] == name


def test_create_table_needs_a_key_schema_and_definitions(ddb: Any, server: Any) -> None:
    from tests.dynamodb.test_protocol import call, target

    status, _, body = call(
        server.url,
        **target(
            "CreateTable",
            {
                "TableName": table_name(),
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": HASH_S["AttributeDefinitions"],
            },
        ),
    )
    assert status == 400
    assert json.loads(body)["message"] == (
        "1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: Member must not be null"
    )
    status, _, body = call(
        server.url, **target("CreateTable", {"TableName": table_name(), "BillingMode": "PAY_PER_REQUEST"})
    )
    assert json.loads(body)["message"].startswith(
        "2 validation errors detected: Value null at 'attributeDefinitions'"
    )


def test_billing_mode_summary_appears_once_a_table_was_on_demand(ddb: Any) -> None:
    throughput = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    name = table_name()
    created = ddb.create_table(TableName=name, ProvisionedThroughput=throughput, **HASH_S)["TableDescription"]
    try:  # PROVISIONED by default: no summary
        assert "BillingModeSummary" not in created
        assert "BillingModeSummary" not in ddb.describe_table(TableName=name)["Table"]
        # a switch's answer names the mode only; DescribeTable adds the date (live probes, 2026-10)
        updated = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
        assert updated["BillingModeSummary"] == {"BillingMode": "PAY_PER_REQUEST"}
        summary = ddb.describe_table(TableName=name)["Table"]["BillingModeSummary"]
        assert summary["BillingMode"] == "PAY_PER_REQUEST" and "LastUpdateToPayPerRequestDateTime" in summary
        back = ddb.update_table(TableName=name, BillingMode="PROVISIONED", ProvisionedThroughput=throughput)
        assert back["TableDescription"]["BillingModeSummary"] == {"BillingMode": "PROVISIONED"}
        assert ddb.describe_table(TableName=name)["Table"]["BillingModeSummary"] == {**summary, "BillingMode": "PROVISIONED"}
    finally:
        ddb.delete_table(TableName=name)
    name = table_name()
    created = ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **HASH_S)["TableDescription"]
    try:  # the date is described from the first DescribeTable on, not in CreateTable's answer
        assert created["BillingModeSummary"] == {"BillingMode": "PAY_PER_REQUEST"}
        summary = ddb.describe_table(TableName=name)["Table"]["BillingModeSummary"]
        assert set(summary) == {"BillingMode", "LastUpdateToPayPerRequestDateTime"}
    finally:
        ddb.delete_table(TableName=name)


@pytest.mark.parametrize("operation", ["create_table", "update_table"])
def test_throughput_violations_name_write_units_first(ddb_unchecked: Any, operation: str) -> None:
    extra = HASH_S if operation == "create_table" else {}
    for given, value, constraint in (
        ({"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}, "'0'", "Member must have value greater than or equal to 1"),
        ({}, "null", "Member must not be null"),
    ):
        code, message = error_of(
            getattr(ddb_unchecked, operation), TableName=table_name(), ProvisionedThroughput=given, **extra
        )
        assert (code, message) == (
            "ValidationException",
            f"2 validation errors detected: Value {value} at 'provisionedThroughput.writeCapacityUnits' failed to "
            f"satisfy constraint: {constraint}; Value {value} at 'provisionedThroughput.readCapacityUnits' failed "
            f"to satisfy constraint: {constraint}",
        )


def test_provisioned_gsi_without_throughput(ddb: Any) -> None:
    code, message = error_of(
        ddb.create_table,
        TableName=table_name(),
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
    )  # fmt: skip
    assert (code, message) == (
        "ValidationException",
        "One or more parameter values were invalid: ProvisionedThroughput is not specified for index: gsi",
    )


def test_update_table_with_nothing_to_update(ddb: Any, make_table: Any) -> None:
    assert error_of(ddb.update_table, TableName=make_table()) == (
        "ValidationException",
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, "
        "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, "
        "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required",
    )


def test_invalid_table_class(ddb: Any, make_table: Any) -> None:
    expected = (
        "ValidationException",
        "Invalid table-class parameter provided. Please try again with a valid table-class value: "
        "[STANDARD, STANDARD_INFREQUENT_ACCESS].",
    )
    name = table_name()
    assert error_of(ddb.create_table, TableName=name, BillingMode="PAY_PER_REQUEST", TableClass="COLD", **HASH_S) == (
        expected
    )
    assert error_of(ddb.describe_table, TableName=name)[0] == "ResourceNotFoundException"
    assert error_of(ddb.update_table, TableName=make_table(), TableClass="COLD") == expected


def test_changes_that_must_be_alone_in_update_table(ddb: Any, make_table: Any) -> None:
    """Live probes of 33 pairs (2026-10): SSE, TableClass, DeletionProtection and WarmThroughput
    go alone, named in that order; OnDemandThroughput only with BillingMode."""
    name = make_table()
    only = "One or more parameter values were invalid: {} must be the only operation in the request"
    sse = {"Enabled": True}
    cases = [
        ({"DeletionProtectionEnabled": True, "BillingMode": "PAY_PER_REQUEST"}, only.format("DeletionProtection modification")),
        ({"DeletionProtectionEnabled": True, "TableClass": "STANDARD"}, only.format("TableClass modification")),
        ({"TableClass": "STANDARD", "BillingMode": "PAY_PER_REQUEST"}, only.format("TableClass modification")),
        ({"SSESpecification": sse, "DeletionProtectionEnabled": True}, only.format("Server-Side Encryption modification")),
        ({"SSESpecification": sse, "TableClass": "STANDARD"}, only.format("Server-Side Encryption modification")),
        ({"WarmThroughput": {"ReadUnitsPerSecond": 13000}, "DeletionProtectionEnabled": True},
         only.format("DeletionProtection modification")),
        ({"WarmThroughput": {"ReadUnitsPerSecond": 13000}, "StreamSpecification": {"StreamEnabled": False}},
         only.format("WarmThroughput")),
        ({"OnDemandThroughput": {"MaxReadRequestUnits": 10}, "StreamSpecification": {"StreamEnabled": False}},
         "One or more parameter values were invalid: OnDemandThroughput can only be combined with BillingMode "
         "in an UpdateTable request"),
        ({"OnDemandThroughput": {"MaxReadRequestUnits": 10}, "WarmThroughput": {"ReadUnitsPerSecond": 13000}},
         "One or more parameter values were invalid: OnDemandThroughput can only be combined with BillingMode "
         "in an UpdateTable request"),
    ]  # fmt: skip
    for change, message in cases:
        assert error_of(ddb.update_table, TableName=name, **change) == ("ValidationException", message), change
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["DeletionProtectionEnabled"] is False and "TableClassSummary" not in table
    assert "SSEDescription" not in table
    assert error_of(ddb.update_table, TableName=name, GlobalSecondaryIndexUpdates=[], DeletionProtectionEnabled=True) == (
        "ValidationException", "One or more parameter values were invalid: List of GlobalSecondaryIndexUpdates is empty")  # fmt: skip
    # an empty WarmThroughput is no change; BillingMode goes with OnDemandThroughput
    ddb.update_table(TableName=name, WarmThroughput={}, DeletionProtectionEnabled=False)
    ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST", OnDemandThroughput={"MaxReadRequestUnits": 10})


def test_disabling_point_in_time_recovery_takes_no_recovery_period(ddb: Any, make_table: Any) -> None:
    assert error_of(
        ddb.update_continuous_backups,
        TableName=make_table(),
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False, "RecoveryPeriodInDays": 7},
    ) == (
        "ValidationException",
        "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.",
    )


def test_a_malformed_arn_is_named_as_given(ddb: Any) -> None:
    for name in ("arn:foo", "arn:aws:dynamodb:us-east-1:000000000000:table/"):
        assert error_of(ddb.describe_table, TableName=name) == (
            "ResourceNotFoundException",
            f"Requested resource not found: Table: {name} not found",
        )
