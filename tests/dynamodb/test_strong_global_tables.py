"""Multi-Region strongly consistent global tables (MultiRegionConsistency STRONG) and witnesses
through UpdateTable, as DynamoDB answers (live probes of DynamoDB, 2026-10): a STRONG group is made
whole in one request (two replicas, or a replica and a witness), cannot change after, and is
taken down whole."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.dynamodb.helpers import CLIENT_CONFIG, error_of, table_name

INVALID = "One or more parameter values were invalid: "
COUNT = "Unsupported replica count for global tables with MultiRegionConsistency set to STRONG."
ONE_DELETE = "Deletion of only one table replica is not supported for global tables with MultiRegionConsistency set to STRONG."


@pytest.fixture
def home(server: Any) -> Any:
    return boto3.client(
        "dynamodb", endpoint_url=server.url + "/dynamodb", config=CLIENT_CONFIG, region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
    )  # fmt: skip


@pytest.fixture
def table(home: Any) -> Any:
    name = table_name()
    home.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                      AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])  # fmt: skip
    return name


def _create(*regions: str) -> list[dict[str, Any]]:
    return [{"Create": {"RegionName": region}} for region in regions]


def _delete(*regions: str) -> list[dict[str, Any]]:
    return [{"Delete": {"RegionName": region}} for region in regions]


def _witness(action: str, region: str) -> list[dict[str, Any]]:
    return [{action: {"RegionName": region}}]


def test_what_a_strong_group_needs(home: Any, table: str) -> None:
    update = home.update_table
    cases = [
        ({"MultiRegionConsistency": "STRONG", "ReplicaUpdates": _create("us-east-2")}, COUNT),
        ({"ReplicaUpdates": _create("us-east-2"), "GlobalTableWitnessUpdates": _witness("Create", "us-west-2")},
         "MultiRegionConsistency must be set as STRONG when GlobalTableWitnessUpdates parameter is present."),
        ({"MultiRegionConsistency": "EVENTUAL", "ReplicaUpdates": _create("us-east-2"),
          "GlobalTableWitnessUpdates": _witness("Create", "us-west-2")},
         "MultiRegionConsistency must be set as STRONG when GlobalTableWitnessUpdates parameter is present."),
        ({"MultiRegionConsistency": "STRONG", "ReplicaUpdates": _create("us-east-2"),
          "GlobalTableWitnessUpdates": _witness("Create", "us-east-2")}, "Cannot target multiple regions with the same action"),
        ({"MultiRegionConsistency": "STRONG", "ReplicaUpdates": _create("us-east-2"),
          "GlobalTableWitnessUpdates": _witness("Create", "us-east-1")},
         "Cannot add a witness in the same region as an existing replica when creating a global table with "
         "MultiRegionConsistency set to STRONG."),
        ({"MultiRegionConsistency": "STRONG", "ReplicaUpdates": _create("us-west-1"),
          "GlobalTableWitnessUpdates": _witness("Create", "us-east-2")},
         "Unsupported Region(s) specified for global tables with MultiRegionConsistency set to STRONG: [us-west-1]."),
        ({"MultiRegionConsistency": "STRONG", "ReplicaUpdates": _create("us-east-2"),
          "GlobalTableWitnessUpdates": _witness("Create", "us-west-2"), "DeletionProtectionEnabled": True},
         INVALID + "Requests that modify replicas or witnesses must not also modify other fields"),
        ({"ReplicaUpdates": _create("us-east-2"), "DeletionProtectionEnabled": True},
         INVALID + "Replica modification must be the only operation in the request"),
        ({"ReplicaUpdates": _create("us-east-2"), "TableClass": "STANDARD_INFREQUENT_ACCESS"},
         INVALID + "Replica modification must be the only operation in the request"),
        ({"ReplicaUpdates": _create("us-east-2", "us-west-2")},
         "Update table operation with more than one create or delete replica actions not allowed"),
        ({"GlobalTableSettingsReplicationMode": "ENABLED_WITH_OVERRIDES"},
         "Value 'ENABLED_WITH_OVERRIDES' at 'GlobalTableSettingsReplicationMode' failed to satisfy constraint: "
         "Only ENABLED and DISABLED settings replication are supported for a Regional Table."),
    ]  # fmt: skip
    for request, message in cases:
        assert error_of(update, TableName=table, **request) == ("ValidationException", message), request
    # a witness alone is no change
    for request in ({"GlobalTableWitnessUpdates": _witness("Create", "us-west-2")},
                    {"MultiRegionConsistency": "STRONG", "GlobalTableWitnessUpdates": _witness("Create", "us-west-2")}):  # fmt: skip
        code, message = error_of(update, TableName=table, **request)
        assert code == "ValidationException" and message.startswith("At least one of ProvisionedThroughput"), message
    for mode in ("ENABLED", "DISABLED"):
        assert update(TableName=table, GlobalTableSettingsReplicationMode=mode)["TableDescription"]["TableName"] == table
    described = home.describe_table(TableName=table)["Table"]
    assert not {"Replicas", "GlobalTableWitnesses", "MultiRegionConsistency", "GlobalTableVersion"} & set(described)
    home.delete_table(TableName=table)


def test_a_replica_and_a_witness(home: Any, table: str) -> None:
    made = home.update_table(TableName=table, MultiRegionConsistency="STRONG", ReplicaUpdates=_create("us-east-2"),
                             GlobalTableWitnessUpdates=_witness("Create", "us-west-2"))["TableDescription"]  # fmt: skip
    assert (made["TableStatus"], made["MultiRegionConsistency"], made["GlobalTableVersion"]) == (
        "UPDATING", "STRONG", "2019.11.21")  # fmt: skip
    described = home.describe_table(TableName=table)["Table"]
    assert described["MultiRegionConsistency"] == "STRONG"
    assert described["GlobalTableWitnesses"] == [{"RegionName": "us-west-2", "WitnessStatus": "ACTIVE"}]
    assert [replica["RegionName"] for replica in described["Replicas"]] == ["us-east-2"]

    # the group is frozen
    frozen = [
        ({"ReplicaUpdates": _create("eu-west-1")}, "Cannot add replicas to a global table with strong MultiRegionConsistency"),
        ({"MultiRegionConsistency": "STRONG", "ReplicaUpdates": _create("eu-west-1")}, COUNT),
        ({"MultiRegionConsistency": "EVENTUAL", "ReplicaUpdates": _create("eu-west-1")},
         "MultiRegionConsistency parameter is unsupported on existing global table"),
        ({"MultiRegionConsistency": "STRONG", "ReplicaUpdates": _delete("us-east-2")},
         "Only Replica Create actions are supported when MultiRegionConsistency parameter is provided."),
        ({"ReplicaUpdates": _delete("us-east-2")}, "Update table delete operation does not include all witnesses."),
        ({"ReplicaUpdates": _delete("us-east-2"), "GlobalTableWitnessUpdates": _witness("Delete", "eu-west-1")},
         "Update global table operation failed because one or more witnesses were not part of the global table. "
         "Please retry the request without these witnesses: [eu-west-1]."),
    ]  # fmt: skip
    for request, message in frozen:
        assert error_of(home.update_table, TableName=table, **request) == ("ValidationException", message), request
    assert error_of(home.delete_table, TableName=table) == ("ValidationException", ONE_DELETE)

    # taken down whole: the table is a regional one again
    down = home.update_table(TableName=table, ReplicaUpdates=_delete("us-east-2"),
                             GlobalTableWitnessUpdates=_witness("Delete", "us-west-2"))["TableDescription"]  # fmt: skip
    assert down["TableStatus"] == "UPDATING" and down["MultiRegionConsistency"] == "STRONG"
    assert down["GlobalTableWitnesses"] == [{"RegionName": "us-west-2", "WitnessStatus": "ACTIVE"}]  # as they were
    described = home.describe_table(TableName=table)["Table"]
    assert not {"Replicas", "GlobalTableWitnesses", "MultiRegionConsistency", "GlobalTableVersion"} & set(described)
    assert described["StreamSpecification"]["StreamEnabled"] is True
    home.delete_table(TableName=table)


def test_three_replicas(home: Any, table: str) -> None:
    home.update_table(TableName=table, MultiRegionConsistency="STRONG", ReplicaUpdates=_create("us-east-2", "us-west-2"))
    described = home.describe_table(TableName=table)["Table"]
    assert [replica["RegionName"] for replica in described["Replicas"]] == ["us-east-2", "us-west-2"]
    assert described["MultiRegionConsistency"] == "STRONG" and "GlobalTableWitnesses" not in described
    assert error_of(home.update_table, TableName=table, ReplicaUpdates=_delete("us-east-2")) == (
        "ValidationException", ONE_DELETE)  # fmt: skip
    home.update_table(TableName=table, ReplicaUpdates=_delete("us-east-2", "us-west-2"))
    assert "Replicas" not in home.describe_table(TableName=table)["Table"]
    home.delete_table(TableName=table)


def test_an_eventual_group_takes_one_change_at_a_time(home: Any, table: str) -> None:
    made = home.update_table(TableName=table, MultiRegionConsistency="EVENTUAL", ReplicaUpdates=_create("us-east-2"))
    assert "MultiRegionConsistency" not in made["TableDescription"]  # EVENTUAL is not shown
    home.update_table(TableName=table, ReplicaUpdates=_create("eu-west-1"))
    assert error_of(home.update_table, TableName=table, ReplicaUpdates=_delete("us-east-2", "eu-west-1")) == (
        "ValidationException", "Update table operation with more than one create or delete replica actions not allowed"
    )  # fmt: skip
    for region in ("us-east-2", "eu-west-1"):
        home.update_table(TableName=table, ReplicaUpdates=_delete(region))
    home.delete_table(TableName=table)
