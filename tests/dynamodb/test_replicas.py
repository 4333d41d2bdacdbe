"""Global table replicas (2019.11.21) through UpdateTable's ReplicaUpdates, described as DynamoDB
describes them (live probes of UpdateTable and DescribeTable, 2026-10; AWS's "Determining the
version" page): every member but the region asked from, GlobalTableVersion beside them."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.dynamodb.helpers import CLIENT_CONFIG, error_of, table_name


def _client(server: Any, region: str) -> Any:
    return boto3.client(
        "dynamodb", endpoint_url=server.url + "/dynamodb", config=CLIENT_CONFIG, region_name=region,
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
    )


@pytest.fixture
def home(server: Any) -> Any:
    return _client(server, "ap-south-1")


@pytest.fixture
def table(home: Any) -> Any:
    name = table_name()
    home.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
    )
    yield name
    home.delete_table(TableName=name)


def _regions(description: dict[str, Any]) -> list[str]:
    return [replica["RegionName"] for replica in description.get("Replicas", [])]


def test_replicas_are_described_from_every_region_but_their_own(server: Any, home: Any, table: str) -> None:
    answered = home.update_table(TableName=table, ReplicaUpdates=[{"Create": {"RegionName": "us-east-1"}}])
    description = answered["TableDescription"]
    # the change under way: the table UPDATING, the new replica not yet listed
    assert description["TableStatus"] == "UPDATING" and "Replicas" not in description
    assert description["GlobalTableVersion"] == "2019.11.21"
    assert description["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    home.update_table(TableName=table, ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1", "KMSMasterKeyId": "bar"}}])
    described = home.describe_table(TableName=table)["Table"]
    assert described["TableStatus"] == "ACTIVE" and described["GlobalTableVersion"] == "2019.11.21"
    assert _regions(described) == ["us-east-1", "eu-west-1"]
    assert {r["ReplicaStatus"] for r in described["Replicas"]} == {"ACTIVE"}
    # each member's settings mode and warm throughput, as DynamoDB shows them (live probes, 2026-10)
    assert described["GlobalTableSettingsReplicationMode"] == "ENABLED_WITH_OVERRIDES"
    assert described["Replicas"][0] == {
        "RegionName": "us-east-1", "ReplicaStatus": "ACTIVE", "GlobalTableSettingsReplicationMode": "ENABLED_WITH_OVERRIDES",
        "WarmThroughput": {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"},
        "GlobalSecondaryIndexes": [{"IndexName": "by-g"}],
    }  # fmt: skip
    eu = described["Replicas"][1]
    assert eu["KMSMasterKeyId"].startswith("arn:aws:kms:eu-west-1:000000000000:key/")
    assert eu["GlobalSecondaryIndexes"] == [{"IndexName": "by-g"}]
    assert _regions(_client(server, "us-east-1").describe_table(TableName=table)["Table"]) == ["ap-south-1", "eu-west-1"]
    assert _regions(_client(server, "eu-west-1").describe_table(TableName=table)["Table"]) == ["ap-south-1", "us-east-1"]
    # one table, whichever region writes or reads it
    _client(server, "eu-west-1").put_item(TableName=table, Item={"pk": {"S": "a"}})
    assert _client(server, "us-east-1").get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    assert error_of(home.update_table, TableName=table, StreamSpecification={"StreamEnabled": False}) == (
        "ValidationException",
        "One or more parameter values were invalid: Disabling Stream is not allowed for a Global Table replica.",
    )

    answered = home.update_table(TableName=table, ReplicaUpdates=[{"Delete": {"RegionName": "us-east-1"}}])
    assert answered["TableDescription"]["TableStatus"] == "UPDATING"
    assert _regions(answered["TableDescription"]) == ["us-east-1", "eu-west-1"]  # as it was
    home.update_table(TableName=table, ReplicaUpdates=[{"Delete": {"RegionName": "eu-west-1"}}])
    described = home.describe_table(TableName=table)["Table"]
    assert not {"Replicas", "GlobalTableVersion", "GlobalTableSettingsReplicationMode"} & set(described)
    assert described["StreamSpecification"]["StreamEnabled"] is True  # the stream stays


def test_replica_updates_are_checked_as_dynamodb_checks_them(home: Any, table: str) -> None:
    def refused(*updates: dict[str, Any], **other: Any) -> tuple[str, str]:
        return error_of(home.update_table, TableName=table, ReplicaUpdates=list(updates), **other)

    create = {"Create": {"RegionName": "us-east-1"}}
    assert refused(create, StreamSpecification={"StreamEnabled": False}) == (
        "ValidationException",
        "One or more parameter values were invalid: Replica modification must be the only operation in the request",
    )
    assert refused(create, {"Create": {"RegionName": "eu-west-1"}}) == (
        "ValidationException", "Update table operation with more than one create or delete replica actions not allowed"
    )
    assert refused(create, {"Delete": {"RegionName": "eu-west-1"}}) == (
        "ValidationException", "Update table operation with more than one type of replica actions not allowed."
    )
    assert refused({"Update": {"RegionName": "us-east-1"}}) == (
        "ValidationException", "There are no actions specified in the Replica Update Action of the request."
    )
    assert refused({"Create": {"RegionName": "ap-south-1"}}) == (
        "ValidationException",
        "Cannot add or delete the local region through ReplicaUpdates. "
        "Use CreateTable, DeleteTable, or UpdateTable as required.",
    )
    assert refused({"Delete": {"RegionName": "ca-central-1"}}) == (
        "ValidationException",
        "Update global table operation failed because one or more replicas were not part of the global table. "
        "Please retry the request without these replicas: [ca-central-1].",
    )
    home.update_table(TableName=table, ReplicaUpdates=[create, create])  # the same Create twice is one
    assert refused(create) == (
        "ValidationException",
        f"Failed to create a the new replica of table with name: \u2018{table}\u2019 because one or more "
        "replicas already existed as tables.",
    )
    home.update_table(TableName=table, ReplicaUpdates=[{"Update": {"RegionName": "us-east-1", "TableClassOverride": "STANDARD_INFREQUENT_ACCESS"}}])
    replica = home.describe_table(TableName=table)["Table"]["Replicas"][0]
    assert replica["ReplicaTableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    home.update_table(TableName=table, ReplicaUpdates=[{"Delete": {"RegionName": "us-east-1"}}])


def test_a_provisioned_table_needs_auto_scaling(home: Any) -> None:
    name = table_name()
    home.create_table(
        TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )
    try:
        assert error_of(home.update_table, TableName=name, ReplicaUpdates=[{"Create": {"RegionName": "us-east-1"}}]) == (
            "ValidationException", "Table write capacity should either be Pay-Per-Request or AutoScaled."
        )
    finally:
        home.delete_table(TableName=name)
