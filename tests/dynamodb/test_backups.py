"""On-demand backups with boto3: CreateBackup, DescribeBackup, ListBackups, DeleteBackup and
RestoreTableFromBackup (items, indexes, overrides, what a restore leaves out, errors)."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.dynamodb.helpers import error_of, table_name
from tests.dynamodb.indexed_tables import all_items, fill

ARN = re.compile(r"^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table/([^/]+)/backup/\d{14}-[0-9a-f]{8}$")
def test_backup_and_restore_round_trip(ddb: Any, indexed: str, restored: list[str]) -> None:
    name = indexed
    fill(ddb, name, 300)
    before = all_items(ddb, name)
    details = ddb.create_backup(TableName=name, BackupName="nightly.1")["BackupDetails"]
    assert ARN.match(details["BackupArn"]).group(1) == name  # type: ignore[union-attr]
    assert details["BackupName"] == "nightly.1"
    assert details["BackupStatus"] == "CREATING" and details["BackupType"] == "USER"
    assert details["BackupSizeBytes"] == ddb.describe_table(TableName=name)["Table"]["TableSizeBytes"] > 0
    arn = details["BackupArn"]

    # later writes and even the table's deletion do not touch the backup
    ddb.put_item(TableName=name, Item={"pk": {"S": "late"}, "sk": {"N": "1"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "p0"}, "sk": {"N": "0"}})
    ddb.delete_table(TableName=name)

    target = table_name()
    restored.append(target)
    table = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)["TableDescription"]
    assert table["TableName"] == target and table["TableStatus"] == "ACTIVE"
    assert table["ItemCount"] == 300
    summary = table["RestoreSummary"]
    assert summary["SourceBackupArn"] == arn and summary["SourceTableArn"].endswith(f":table/{name}")
    assert summary["RestoreInProgress"] is False
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"by_g"}
    assert table["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 300
    assert table["LocalSecondaryIndexes"][0]["IndexArn"].startswith(table["TableArn"] + "/index/")
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert all_items(ddb, target) == before

    # the indexes were rebuilt from the items
    by_g = ddb.query(TableName=target, IndexName="by_g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "g1"}}, Select="COUNT")  # fmt: skip
    assert by_g["Count"] == 100
    by_l = ddb.query(TableName=target, IndexName="by_l", KeyConditionExpression="pk = :p AND l < :l",
                     ExpressionAttributeValues={":p": {"S": "p3"}, ":l": {"N": "-200"}})  # fmt: skip
    assert [int(i["sk"]["N"]) for i in by_l["Items"]] == sorted((i for i in range(201, 300) if i % 7 == 3), reverse=True)
    assert set(by_l["Items"][0]) == {"pk", "sk", "l"}
    described = ddb.describe_table(TableName=target)["Table"]
    assert "RestoreSummary" not in described  # only the restore says it (live probes of DynamoDB, 2026-10)
    assert described["TableSizeBytes"] == details["BackupSizeBytes"]
    # the restored table takes writes and keeps its indexes current
    ddb.put_item(TableName=target, Item={"pk": {"S": "new"}, "sk": {"N": "1"}, "g": {"S": "g1"}})
    assert ddb.query(TableName=target, IndexName="by_g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "g1"}}, Select="COUNT")["Count"] == 101  # fmt: skip


def test_describe_list_and_delete(ddb: Any, make_table: Any) -> None:
    name = make_table(("pk", "S"), ("sk", "N"), StreamSpecification={"StreamEnabled": True,
                      "StreamViewType": "KEYS_ONLY"})  # fmt: skip
    other = make_table()
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    started = time.time() - 1
    first = ddb.create_backup(TableName=name, BackupName="one1")["BackupDetails"]
    second = ddb.create_backup(TableName=name, BackupName="two2")["BackupDetails"]
    elsewhere = ddb.create_backup(TableName=other, BackupName="three3")["BackupDetails"]

    description = ddb.describe_backup(BackupArn=first["BackupArn"])["BackupDescription"]
    assert description["BackupDetails"] == {**first, "BackupStatus": "AVAILABLE"}
    source = description["SourceTableDetails"]
    table = ddb.describe_table(TableName=name)["Table"]
    assert source["TableName"] == name and source["TableArn"] == table["TableArn"]
    assert source["TableId"] == table["TableId"] and source["ItemCount"] == 1
    assert source["BillingMode"] == "PAY_PER_REQUEST" and source["KeySchema"] == table["KeySchema"]
    assert source["TableCreationDateTime"] == table["CreationDateTime"]
    features = description["SourceTableFeatureDetails"]
    assert features["StreamDescription"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert features["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}

    of_table = ddb.list_backups(TableName=name)["BackupSummaries"]
    assert [b["BackupName"] for b in of_table] == ["one1", "two2"]
    assert of_table[0]["TableArn"] == table["TableArn"] and of_table[0]["BackupStatus"] == "AVAILABLE"
    assert [b["BackupName"] for b in ddb.list_backups(TableName=table["TableArn"])["BackupSummaries"]] == [
        "one1",
        "two2",
    ]
    mine = {first["BackupArn"], second["BackupArn"], elsewhere["BackupArn"]}
    everything = ddb.list_backups(TimeRangeLowerBound=started)["BackupSummaries"]
    assert mine <= {b["BackupArn"] for b in everything}
    assert ddb.list_backups(TableName=name, BackupType="SYSTEM")["BackupSummaries"] == []
    assert len(ddb.list_backups(TableName=name, BackupType="ALL")["BackupSummaries"]) == 2
    upper = ddb.list_backups(TableName=name, TimeRangeUpperBound=second["BackupCreationDateTime"])
    assert [b["BackupName"] for b in upper["BackupSummaries"]] == ["one1"]  # the upper bound is exclusive
    page = ddb.list_backups(TableName=name, Limit=1)
    assert [b["BackupName"] for b in page["BackupSummaries"]] == ["one1"]
    assert page["LastEvaluatedBackupArn"] == first["BackupArn"]
    rest = ddb.list_backups(TableName=name, Limit=1, ExclusiveStartBackupArn=page["LastEvaluatedBackupArn"])
    assert [b["BackupName"] for b in rest["BackupSummaries"]] == ["two2"] and "LastEvaluatedBackupArn" not in rest
    paged = ddb.get_paginator("list_backups").paginate(TableName=name, PaginationConfig={"PageSize": 1})
    assert [b["BackupName"] for b in paged.build_full_result()["BackupSummaries"]] == ["one1", "two2"]

    deleted = ddb.delete_backup(BackupArn=first["BackupArn"])["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    assert [b["BackupName"] for b in ddb.list_backups(TableName=name)["BackupSummaries"]] == ["two2"]
    # a page that ended on a backup deleted since goes on after it
    rest = ddb.list_backups(TableName=name, ExclusiveStartBackupArn=first["BackupArn"])
    assert [b["BackupName"] for b in rest["BackupSummaries"]] == ["two2"]
    missing = ("BackupNotFoundException", f"Backup not found: {first['BackupArn']}")
    assert error_of(ddb.describe_backup, BackupArn=first["BackupArn"]) == missing
    assert error_of(ddb.delete_backup, BackupArn=first["BackupArn"]) == missing
    for arn in (second["BackupArn"], elsewhere["BackupArn"]):
        ddb.delete_backup(BackupArn=arn)


def test_restore_leaves_out_what_dynamodb_does(ddb: Any, make_table: Any, restored: list[str]) -> None:
    name = make_table(("pk", "S"), BillingMode="PROVISIONED", TableClass="STANDARD_INFREQUENT_ACCESS",
                      ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
                      StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                      Tags=[{"Key": "team", "Value": "a"}], DeletionProtectionEnabled=True)  # fmt: skip
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    arn = ddb.create_backup(TableName=name, BackupName="b-1")["BackupDetails"]["BackupArn"]
    target = table_name()
    restored.append(target)
    table = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)["TableDescription"]
    assert "BillingModeSummary" not in table  # as for any table never PAY_PER_REQUEST
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert "TableClassSummary" not in table  # (live probes of DynamoDB, 2026-10)
    assert "StreamSpecification" not in table and "LatestStreamArn" not in table
    assert table["DeletionProtectionEnabled"] is False
    assert ddb.describe_time_to_live(TableName=target)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    assert ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"] == []
    pitr = ddb.describe_continuous_backups(TableName=target)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    ddb.delete_backup(BackupArn=arn)


def test_restore_overrides(ddb: Any, indexed: str, restored: list[str]) -> None:
    name = indexed
    fill(ddb, name, 30)
    arn = ddb.create_backup(TableName=name, BackupName="b-2")["BackupDetails"]["BackupArn"]
    target = table_name()
    restored.append(target)
    table = ddb.restore_table_from_backup(
        TargetTableName=target,
        BackupArn=arn,
        BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
        GlobalSecondaryIndexOverride=[],
        LocalSecondaryIndexOverride=[],
        SSESpecificationOverride={"Enabled": True, "SSEType": "KMS"},
    )["TableDescription"]
    assert "BillingModeSummary" not in table
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert "GlobalSecondaryIndexes" not in table and "LocalSecondaryIndexes" not in table
    assert {d["AttributeName"] for d in table["AttributeDefinitions"]} == {"pk", "sk"}
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["ItemCount"] == 30 and len(all_items(ddb, target)) == 30
    # overrides are checked against the billing mode they make and the source's indexes (live
    # probes of DynamoDB, 2026-10); nothing is created
    throughput = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    by_g = {"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}  # fmt: skip
    for overrides, message in (
        ({"BillingModeOverride": "PROVISIONED"},
         "Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED"),
        ({"ProvisionedThroughputOverride": throughput},
         "Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED"),
        ({"BillingModeOverride": "PROVISIONED", "ProvisionedThroughputOverride": throughput,
          "OnDemandThroughputOverride": {"MaxReadRequestUnits": 10}},
         "Cannot override MaxReadRequestUnits for OnDemandThroughput unless BillingModeOverride is PAY_PER_REQUEST"),
        ({"GlobalSecondaryIndexOverride": [{"IndexName": "new", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "ALL"}}]},
         "Index new does not match a secondary index that existed in the source table and cannot be created "
         "during the restore operation"),
        ({"GlobalSecondaryIndexOverride": [{**by_g, "Projection": {"ProjectionType": "KEYS_ONLY"}}]},
         "Index by_g does not match a secondary index that existed in the source table and cannot be created "
         "during the restore operation"),
        ({"BillingModeOverride": "PROVISIONED", "ProvisionedThroughputOverride": throughput,
          "GlobalSecondaryIndexOverride": [by_g]}, "Must specify provisioned throughput for index by_g"),
        ({"GlobalSecondaryIndexOverride": [{**by_g, "ProvisionedThroughput": throughput}]},
         "Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST for index by_g"),
    ):  # fmt: skip
        target = table_name()
        assert error_of(ddb.restore_table_from_backup, TargetTableName=target, BackupArn=arn, **overrides) == (
            "ValidationException", "Invalid Request: " + message), overrides  # fmt: skip
        assert error_of(ddb.describe_table, TableName=target)[0] == "ResourceNotFoundException"
    ddb.delete_backup(BackupArn=arn)


def test_errors(ddb: Any, make_table: Any) -> None:
    name = make_table()
    missing = table_name()
    assert error_of(ddb.create_backup, TableName=missing, BackupName="abc") == (
        "TableNotFoundException",
        f"Table not found: {missing}",
    )
    arn = ddb.create_backup(TableName=name, BackupName="abc")["BackupDetails"]["BackupArn"]
    assert error_of(ddb.restore_table_from_backup, TargetTableName=name, BackupArn=arn) == (
        "TableAlreadyExistsException",
        f"Table already exists: {name}",
    )
    gone = arn[:-8] + "00000000"
    assert error_of(ddb.restore_table_from_backup, TargetTableName=table_name(), BackupArn=gone) == (
        "BackupNotFoundException",
        f"Backup not found: {gone}",
    )
    code, message = error_of(ddb.create_backup, TableName=name, BackupName="a b")
    assert code == "ValidationException" and "backupName" in message
    # live probes of DynamoDB, 2026-10: a plain table's features are `{}`; a reversed time range
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["SourceTableFeatureDetails"] == {}
    now = time.time()
    assert error_of(ddb.list_backups, TimeRangeLowerBound=now, TimeRangeUpperBound=now - 60) == (
        "ValidationException",
        "One or more parameter values were invalid: Time range lower bound must be less than or equal to upper bound",
    )
    ddb.delete_backup(BackupArn=arn)
