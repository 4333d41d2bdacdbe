"""RestoreTableToPointInTime with boto3: the table as it was at a past second (puts, updates,
deletes, batch and transactional writes undone), its indexes rebuilt, the latest restorable
time, the recovery window and the errors."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name
from tests.dynamodb.indexed_tables import all_items, fill


def _instant() -> datetime.datetime:
    """A moment strictly between the writes before and after it (ms precision on the wire)."""
    time.sleep(0.01)
    moment = datetime.datetime.now(datetime.UTC)
    time.sleep(0.01)
    return moment


def _enable(ddb: Any, name: str) -> dict:
    return ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]


def _item(pk: str, sk: int, **extra: Any) -> dict:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}, "g": {"S": "g"}, "l": {"N": str(sk)}, **extra}


def test_restores_the_table_as_it_was(ddb: Any, indexed: str, restored: list[str]) -> None:
    name = indexed
    fill(ddb, name, 40)
    _enable(ddb, name)
    fill(ddb, name, 50)  # 10 more, 40 rewritten unchanged
    before = all_items(ddb, name)
    at = _instant()
    ddb.put_item(TableName=name, Item=_item("new", 1))
    ddb.update_item(TableName=name, Key={"pk": {"S": "p0"}, "sk": {"N": "0"}},
                    UpdateExpression="SET g = :g, extra = :x",
                    ExpressionAttributeValues={":g": {"S": "moved"}, ":x": {"S": "x"}})  # fmt: skip
    ddb.delete_item(TableName=name, Key={"pk": {"S": "p1"}, "sk": {"N": "1"}})
    ddb.batch_write_item(RequestItems={name: [{"DeleteRequest": {"Key": {"pk": {"S": "p2"}, "sk": {"N": "2"}}}}]})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": _item("p3", 3, more={"N": "1"})}},
        {"Delete": {"TableName": name, "Key": {"pk": {"S": "p4"}, "sk": {"N": "4"}}}},
    ])  # fmt: skip
    ddb.put_item(TableName=name, Item=_item("new", 1, again={"BOOL": True}))  # two changes to one item
    after = all_items(ddb, name)
    assert after != before

    target = table_name()
    restored.append(target)
    out = ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=target, RestoreDateTime=at)
    described = out["TableDescription"]
    assert described["TableStatus"] == "ACTIVE" and described["ItemCount"] == len(before)
    summary = described["RestoreSummary"]
    assert summary["SourceTableArn"].endswith("/" + name) and summary["RestoreInProgress"] is False
    assert abs(summary["RestoreDateTime"].timestamp() - at.timestamp()) < 0.002
    assert {i["IndexName"] for i in described["GlobalSecondaryIndexes"]} == {"by_g"}
    assert all_items(ddb, target) == before
    assert all_items(ddb, name) == after  # the source is untouched
    # the indexes hold the restored items: "moved" is not there, p0/0 is back under "g0"
    moved = ddb.query(TableName=target, IndexName="by_g", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": "moved"}})  # fmt: skip
    assert moved["Count"] == 0
    g0 = ddb.query(TableName=target, IndexName="by_g", KeyConditionExpression="g = :g",
                   ExpressionAttributeValues={":g": {"S": "g0"}})  # fmt: skip
    assert g0["Count"] == len([i for i in before if i["g"]["S"] == "g0"])

    # the restored table has no point-in-time recovery of its own
    state = ddb.describe_continuous_backups(TableName=target)["ContinuousBackupsDescription"]
    assert state["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"

    latest = table_name()
    restored.append(latest)
    ddb.restore_table_to_point_in_time(SourceTableArn=described["TableArn"].replace(target, name),
                                       TargetTableName=latest, UseLatestRestorableTime=True)  # fmt: skip
    assert all_items(ddb, latest) == after


def test_window_and_errors(ddb: Any, indexed: str, restored: list[str]) -> None:
    name = indexed
    target = table_name()
    restored.append(target)
    code, message = error_of(ddb.restore_table_to_point_in_time, SourceTableName=name, TargetTableName=target,
                             UseLatestRestorableTime=True)  # fmt: skip
    assert (code, message) == ("PointInTimeRecoveryUnavailableException",
                               f"Point in time recovery is not enabled for table '{name}'")  # fmt: skip
    code, _ = error_of(ddb.restore_table_to_point_in_time, SourceTableName=name + "-missing",
                       TargetTableName=target, UseLatestRestorableTime=True)  # fmt: skip
    assert code == "TableNotFoundException"

    before_enabling = _instant()
    described = _enable(ddb, name)
    earliest = described["EarliestRestorableDateTime"]
    assert earliest > before_enabling
    assert described["LatestRestorableDateTime"] >= earliest
    code, message = error_of(ddb.restore_table_to_point_in_time, SourceTableName=name, TargetTableName=target,
                             RestoreDateTime=before_enabling)  # fmt: skip
    assert code == "InvalidRestoreTimeException", message
    future = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    code, _ = error_of(ddb.restore_table_to_point_in_time, SourceTableName=name, TargetTableName=target,
                       RestoreDateTime=future)  # fmt: skip
    assert code == "InvalidRestoreTimeException"
    code, _ = error_of(ddb.restore_table_to_point_in_time, SourceTableName=name, TargetTableName=name,
                       UseLatestRestorableTime=True)  # fmt: skip
    assert code == "TableAlreadyExistsException"
    # the time before the target (live probes of DynamoDB, 2026-10)
    code, _ = error_of(ddb.restore_table_to_point_in_time, SourceTableName=name, TargetTableName=name,
                       RestoreDateTime=future)  # fmt: skip
    assert code == "InvalidRestoreTimeException"
    # the request's shape before any table (live probes of DynamoDB, 2026-10)
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    for request, message in (
        ({"SourceTableName": name}, "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime "
                                    "must be specified, but not both"),
        ({"SourceTableName": name, "UseLatestRestorableTime": False},
         "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both"),
        ({"SourceTableName": name, "SourceTableArn": arn, "UseLatestRestorableTime": True},
         "Invalid Request: Must provide exactly one of: sourceTableArn, sourceTableName"),
        ({"SourceTableArn": "notanarn", "UseLatestRestorableTime": True},
         "Invalid Request: sourceTableArn is not a valid ARN"),
        ({"UseLatestRestorableTime": True}, "The parameter 'TableName' is required but was not present in the request"),
    ):  # fmt: skip
        assert error_of(ddb.restore_table_to_point_in_time, TargetTableName=target, **request) == (
            "ValidationException", message), request  # fmt: skip

    # Turned off and on again, the history starts over: the earlier window is gone.
    ddb.put_item(TableName=name, Item=_item("p", 1))
    at = _instant()
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})  # fmt: skip
    _enable(ddb, name)
    code, _ = error_of(ddb.restore_table_to_point_in_time, SourceTableName=name, TargetTableName=target,
                       RestoreDateTime=at)  # fmt: skip
    assert code == "InvalidRestoreTimeException"


@pytest.mark.parametrize("days", [1])
def test_recovery_period_bounds_the_window(ddb: Any, indexed: str, days: int) -> None:
    ddb.update_continuous_backups(TableName=indexed, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": days})  # fmt: skip
    state = ddb.describe_continuous_backups(TableName=indexed)["ContinuousBackupsDescription"]
    pitr = state["PointInTimeRecoveryDescription"]
    assert pitr["RecoveryPeriodInDays"] == days
    span = pitr["LatestRestorableDateTime"] - pitr["EarliestRestorableDateTime"]
    assert datetime.timedelta(0) <= span <= datetime.timedelta(days=days)
