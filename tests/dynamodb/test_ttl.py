"""Time to Live against the real server: the settings API with DynamoDB's refusals, expired
items deleted by the sweeper within seconds (with REMOVE stream records that name the service),
expired items still readable until swept, and the items TTL must leave alone."""

from __future__ import annotations

import time
from typing import Any

from tests.dynamodb.helpers import client_for, error_of


def _create(ddb: Any, name: str, **extra: Any) -> None:
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        **extra,
    )


def test_time_to_live_settings(ddb: Any, make_table: Any) -> None:
    name = make_table()
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    answer = ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    assert answer["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "exp",
    }
    assert error_of(
        ddb.update_time_to_live,
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"},
    ) == ("ValidationException", "TimeToLive is already enabled")
    assert error_of(
        ddb.update_time_to_live,
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "other"},
    ) == (
        "ValidationException",
        "TimeToLive is active on a different AttributeName: current AttributeName is exp",
    )
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"}
    )
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    assert error_of(
        ddb.update_time_to_live,
        TableName=name,
        TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"},
    ) == ("ValidationException", "TimeToLive is already disabled")
    code, _ = error_of(ddb.describe_time_to_live, TableName="no-such-table")
    assert code == "ResourceNotFoundException"
    code, _ = error_of(
        ddb.update_time_to_live,
        TableName="no-such-table",
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"},
    )
    assert code == "ResourceNotFoundException"


def test_expired_items_are_returned_until_swept(start_server: Any) -> None:
    srv = start_server("--ttl-sweep-seconds", "3600")
    ddb = client_for(srv.url)
    _create(ddb, "ttl-late")
    ddb.update_time_to_live(
        TableName="ttl-late", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    ddb.put_item(TableName="ttl-late", Item={"pk": {"S": "old"}, "exp": {"N": str(int(time.time()) - 100)}})
    assert ddb.get_item(TableName="ttl-late", Key={"pk": {"S": "old"}})["Item"]["pk"] == {"S": "old"}
    assert ddb.scan(TableName="ttl-late")["Count"] == 1


def test_sweeper_deletes_expired_items_within_seconds(start_server: Any) -> None:
    srv = start_server("--ttl-sweep-seconds", "0.2")
    ddb = client_for(srv.url)
    streams = client_for(srv.url, "dynamodbstreams")
    _create(
        ddb, "ttl-fast", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    )
    now = int(time.time())
    before_enabling = {"pk": {"S": "before"}, "exp": {"N": str(now - 10)}}
    ddb.put_item(TableName="ttl-fast", Item=before_enabling)  # indexed when TTL is enabled
    ddb.update_time_to_live(
        TableName="ttl-fast", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    keep = [
        {"pk": {"S": "future"}, "exp": {"N": str(now + 3600)}},
        {"pk": {"S": "string"}, "exp": {"S": str(now - 10)}},  # not a number: never expires
        {"pk": {"S": "ancient"}, "exp": {"N": str(now - 6 * 365 * 86400)}},  # more than five years ago
        {"pk": {"S": "none"}},
    ]
    for item in keep:
        ddb.put_item(TableName="ttl-fast", Item=item)
    # "moved" would expire in a second but its expiry moves to the future first; "soon",
    # written after it, expires no earlier, so that once "soon" is gone the old expiry of
    # "moved" has passed too. (An expiry already past when written races the sweeper, which
    # may delete the item before the update: DynamoDB may too.)
    ddb.put_item(TableName="ttl-fast", Item={"pk": {"S": "moved"}, "exp": {"N": str(time.time() + 1)}})
    ddb.update_item(
        TableName="ttl-fast",
        Key={"pk": {"S": "moved"}},
        UpdateExpression="SET exp = :e",
        ExpressionAttributeValues={":e": {"N": str(now + 3600)}},
    )
    ddb.put_item(TableName="ttl-fast", Item={"pk": {"S": "soon"}, "exp": {"N": str(time.time() + 1)}})
    deadline = time.time() + 10
    remaining: set[str] = set()
    while time.time() < deadline:
        remaining = {item["pk"]["S"] for item in ddb.scan(TableName="ttl-fast")["Items"]}
        if remaining == {"future", "string", "ancient", "none", "moved"}:
            break
        time.sleep(0.1)
    assert remaining == {"future", "string", "ancient", "none", "moved"}

    arn = ddb.describe_table(TableName="ttl-fast")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    removes = [r for r in records if r["eventName"] == "REMOVE"]
    assert {r["dynamodb"]["Keys"]["pk"]["S"] for r in removes} == {"before", "soon"}
    for record in removes:
        assert record["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
        assert record["dynamodb"]["OldImage"]["pk"] == record["dynamodb"]["Keys"]["pk"]


def test_disabling_ttl_stops_expiry(start_server: Any) -> None:
    srv = start_server("--ttl-sweep-seconds", "0.2")
    ddb = client_for(srv.url)
    _create(ddb, "ttl-off")
    ddb.update_time_to_live(
        TableName="ttl-off", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    ddb.update_time_to_live(
        TableName="ttl-off", TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"}
    )
    ddb.put_item(TableName="ttl-off", Item={"pk": {"S": "x"}, "exp": {"N": str(int(time.time()) - 10)}})
    time.sleep(0.8)
    assert "Item" in ddb.get_item(TableName="ttl-off", Key={"pk": {"S": "x"}})


def test_a_deleted_table_leaves_nothing_to_sweep(start_server: Any) -> None:
    srv = start_server("--ttl-sweep-seconds", "0.2")
    ddb = client_for(srv.url)
    _create(ddb, "ttl-drop")
    ddb.update_time_to_live(
        TableName="ttl-drop", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    ddb.put_item(TableName="ttl-drop", Item={"pk": {"S": "x"}, "exp": {"N": str(int(time.time()) + 1)}})
    ddb.delete_table(TableName="ttl-drop")
    _create(ddb, "ttl-drop")
    time.sleep(1.5)
    assert ddb.scan(TableName="ttl-drop")["Count"] == 0
    assert "Traceback" not in srv.log()
