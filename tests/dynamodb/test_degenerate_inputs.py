"""Empty strings, empty structures and zeros as DynamoDB answers them: a catalogue of live probes
of the service (2026-10), request by request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name

INVALID = "One or more parameter values were invalid: "
KEY = {"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
       "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}  # fmt: skip


@pytest.fixture
def table(ddb: Any) -> Iterator[tuple[str, str, str]]:
    """(name, ARN, backup ARN) of an on-demand table with a GSI `gsi1` and one backup."""
    name = table_name()
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=KEY["KeySchema"],
        AttributeDefinitions=[*KEY["AttributeDefinitions"], {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "gsi1", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
    )  # fmt: skip
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    backup = ddb.create_backup(TableName=name, BackupName="bkp")["BackupDetails"]["BackupArn"]
    yield name, arn, backup
    ddb.delete_backup(BackupArn=backup)
    ddb.delete_table(TableName=name)


def test_create_and_update_table(ddb_unchecked: Any, table: tuple[str, str, str]) -> None:
    ddb, (name, _, _) = ddb_unchecked, table
    views = "Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"
    stream = {"StreamEnabled": True, "StreamViewType": ""}
    key_id = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": ""}
    at_least_one = ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                    "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
                    "ReplicaTransitRoleArn, {}DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or "
                    "TableClass is required")  # fmt: skip
    for call, kwargs, message in (
        (ddb.create_table, {"StreamSpecification": stream, **KEY},
         f"1 validation error detected: Value '' at 'streamSpecification.streamViewType' failed to satisfy constraint: {views}"),
        (ddb.update_table, {"TableName": name, "StreamSpecification": stream},
         f"1 validation error detected: Value '' at 'streamSpecification.streamViewType' failed to satisfy constraint: {views}"),
        (ddb.create_table, {"SSESpecification": key_id, **KEY},
         "1 validation error detected: Value '' at 'sSESpecification.kMSMasterKeyId' failed to satisfy constraint: "
         "Member must have length greater than or equal to 1"),
        (ddb.create_table, {"Tags": [{}], **KEY}, "The Tag Key provided is invalid, Key: null"),
        (ddb.create_table, {"ResourcePolicy": "{}", **KEY}, INVALID + "Invalid policy document: Syntax error at position (1,3)"),
        (ddb.update_table, {"TableName": name, "GlobalTableWitnessUpdates": [{}]}, at_least_one.format("MultiRegionConsistency, ")),
        (ddb.update_table, {"TableName": name, "GlobalTableWitnessUpdates": [{"Create": {"RegionName": ""}}]},
         at_least_one.format("MultiRegionConsistency, ")),
        (ddb.update_table, {"TableName": name, "MultiRegionConsistency": "EVENTUAL"}, at_least_one.format("")),
        (ddb.update_table, {"TableName": name, "TableClass": "STANDARD",
                            "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "gsi1", "WarmThroughput": {}}}]},
         INVALID + "WarmThroughput must have at least one of ReadUnitsPerSecond or WriteUnitsPerSecond specified for index: gsi1"),
    ):  # fmt: skip
        if call.__name__ == "create_table":
            kwargs = {"TableName": table_name(), **kwargs}
        assert error_of(call, **kwargs) == ("ValidationException", message), kwargs


def test_policies_tags_insights_and_backups(ddb_unchecked: Any, table: tuple[str, str, str]) -> None:
    ddb, (name, arn, backup) = ddb_unchecked, table
    document = "Invalid policy document: "
    statement = {"Version": "2012-10-17"}
    for policy, message in (
        ("", "This policy contains invalid Json"), ("[]", "This policy contains invalid Json"),
        ("null", "This text appears not to be a policy"),
        (json.dumps({**statement, "Statement": []}), "Could not parse the policy: Statement is empty!"),
        (json.dumps({**statement, "Statement": [{}]}), "Missing required field Effect"),
    ):  # fmt: skip
        assert error_of(ddb.put_resource_policy, ResourceArn=arn, Policy=policy) == (
            "ValidationException", INVALID + document + message)  # fmt: skip
    assert error_of(ddb.tag_resource, ResourceArn=arn, Tags=[{"Value": "v"}]) == (
        "ValidationException", "The Tag Key provided is invalid, Key: null")  # fmt: skip
    mode = ("1 validation error detected: Value '' at 'contributorInsightsMode' failed to satisfy constraint: "
            "Member must satisfy enum value set: [THROTTLED_KEYS, ACCESSED_AND_THROTTLED_KEYS]")  # fmt: skip
    assert error_of(ddb.update_contributor_insights, TableName=name, ContributorInsightsAction="ENABLE",
                    ContributorInsightsMode="") == ("ValidationException", mode)  # fmt: skip
    index_name = "IndexName must be at least 3 characters long and at most 255 characters long"
    assert error_of(ddb.describe_contributor_insights, TableName=name, IndexName="") == ("ValidationException", index_name)
    assert error_of(ddb.describe_backup, BackupArn="") == ("ValidationException", "Invalid Backup ARN")
    assert error_of(ddb.restore_table_from_backup, TargetTableName="", BackupArn=backup) == (
        "ValidationException", "TableName must be at least 3 characters long and at most 255 characters long")  # fmt: skip
    assert error_of(ddb.restore_table_from_backup, TargetTableName=table_name(), BackupArn=backup,
                    OnDemandThroughputOverride={"MaxReadRequestUnits": 0}) == (  # fmt: skip
        "ValidationException",
        "Invalid Request: Requested MaxReadRequestUnits for OnDemandThroughput is outside of valid range",
    )
