"""DynamoDB Streams against the real server with boto3's `dynamodbstreams` client: stream
settings on tables, ListStreams/DescribeStream, every iterator type, the records (images per
view type, order, sequence numbers, no record for a write that changes nothing) and errors."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from lumadb.dynamodb.streams import iterators
from tests.dynamodb.helpers import client_for, error_of


@pytest.fixture(scope="module")
def streams(server: Any) -> Any:
    return client_for(server.url, "dynamodbstreams")


def _stream_table(make_table: Any, view_type: str = "NEW_AND_OLD_IMAGES", **extra: Any) -> str:
    return make_table(
        ("pk", "S"),
        ("sk", "N"),
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
        **extra,
    )


def _arn(ddb: Any, name: str) -> str:
    return str(ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"])


def _shard(streams: Any, arn: str) -> str:
    return str(streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"])


def read_all(
    streams: Any, arn: str, iterator_type: str = "TRIM_HORIZON", **kwargs: Any
) -> list[dict[str, Any]]:
    """What a Lambda-style consumer does: follow NextShardIterator until a call returns nothing."""
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=_shard(streams, arn), ShardIteratorType=iterator_type, **kwargs
    )["ShardIterator"]
    seen: list[dict[str, Any]] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=2)
        seen.extend(page["Records"])
        if not page["Records"]:
            break
        iterator = page.get("NextShardIterator")
    return seen


def test_create_table_with_a_stream_describes_it(ddb: Any, streams: Any, make_table: Any) -> None:
    name = _stream_table(make_table, "NEW_IMAGE")
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    label = table["LatestStreamLabel"]
    assert table["LatestStreamArn"] == f"{table['TableArn']}/stream/{label}"
    assert len(label) == len("2026-01-01T00:00:00.000") and label[10] == "T"
    listed = streams.list_streams(TableName=name)["Streams"]
    assert listed == [{"StreamArn": table["LatestStreamArn"], "TableName": name, "StreamLabel": label}]
    described = streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"]
    assert described["StreamStatus"] == "ENABLED"
    assert described["StreamViewType"] == "NEW_IMAGE"
    assert described["TableName"] == name
    assert described["KeySchema"] == table["KeySchema"]
    (shard,) = described["Shards"]
    assert len(shard["ShardId"]) >= 28 and shard["ShardId"].startswith("shardId-")
    assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    assert len(shard["SequenceNumberRange"]["StartingSequenceNumber"]) >= 21


def test_a_write_that_only_reorders_set_members_changes_nothing(ddb: Any, streams: Any, make_table: Any) -> None:
    """Sets are unordered: a PutItem or UpdateItem whose sets hold the same members in another
    order (at any depth) changes no data, and DynamoDB writes no record for it."""
    name = _stream_table(make_table)
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    ddb.put_item(TableName=name, Item={**key, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]},
                                       "m": {"M": {"bs": {"BS": [b"x", b"y"]}}}})
    ddb.put_item(TableName=name, Item={**key, "ss": {"SS": ["b", "a"]}, "ns": {"NS": ["2", "1.0"]},
                                       "m": {"M": {"bs": {"BS": [b"y", b"x"]}}}})
    ddb.update_item(TableName=name, Key=key, UpdateExpression="SET ss = :s",
                    ExpressionAttributeValues={":s": {"SS": ["b", "a"]}})
    ddb.update_item(TableName=name, Key=key, UpdateExpression="ADD ss :c", ExpressionAttributeValues={":c": {"SS": ["c"]}})
    records = read_all(streams, _arn(ddb, name))
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
    assert sorted(records[1]["dynamodb"]["NewImage"]["ss"]["SS"]) == ["a", "b", "c"]


def test_consumer_from_trim_horizon_sees_every_change_in_order(
    ddb: Any, streams: Any, make_table: Any
) -> None:
    name = _stream_table(make_table)
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    ddb.put_item(TableName=name, Item={**key, "v": {"N": "1"}})
    ddb.put_item(TableName=name, Item={**key, "v": {"N": "1"}})  # changes nothing: no record
    ddb.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET v = v + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    ddb.update_item(
        TableName=name, Key=key, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "2"}}
    )
    ddb.batch_write_item(
        RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"N": "2"}}}}]}
    )
    ddb.transact_write_items(
        TransactItems=[
            {"Delete": {"TableName": name, "Key": key}},
            {
                "Update": {
                    "TableName": name,
                    "Key": {"pk": {"S": "c"}, "sk": {"N": "3"}},
                    "UpdateExpression": "SET w = :w",
                    "ExpressionAttributeValues": {":w": {"S": "x"}},
                }
            },
        ]
    )
    ddb.delete_item(
        TableName=name, Key={"pk": {"S": "missing"}, "sk": {"N": "0"}}
    )  # nothing deleted: no record
    records = read_all(streams, _arn(ddb, name))
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [
        ("INSERT", "a"),
        ("MODIFY", "a"),
        ("INSERT", "b"),
        ("REMOVE", "a"),
        ("INSERT", "c"),
    ]
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    modify = records[1]
    assert modify["dynamodb"]["OldImage"]["v"] == {"N": "1"}
    assert modify["dynamodb"]["NewImage"]["v"] == {"N": "2"}
    assert "OldImage" not in records[0]["dynamodb"] and "NewImage" not in records[3]["dynamodb"]
    first = records[0]
    assert first["eventSource"] == "aws:dynamodb" and first["eventVersion"] == "1.1"
    assert first["awsRegion"] == "us-east-1" and len(first["eventID"]) == 32
    assert first["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert first["dynamodb"]["SizeBytes"] > 0
    created = first["dynamodb"]["ApproximateCreationDateTime"].timestamp()
    assert abs(created - time.time()) < 60
    assert "userIdentity" not in records[3]


@pytest.mark.parametrize(
    ("view_type", "images"),
    [
        ("KEYS_ONLY", set()),
        ("NEW_IMAGE", {"NewImage"}),
        ("OLD_IMAGE", {"OldImage"}),
        ("NEW_AND_OLD_IMAGES", {"NewImage", "OldImage"}),
    ],
)
def test_view_type_decides_the_images(
    ddb: Any, streams: Any, make_table: Any, view_type: str, images: set[str]
) -> None:
    name = _stream_table(make_table, view_type)
    key = {"pk": {"S": "k"}, "sk": {"N": "1"}}
    ddb.put_item(TableName=name, Item={**key, "v": {"S": "one"}})
    ddb.put_item(TableName=name, Item={**key, "v": {"S": "two"}})
    ddb.delete_item(TableName=name, Key=key)
    insert, modify, remove = read_all(streams, _arn(ddb, name))
    present = [set(r["dynamodb"]) & {"NewImage", "OldImage"} for r in (insert, modify, remove)]
    assert present == [images & {"NewImage"}, images, images & {"OldImage"}]
    assert all(r["dynamodb"]["Keys"] == key for r in (insert, modify, remove))


def test_size_bytes_counts_the_keys_and_the_images(ddb: Any, streams: Any, make_table: Any) -> None:
    # AWS's sample event: {Id: 101, Message: "New item!"} then "This item has changed", then
    # a delete: SizeBytes 26, 59 and 38 (keys 5 bytes, images 21 and 33)
    name = make_table(("Id", "N"), StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    key = {"Id": {"N": "101"}}
    ddb.put_item(TableName=name, Item={**key, "Message": {"S": "New item!"}})
    ddb.put_item(TableName=name, Item={**key, "Message": {"S": "This item has changed"}})
    ddb.delete_item(TableName=name, Key=key)
    assert [r["dynamodb"]["SizeBytes"] for r in read_all(streams, _arn(ddb, name))] == [26, 59, 38]


def test_iterator_types(ddb: Any, streams: Any, make_table: Any) -> None:
    name = _stream_table(make_table, "KEYS_ONLY")
    arn = _arn(ddb, name)
    shard = _shard(streams, arn)
    for n in range(3):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(n)}})
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")[
        "ShardIterator"
    ]
    everything = read_all(streams, arn)
    assert len(everything) == 3
    second = everything[1]["dynamodb"]["SequenceNumber"]
    at = read_all(streams, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=second)
    after = read_all(streams, arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=second)
    assert [r["dynamodb"]["Keys"]["sk"]["N"] for r in at] == ["1", "2"]
    assert [r["dynamodb"]["Keys"]["sk"]["N"] for r in after] == ["2"]
    page = streams.get_records(ShardIterator=latest)
    assert page["Records"] == [] and page["NextShardIterator"]
    ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": "9"}})
    page = streams.get_records(ShardIterator=page["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["sk"]["N"] for r in page["Records"]] == ["9"]


def test_get_records_limit_pages(ddb: Any, streams: Any, make_table: Any) -> None:
    name = _stream_table(make_table, "KEYS_ONLY")
    arn = _arn(ddb, name)
    for n in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(n)}})
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=_shard(streams, arn), ShardIteratorType="TRIM_HORIZON"
    )
    page = streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=3)
    assert len(page["Records"]) == 3
    page = streams.get_records(ShardIterator=page["NextShardIterator"], Limit=3)
    assert [r["dynamodb"]["Keys"]["sk"]["N"] for r in page["Records"]] == ["3", "4"]


def test_get_records_of_large_records_stops_at_a_megabyte_and_loses_none(
    ddb: Any, streams: Any, make_table: Any
) -> None:
    """A poll that finds few small records is read on the event loop; one past 128 KB is read
    again on the reader pool: either way a call returns at most 1 MB, and following the
    iterators yields every record once, in order."""
    name = _stream_table(make_table, "NEW_IMAGE")
    arn = _arn(ddb, name)
    blob = "x" * 150_000
    for n in range(12):  # ~1.8 MB of records
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(n)}, "v": {"S": blob}})
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=_shard(streams, arn), ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    pages = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator)
        if not page["Records"]:
            break
        pages.append([int(r["dynamodb"]["Keys"]["sk"]["N"]) for r in page["Records"]])
        assert sum(r["dynamodb"]["SizeBytes"] for r in page["Records"]) <= 1024 * 1024
        iterator = page.get("NextShardIterator")
    assert len(pages) >= 2
    assert [n for page in pages for n in page] == list(range(12))


def test_disable_and_enable_again(ddb: Any, streams: Any, make_table: Any) -> None:
    name = _stream_table(make_table, "NEW_IMAGE")
    first = _arn(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert error_of(
        ddb.update_table,
        TableName=name,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    ) == ("ValidationException", f"Table already has an enabled stream: TableName: {name}")
    assert error_of(
        ddb.update_table,
        TableName=name,
        StreamSpecification={"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"},
    ) == (
        "ValidationException",
        "One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified",
    )
    described = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})[
        "TableDescription"
    ]
    assert "StreamSpecification" not in described and described["LatestStreamArn"] == first
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"N": "1"}})  # no stream: no record
    assert error_of(ddb.update_table, TableName=name, StreamSpecification={"StreamEnabled": False}) == (
        "ValidationException",
        f"Table has no stream to disable: TableName: {name}",
    )
    closed = streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert closed["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in closed["Shards"][0]["SequenceNumberRange"]
    records = read_all(streams, first)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["a"]
    iterator = streams.get_shard_iterator(
        StreamArn=first, ShardId=_shard(streams, first), ShardIteratorType="TRIM_HORIZON"
    )
    page = streams.get_records(ShardIterator=iterator["ShardIterator"])
    assert len(page["Records"]) == 1 and "NextShardIterator" not in page  # a closed shard read to its end

    assert error_of(ddb.update_table, TableName=name, StreamSpecification={"StreamEnabled": True}) == (
        "ValidationException",
        "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required",
    )
    time.sleep(0.002)
    described = ddb.update_table(
        TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    )
    second = described["TableDescription"]["LatestStreamArn"]
    assert second != first
    assert [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]] == [first, second]
    ddb.delete_item(TableName=name, Key={"pk": {"S": "b"}, "sk": {"N": "1"}})
    assert [r["eventName"] for r in read_all(streams, second)] == ["REMOVE"]


def test_deleted_table_leaves_a_disabled_stream(ddb: Any, streams: Any, make_table: Any) -> None:
    name = _stream_table(make_table, "KEYS_ONLY")
    arn = _arn(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    ddb.delete_table(TableName=name)
    described = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert described["StreamStatus"] == "DISABLED"
    assert len(read_all(streams, arn)) == 1
    assert arn in [s["StreamArn"] for s in streams.list_streams()["Streams"]]


def test_create_table_stream_specification_rules(ddb: Any, make_table: Any) -> None:
    code, message = error_of(
        ddb.create_table,
        TableName="streamless",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True},
    )
    assert (code, message) == (
        "ValidationException",
        "One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required",
    )
    name = make_table(StreamSpecification={"StreamEnabled": False})
    table = ddb.describe_table(TableName=name)["Table"]
    assert "StreamSpecification" not in table and "LatestStreamArn" not in table


def test_stream_errors(ddb: Any, streams: Any, make_table: Any, server: Any) -> None:
    missing = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2026-01-01T00:00:00.000"
    assert error_of(streams.describe_stream, StreamArn=missing) == (
        "ResourceNotFoundException",
        f"Requested resource not found: Stream: {missing} not found",
    )
    name = _stream_table(make_table, "KEYS_ONLY")
    arn = _arn(ddb, name)
    code, _ = error_of(
        streams.get_shard_iterator,
        StreamArn=arn,
        ShardId="shardId-00000000000000000000-00000000",
        ShardIteratorType="LATEST",
    )
    assert code == "ResourceNotFoundException"
    assert (
        error_of(streams.get_records, ShardIterator=arn + "|1|bm90IGEgdG9rZW4=")[0] == "ValidationException"
    )
    shard = _shard(streams, arn)
    code, _ = error_of(
        streams.get_shard_iterator, StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER"
    )
    assert code == "ValidationException"
    # a sequence number no record has yet (the model allows 21 to 40 digits): refused, not a 500
    code, message = error_of(
        streams.get_shard_iterator, StreamArn=arn, ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
        SequenceNumber="9" * 40,
    )  # fmt: skip
    assert code == "ValidationException" and message.startswith("Invalid SequenceNumber")
    assert error_of(
        streams.get_shard_iterator, StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON",
        SequenceNumber="1" * 21,
    ) == ("ValidationException", "SequenceNumber should not be passed for this iterator type")  # fmt: skip
    shapeless = "x" * 40  # no ARN at all: a request error, not a missing stream
    assert error_of(streams.describe_stream, StreamArn=shapeless) == ("ValidationException", "Invalid StreamArn")
    assert error_of(
        streams.get_shard_iterator, StreamArn=shapeless, ShardId=shard, ShardIteratorType="LATEST"
    ) == ("ValidationException", "Invalid StreamArn")
    assert error_of(streams.list_streams, ExclusiveStartStreamArn=shapeless) == ("ValidationException", "Invalid StreamArn")
    assert error_of(streams.list_streams, Limit=101)[0] == "ValidationException"  # at most 100
    assert streams.describe_stream(StreamArn=arn, ExclusiveStartShardId="z" * 30)["StreamDescription"]["Shards"] == []
    secret = (Path(server.data_dir) / ".secret").read_bytes()
    stream_id = _stream_id(streams, arn, shard)
    old = iterators.encode(secret, arn, stream_id, 1, issued_ms=int((time.time() - 16 * 60) * 1000))
    code, message = error_of(streams.get_records, ShardIterator=old)
    assert code == "ExpiredIteratorException" and "Iterator expired" in message


def _stream_id(streams: Any, arn: str, shard: str) -> int:
    """The stream id inside an iterator the server issued (to forge an expired one)."""
    import base64
    import struct

    token = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")[
        "ShardIterator"
    ]
    raw = base64.urlsafe_b64decode(token.rpartition("|1|")[2])
    return int(struct.unpack(">Q", raw[:8])[0])


def test_records_older_than_24_hours_are_trimmed() -> None:
    """Retention, on the storage alone: a day-old record goes, and reading it again is refused."""
    from lumadb.dynamodb.streams import storage
    from lumadb.storage.sqlite import apsw

    conn = apsw.Connection(":memory:")
    storage.setup(conn)
    meta = {
        "TableName": "tbl",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        "LatestStreamLabel": "2026-01-01T00:00:00.000",
        "LatestStreamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/tbl/stream/2026-01-01T00:00:00.000",
    }
    storage.open_stream(conn, 1, meta)
    stream = storage.by_arn(conn, meta["LatestStreamArn"])
    assert stream is not None and stream.enabled
    now = time.time()
    for created in (now - 90_000, now - 87_000, now - 10):
        conn.execute(storage.INSERT_RECORD, (stream.id, created, b"{}"))
    storage.trim(conn, now)
    assert [seq for seq, _ in storage.read_records(conn, stream.id, 0, 10)] == [3]
    trimmed = storage.by_id(conn, stream.id)
    assert trimmed is not None and trimmed.trimmed_seq == 2
    storage.close_stream(conn, meta["LatestStreamArn"])
    conn.execute("UPDATE ddb_streams SET closed = ?", (now - 90_000,))
    storage.trim(conn, now)
    assert storage.by_arn(conn, meta["LatestStreamArn"]) is None  # a stream disabled a day ago is gone
