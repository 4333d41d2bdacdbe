"""Backup ARNs and SYSTEM backups as DynamoDB answers them (live probes of DynamoDB, 2026-10):
a backup is found by table name and id whatever region its ARN names, an ARN of no real
partition, service or region is refused, and deleting a table with point-in-time recovery on
leaves an undeletable SYSTEM backup that a restore can use."""

from __future__ import annotations

import time
from typing import Any

from tests.dynamodb.helpers import error_of, table_name

NOT_VALID = ("ValidationException", "Invalid Request: BackupArn is not valid")


def _swap(arn: str, index: int, value: str) -> str:
    parts = arn.split(":")
    parts[index] = value
    return ":".join(parts)


def test_the_region_of_a_backup_arn_is_not_its_identity(ddb: Any, make_table: Any) -> None:
    name = make_table()
    created = ddb.create_backup(TableName=name, BackupName="bk1")["BackupDetails"]
    assert created["BackupStatus"] == "CREATING"  # only in CreateBackup's answer
    arn = created["BackupArn"]
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    elsewhere = _swap(arn, 3, "eu-west-1")
    described = ddb.describe_backup(BackupArn=elsewhere)["BackupDescription"]
    assert described["BackupDetails"]["BackupArn"] == elsewhere  # echoed as given
    assert described["SourceTableDetails"]["TableName"] == name
    deleted = ddb.delete_backup(BackupArn=_swap(arn, 3, "us-east-2"))["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    assert error_of(ddb.describe_backup, BackupArn=arn) == ("BackupNotFoundException", f"Backup not found: {arn}")


def test_an_arn_of_no_real_partition_service_or_region_is_not_valid(ddb: Any, make_table: Any) -> None:
    name = make_table()
    arn = ddb.create_backup(TableName=name, BackupName="bk1")["BackupDetails"]["BackupArn"]
    table_arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    for bad in (_swap(arn, 3, "xx-fake-1"), _swap(arn, 1, "aws-cn"), _swap(arn, 2, "s3")):
        assert error_of(ddb.describe_backup, BackupArn=bad) == NOT_VALID, bad
        assert error_of(ddb.delete_backup, BackupArn=bad) == NOT_VALID, bad
        assert error_of(ddb.restore_table_from_backup, TargetTableName=table_name(), BackupArn=bad) == NOT_VALID
    for bad in (table_arn, "x" * 48):
        assert error_of(ddb.describe_backup, BackupArn=bad) == ("ValidationException", "Invalid Backup ARN")
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupArn"] == arn
    ddb.delete_backup(BackupArn=arn)


def test_deleting_a_table_with_recovery_on_leaves_a_system_backup(ddb: Any, make_table: Any) -> None:
    name = make_table(("pk", "S"), StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    ddb.put_item(TableName=name, Item={"pk": {"S": "kept"}, "n": {"N": "1"}})
    user = ddb.create_backup(TableName=name, BackupName="mine")["BackupDetails"]
    before = time.time()
    ddb.delete_table(TableName=name)

    assert [b["BackupName"] for b in ddb.list_backups(TableName=name)["BackupSummaries"]] == ["mine"]
    listed = ddb.list_backups(TableName=name, BackupType="SYSTEM")["BackupSummaries"]
    assert [(b["BackupName"], b["BackupType"]) for b in listed] == [(f"{name}$DeletedTableBackup", "SYSTEM")]
    system = listed[0]
    assert system["BackupArn"].endswith("-00000000") and system["BackupStatus"] == "AVAILABLE"
    created = system["BackupCreationDateTime"].timestamp()
    assert before - 1 < created < time.time() + 1
    assert system["BackupExpiryDateTime"].timestamp() - created == 35 * 24 * 3600
    everything = ddb.list_backups(TableName=name, BackupType="ALL")["BackupSummaries"]
    assert [b["BackupName"] for b in everything] == ["mine", f"{name}$DeletedTableBackup"]
    assert ddb.list_backups(TableName=name, BackupType="AWS_BACKUP")["BackupSummaries"] == []

    description = ddb.describe_backup(BackupArn=system["BackupArn"])["BackupDescription"]
    assert description["SourceTableFeatureDetails"] == {}  # the stream is not recorded
    assert description["BackupDetails"]["BackupType"] == "SYSTEM"
    assert "BackupExpiryDateTime" not in ddb.describe_backup(BackupArn=user["BackupArn"])["BackupDescription"][
        "BackupDetails"
    ]
    code, message = error_of(ddb.delete_backup, BackupArn=system["BackupArn"])
    expiry = system["BackupExpiryDateTime"].astimezone().strftime("%Y-%m-%d")
    assert code == "ValidationException"
    assert message.startswith(
        f"Invalid Request: User is not allowed to delete the system backup with arn {system['BackupArn']}. "
        f"It will automatically expire on {expiry}T"
    ) and message.endswith("Z"), message
    assert ddb.describe_backup(BackupArn=system["BackupArn"])["BackupDescription"]["BackupDetails"]["BackupName"]

    # it brings the deleted table back, under its own name
    restored = ddb.restore_table_from_backup(TargetTableName=name, BackupArn=system["BackupArn"])["TableDescription"]
    assert restored["ItemCount"] == 1
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "kept"}})["Item"]["n"] == {"N": "1"}
    ddb.delete_table(TableName=name)  # recovery is off on the restored table: no second SYSTEM backup
    assert len(ddb.list_backups(TableName=name, BackupType="SYSTEM")["BackupSummaries"]) == 1
    ddb.delete_backup(BackupArn=user["BackupArn"])


def test_no_system_backup_without_recovery(ddb: Any, make_table: Any) -> None:
    name = make_table()
    ddb.delete_table(TableName=name)
    assert ddb.list_backups(TableName=name, BackupType="ALL")["BackupSummaries"] == []
