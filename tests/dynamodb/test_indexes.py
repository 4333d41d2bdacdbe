"""Global and local secondary indexes against the real server with boto3: definitions and their
refusals, index maintenance on every kind of write (sparse indexes, wrong key types, items moving
between index partitions), Query and Scan with IndexName and DynamoDB's index rules, paging with
index and table keys, GSIs added to a table with items (backfill) and deleted, multi-attribute keys."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.dynamodb.helpers import error_of, table_name

S, N = "S", "N"


def _definitions(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"AttributeName": name, "AttributeType": type_name} for name, type_name in pairs]


def _schema(hash_key: str, *range_keys: str, hashes: tuple[str, ...] = ()) -> list[dict[str, str]]:
    out = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    out += [{"AttributeName": name, "KeyType": "HASH"} for name in hashes]
    return out + [{"AttributeName": name, "KeyType": "RANGE"} for name in range_keys]


def _gsi(
    name: str, hash_key: str, *range_keys: str, projection: str = "ALL", include: list[str] | None = None
) -> dict:
    out: dict[str, Any] = {
        "IndexName": name,
        "KeySchema": _schema(hash_key, *range_keys),
        "Projection": {"ProjectionType": projection},
    }
    if include:
        out["Projection"]["NonKeyAttributes"] = include
    return out


@pytest.fixture
def create(ddb: Any) -> Iterator[Callable[..., str]]:
    """create(hash, range?, AttributeDefinitions=..., ...) -> a new table's name (deleted afterwards)."""
    created: list[str] = []

    def make(hash_key: tuple[str, str], range_key: tuple[str, str] | None = None, **extra: Any) -> str:
        name = table_name()
        extra.setdefault("AttributeDefinitions", _definitions(hash_key, *([range_key] if range_key else [])))
        schema = _schema(hash_key[0], *([range_key[0]] if range_key else []))
        ddb.create_table(TableName=name, KeySchema=schema, BillingMode="PAY_PER_REQUEST", **extra)
        created.append(name)
        return name

    yield make
    for name in created:
        ddb.delete_table(TableName=name)


@pytest.fixture
def indexed(create: Any) -> str:
    """pk/sk table; GSI byStatus (status, at) ALL; GSI byOwner (owner) KEYS_ONLY; LSI byRank (pk, rank) INCLUDE note."""
    return str(
        create(
            ("pk", S),
            ("sk", N),
            AttributeDefinitions=_definitions(
                ("pk", S), ("sk", N), ("status", S), ("at", N), ("owner", S), ("rank", N)
            ),
            GlobalSecondaryIndexes=[
                _gsi("byStatus", "status", "at"),
                _gsi("byOwner", "owner", projection="KEYS_ONLY"),
            ],
            LocalSecondaryIndexes=[_gsi("byRank", "pk", "rank", projection="INCLUDE", include=["note"])],
        )
    )


def _query(ddb: Any, table: str, index: str, condition: str, values: dict, **extra: Any) -> dict[str, Any]:
    return dict(
        ddb.query(
            TableName=table,
            IndexName=index,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            **extra,
        )
    )


def test_create_table_describes_its_indexes(ddb: Any, indexed: str) -> None:
    table = ddb.describe_table(TableName=indexed)["Table"]
    by_name = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"] + table["LocalSecondaryIndexes"]}
    assert set(by_name) == {"byStatus", "byOwner", "byRank"}
    status = by_name["byStatus"]
    assert status["IndexStatus"] == "ACTIVE" and status["Projection"] == {"ProjectionType": "ALL"}
    assert status["IndexArn"] == f"{table['TableArn']}/index/byStatus"
    assert (status["ItemCount"], status["IndexSizeBytes"]) == (0, 0)
    assert by_name["byRank"]["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]}
    assert "IndexStatus" not in by_name["byRank"]


def test_indexes_follow_every_write(ddb: Any, indexed: str) -> None:
    ddb.put_item(
        TableName=indexed,
        Item={
            "pk": {S: "a"},
            "sk": {N: "1"},
            "status": {S: "open"},
            "at": {N: "5"},
            "owner": {S: "ann"},
            "rank": {N: "3"},
            "note": {S: "n"},
            "big": {S: "x"},
        },
    )
    ddb.put_item(
        TableName=indexed, Item={"pk": {S: "a"}, "sk": {N: "2"}, "owner": {S: "bob"}}
    )  # not in byStatus nor byRank: sparse
    ddb.batch_write_item(
        RequestItems={
            indexed: [
                {
                    "PutRequest": {
                        "Item": {"pk": {S: "b"}, "sk": {N: "1"}, "status": {S: "open"}, "at": {N: "1"}}
                    }
                }
            ]
        }
    )
    opened = _query(
        ddb, indexed, "byStatus", "#s = :s", {":s": {S: "open"}}, ExpressionAttributeNames={"#s": "status"}
    )
    assert [(i["pk"][S], i["at"][N]) for i in opened["Items"]] == [("b", "1"), ("a", "5")]
    owners = _query(
        ddb, indexed, "byOwner", "#o = :o", {":o": {S: "ann"}}, ExpressionAttributeNames={"#o": "owner"}
    )
    assert owners["Items"] == [{"pk": {S: "a"}, "sk": {N: "1"}, "owner": {S: "ann"}}]  # KEYS_ONLY
    ranked = _query(ddb, indexed, "byRank", "pk = :p", {":p": {S: "a"}})
    assert ranked["Items"] == [
        {"pk": {S: "a"}, "sk": {N: "1"}, "rank": {N: "3"}, "note": {S: "n"}}
    ]  # INCLUDE

    # the item moves from partition "open" to partition "done" of byStatus
    ddb.update_item(
        TableName=indexed,
        Key={"pk": {S: "a"}, "sk": {N: "1"}},
        UpdateExpression="SET #s = :d",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":d": {S: "done"}},
    )
    opened = _query(
        ddb, indexed, "byStatus", "#s = :s", {":s": {S: "open"}}, ExpressionAttributeNames={"#s": "status"}
    )
    done = _query(
        ddb, indexed, "byStatus", "#s = :s", {":s": {S: "done"}}, ExpressionAttributeNames={"#s": "status"}
    )
    assert [i["pk"][S] for i in opened["Items"]] == ["b"]
    assert [i["pk"][S] for i in done["Items"]] == ["a"]
    # removing an index key attribute takes the item out of the index
    ddb.update_item(
        TableName=indexed,
        Key={"pk": {S: "a"}, "sk": {N: "1"}},
        UpdateExpression="REMOVE #o",
        ExpressionAttributeNames={"#o": "owner"},
    )
    assert (
        _query(
            ddb, indexed, "byOwner", "#o = :o", {":o": {S: "ann"}}, ExpressionAttributeNames={"#o": "owner"}
        )["Items"]
        == []
    )
    ddb.transact_write_items(
        TransactItems=[{"Delete": {"TableName": indexed, "Key": {"pk": {S: "b"}, "sk": {N: "1"}}}}]
    )
    assert (
        _query(
            ddb,
            indexed,
            "byStatus",
            "#s = :s",
            {":s": {S: "open"}},
            ExpressionAttributeNames={"#s": "status"},
        )["Items"]
        == []
    )
    ddb.execute_statement(Statement=f'UPDATE "{indexed}" SET "rank" = 9 WHERE pk = \'a\' AND sk = 2')
    assert [i["sk"][N] for i in _query(ddb, indexed, "byRank", "pk = :p", {":p": {S: "a"}})["Items"]] == [
        "1",
        "2",
    ]
    counts = {
        i["IndexName"]: i["ItemCount"]
        for i in ddb.describe_table(TableName=indexed)["Table"]["GlobalSecondaryIndexes"]
    }
    assert counts == {"byStatus": 1, "byOwner": 1}


def test_wrong_index_key_type_is_refused_on_write(ddb: Any, indexed: str) -> None:
    message = "One or more parameter values were invalid: Type mismatch for Index Key status Expected: S Actual: N IndexName: byStatus"
    bad = {"pk": {S: "x"}, "sk": {N: "1"}, "status": {N: "1"}}
    assert error_of(ddb.put_item, TableName=indexed, Item=bad) == ("ValidationException", message)
    assert error_of(
        ddb.update_item,
        TableName=indexed,
        Key={"pk": {S: "x"}, "sk": {N: "1"}},
        UpdateExpression="SET #s = :v",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":v": {N: "1"}},
    ) == ("ValidationException", message)
    assert (
        error_of(ddb.batch_write_item, RequestItems={indexed: [{"PutRequest": {"Item": bad}}]})[0]
        == "ValidationException"
    )
    # in a transaction the action is cancelled with a ValidationError reason (as on DynamoDB)
    fine = {"Put": {"TableName": indexed, "Item": {"pk": {S: "y"}, "sk": {N: "1"}}}}
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as caught:
        ddb.transact_write_items(TransactItems=[fine, {"Put": {"TableName": indexed, "Item": bad}}])
    assert caught.value.response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ValidationError", "Message": message},
    ]
    update = {"Update": {
        "TableName": indexed, "Key": {"pk": {S: "x"}, "sk": {N: "1"}}, "UpdateExpression": "SET #s = :v",
        "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":v": {"L": []}},
    }}  # fmt: skip
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as caught:
        ddb.transact_write_items(TransactItems=[update])
    assert caught.value.response["CancellationReasons"][0]["Code"] == "ValidationError"
    code, text = error_of(
        ddb.put_item, TableName=indexed, Item={"pk": {S: "x"}, "sk": {N: "1"}, "owner": {S: ""}}
    )
    assert code == "ValidationException" and "IndexName: byOwner, IndexKey: owner" in text
    empty_in_a_transaction = {"Put": {"TableName": indexed, "Item": {"pk": {S: "x"}, "sk": {N: "1"}, "owner": {S: ""}}}}
    code, text = error_of(ddb.transact_write_items, TransactItems=[fine, empty_in_a_transaction])
    assert code == "ValidationException" and "IndexName: byOwner, IndexKey: owner" in text
    assert ddb.scan(TableName=indexed)["Count"] == 0  # nothing was written


def test_an_empty_start_key_on_an_index_is_invalid(ddb: Any, indexed: str) -> None:
    invalid = ("ValidationException", "The provided starting key is invalid")
    assert error_of(ddb.scan, TableName=indexed, IndexName="byStatus", ExclusiveStartKey={}) == invalid
    assert error_of(
        ddb.query, TableName=indexed, IndexName="byStatus", KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {S: "x"}}, ExclusiveStartKey={},
    ) == invalid  # fmt: skip


def test_index_read_rules(ddb: Any, indexed: str) -> None:
    ddb.put_item(
        TableName=indexed,
        Item={
            "pk": {S: "a"},
            "sk": {N: "1"},
            "status": {S: "s"},
            "at": {N: "1"},
            "owner": {S: "o"},
            "rank": {N: "1"},
            "note": {S: "n"},
            "extra": {S: "e"},
        },
    )
    consistent = "Consistent reads are not supported on global secondary indexes"
    assert error_of(
        ddb.query,
        TableName=indexed,
        IndexName="byOwner",
        KeyConditionExpression="#o = :o",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":o": {S: "o"}},
        ConsistentRead=True,
    ) == ("ValidationException", consistent)
    assert error_of(ddb.scan, TableName=indexed, IndexName="byOwner", ConsistentRead=True) == (
        "ValidationException",
        consistent,
    )
    assert _query(ddb, indexed, "byRank", "pk = :p", {":p": {S: "a"}}, ConsistentRead=True)["Count"] == 1
    assert error_of(
        ddb.query,
        TableName=indexed,
        IndexName="nope",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {S: "a"}},
    ) == ("ValidationException", "The table does not have the specified index: nope")
    assert error_of(
        ddb.query,
        TableName=indexed,
        IndexName="byOwner",
        KeyConditionExpression="#o = :o",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":o": {S: "o"}},
        Select="ALL_ATTRIBUTES",
    ) == (
        "ValidationException",
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byOwner because its projection type is not ALL",
    )
    fetched = _query(ddb, indexed, "byRank", "pk = :p", {":p": {S: "a"}}, Select="ALL_ATTRIBUTES")["Items"]
    assert fetched[0]["extra"] == {S: "e"}  # an LSI reads the attributes it lacks from the table
    projected = _query(ddb, indexed, "byRank", "pk = :p", {":p": {S: "a"}}, ProjectionExpression="extra")[
        "Items"
    ]
    assert projected == [{"extra": {S: "e"}}]
    assert _query(ddb, indexed, "byRank", "pk = :p", {":p": {S: "a"}}, Select="COUNT")["Count"] == 1
    assert error_of(
        ddb.query,
        TableName=indexed,
        IndexName="byStatus",
        KeyConditionExpression="#s = :s",
        FilterExpression="#a > :a",
        ExpressionAttributeNames={"#s": "status", "#a": "at"},
        ExpressionAttributeValues={":s": {S: "s"}, ":a": {N: "0"}},
    ) == (
        "ValidationException",
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: at",
    )
    assert error_of(
        ddb.query,
        TableName=indexed,
        IndexName="byStatus",
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {N: "1"}},
    ) == (
        "ValidationException",
        "One or more parameter values were invalid: Condition parameter type does not match schema type",
    )


def test_paging_an_index_with_repeated_keys(ddb: Any, indexed: str) -> None:
    for n in range(9):
        ddb.put_item(
            TableName=indexed,
            Item={"pk": {S: f"p{n % 3}"}, "sk": {N: str(n)}, "status": {S: "same"}, "at": {N: str(n % 2)}},
        )
    seen: list[tuple[str, str]] = []
    start = None
    while True:
        extra: dict[str, Any] = {"Limit": 2, "ExpressionAttributeNames": {"#s": "status"}}
        if start:
            extra["ExclusiveStartKey"] = start
        page = _query(ddb, indexed, "byStatus", "#s = :s", {":s": {S: "same"}}, **extra)
        seen.extend((i["pk"][S], i["sk"][N]) for i in page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
        assert set(start) == {"pk", "sk", "status", "at"}
    assert sorted(seen) == sorted((f"p{n % 3}", str(n)) for n in range(9))
    ats = [
        item["at"][N]
        for item in _query(
            ddb,
            indexed,
            "byStatus",
            "#s = :s",
            {":s": {S: "same"}},
            ExpressionAttributeNames={"#s": "status"},
        )["Items"]
    ]
    assert ats == sorted(ats)
    backwards = _query(
        ddb,
        indexed,
        "byStatus",
        "#s = :s",
        {":s": {S: "same"}},
        ExpressionAttributeNames={"#s": "status"},
        ScanIndexForward=False,
    )["Items"]
    assert [i["at"][N] for i in backwards] == sorted(ats, reverse=True)


def test_parallel_scan_of_an_index_covers_each_item_once(ddb: Any, indexed: str) -> None:
    for n in range(40):
        item = {"pk": {S: f"p{n}"}, "sk": {N: "1"}, "owner": {S: f"o{n % 7}"}}
        ddb.put_item(TableName=indexed, Item=item)
    ddb.put_item(TableName=indexed, Item={"pk": {S: "unindexed"}, "sk": {N: "1"}})
    found: list[str] = []
    for segment in range(3):
        start = None
        while True:
            extra: dict[str, Any] = {"Segment": segment, "TotalSegments": 3, "Limit": 6}
            if start:
                extra["ExclusiveStartKey"] = start
            page = ddb.scan(TableName=indexed, IndexName="byOwner", **extra)
            found.extend(i["pk"][S] for i in page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    assert sorted(found) == sorted(f"p{n}" for n in range(40))


def test_gsi_added_to_a_table_with_items_is_backfilled(ddb: Any, make_table: Any) -> None:
    name = make_table(("pk", S))
    for n in range(30):
        item = {"pk": {S: f"k{n}"}, "color": {S: "red" if n % 3 else "blue"}}
        if n == 7:
            item["color"] = {N: "7"}  # the wrong type for the new key: left out of the index
        ddb.put_item(TableName=name, Item=item)
    answer = ddb.update_table(
        TableName=name,
        AttributeDefinitions=_definitions(("color", S)),
        GlobalSecondaryIndexUpdates=[{"Create": _gsi("byColor", "color", projection="KEYS_ONLY")}],
    )["TableDescription"]
    (created,) = answer["GlobalSecondaryIndexes"]
    assert (created["IndexStatus"], created["Backfilling"]) == ("CREATING", True)
    assert answer["TableStatus"] == "UPDATING"
    assert {"AttributeName": "color", "AttributeType": S} in answer["AttributeDefinitions"]
    deadline = time.time() + 10
    while time.time() < deadline:
        index = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
        if index["IndexStatus"] == "ACTIVE":
            break
        try:  # unless the backfill has just finished
            ddb.query(
                TableName=name,
                IndexName="byColor",
                KeyConditionExpression="color = :c",
                ExpressionAttributeValues={":c": {S: "red"}},
            )
        except ClientError as error:
            assert (
                error.response["Error"]["Message"]
                == "Cannot read from backfilling global secondary index: byColor"
            )
        time.sleep(0.05)
    assert index["IndexStatus"] == "ACTIVE" and "Backfilling" not in index
    assert index["ItemCount"] == 29
    reds = _query(ddb, name, "byColor", "color = :c", {":c": {S: "red"}})
    assert reds["Count"] == 19
    ddb.put_item(TableName=name, Item={"pk": {S: "new"}, "color": {S: "blue"}})
    assert _query(ddb, name, "byColor", "color = :c", {":c": {S: "blue"}})["Count"] == 11
    assert error_of(
        ddb.update_table,
        TableName=name,
        AttributeDefinitions=_definitions(("color", S)),
        GlobalSecondaryIndexUpdates=[{"Create": _gsi("byColor", "color")}],
    ) == ("ValidationException", "Attempting to create an index which already exists")
    deleted = ddb.update_table(
        TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byColor"}}]
    )["TableDescription"]
    assert deleted["GlobalSecondaryIndexes"][0]["IndexStatus"] == "DELETING"
    after = ddb.describe_table(TableName=name)["Table"]
    assert "GlobalSecondaryIndexes" not in after and after["TableStatus"] == "ACTIVE"
    assert (
        error_of(
            ddb.query,
            TableName=name,
            IndexName="byColor",
            KeyConditionExpression="color = :c",
            ExpressionAttributeValues={":c": {S: "red"}},
        )[0]
        == "ValidationException"
    )


def test_multi_attribute_gsi_key(ddb: Any, create: Any) -> None:
    name = create(
        ("pk", S),
        AttributeDefinitions=_definitions(*((n, S) for n in ("pk", "h", "a", "b", "c", "d"))),
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi",
                "KeySchema": _schema("h", "a", "b", "c", "d"),
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    rows = [("p1", "T", "live", "b", "r1"), ("p2", "T", "live", "a", "r2"), ("p3", "T", "live", "a", "r1"),
            ("p4", "T", "draft", "c", "r1"), ("p5", "F", "live", "a", "r0"), ("p6", "T", "live", None, "r1")]  # fmt: skip
    for pk, a, b, c, d in rows:
        item = {"pk": {S: pk}, "h": {S: "o1"}, "a": {S: a}, "b": {S: b}, "d": {S: d}}
        if c is not None:
            item["c"] = {S: c}
        ddb.put_item(TableName=name, Item=item)
    values = {
        ":h": {S: "o1"},
        ":a": {S: "T"},
        ":b": {S: "live"},
        ":c": {S: "a"},
        ":d": {S: "r"},
        ":x": {S: "r1"},
    }

    def pks(condition: str, **extra: Any) -> list[str]:
        used = {k: v for k, v in values.items() if k in condition}
        return [i["pk"][S] for i in _query(ddb, name, "gsi", condition, used, **extra)["Items"]]

    assert pks("h = :h") == ["p5", "p4", "p3", "p2", "p1"]
    assert pks("h = :h AND a = :a") == ["p4", "p3", "p2", "p1"]
    assert pks("h = :h AND a = :a", ScanIndexForward=False) == ["p1", "p2", "p3", "p4"]
    assert pks("h = :h AND a = :a AND b = :b AND c = :c") == ["p3", "p2"]
    assert pks("h = :h AND a = :a AND b = :b AND c > :c") == ["p1"]
    assert pks("h = :h AND a = :a AND b = :b AND c = :c AND begins_with(d, :d)") == ["p3", "p2"]
    assert pks("h = :h AND a = :a AND b = :b AND c = :c AND d BETWEEN :x AND :x") == ["p3"]
    assert pks("h = :h AND a = :a AND b < :b") == ["p4"]
    assert pks("b = :b AND h = :h AND a = :a") == ["p3", "p2", "p1"]
    page = _query(ddb, name, "gsi", "h = :h AND a = :a", {":h": values[":h"], ":a": values[":a"]}, Limit=2)
    assert sorted(page["LastEvaluatedKey"]) == ["a", "b", "c", "d", "h", "pk"]
    rest = _query(
        ddb,
        name,
        "gsi",
        "h = :h AND a = :a",
        {":h": values[":h"], ":a": values[":a"]},
        ExclusiveStartKey=page["LastEvaluatedKey"],
    )
    assert [i["pk"][S] for i in rest["Items"]] == ["p2", "p1"]
    for condition, missing, present in (
        ("h = :h AND a = :a AND c = :c", "b", "c"),
        ("h = :h AND a = :a AND b > :b AND c = :c", "b", "c"),
        ("h = :h AND b = :b", "a", "b"),
    ):
        used = {k: v for k, v in values.items() if k in condition}
        assert error_of(
            ddb.query,
            TableName=name,
            IndexName="gsi",
            KeyConditionExpression=condition,
            ExpressionAttributeValues=used,
        ) == (
            "ValidationException",
            f"RANGE key attributes {missing} must have equality conditions specified in the query because a condition is present on key attribute {present}",
        )


def test_multi_attribute_partition_key(ddb: Any, create: Any) -> None:
    name = create(
        ("pk", S),
        AttributeDefinitions=_definitions(("pk", S), ("tenant", S), ("region", N), ("at", N)),
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi",
                "KeySchema": _schema("tenant", "at", hashes=("region",)),
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    for n, (tenant, region) in enumerate([("t", 1), ("t", 2), ("t", 1), ("u", 1)]):
        ddb.put_item(
            TableName=name,
            Item={
                "pk": {S: f"p{n}"},
                "tenant": {S: tenant},
                "region": {N: str(region)},
                "at": {N: str(10 - n)},
            },
        )
    found = _query(
        ddb,
        name,
        "gsi",
        "tenant = :t AND #r = :r",
        {":t": {S: "t"}, ":r": {N: "1"}},
        ExpressionAttributeNames={"#r": "region"},
    )
    assert [i["pk"][S] for i in found["Items"]] == ["p2", "p0"]
    assert error_of(
        ddb.query,
        TableName=name,
        IndexName="gsi",
        KeyConditionExpression="tenant = :t",
        ExpressionAttributeValues={":t": {S: "t"}},
    ) == ("ValidationException", "Query condition missed key schema element: region")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"LocalSecondaryIndexes": [_gsi("lsi", "pk", "x")], "hash_only": True},
            "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
        ),
        (
            {"LocalSecondaryIndexes": [_gsi("lsi", "x", "sk")]},
            "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: lsi. index hash key: x, table hash key: pk",
        ),
        (
            {"LocalSecondaryIndexes": [_gsi(f"lsi{n}", "pk", "x") for n in range(6)]},
            "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5",
        ),
        (
            {"GlobalSecondaryIndexes": [_gsi(f"gsi{n}", "x") for n in range(21)]},
            "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20",
        ),
        (
            {"GlobalSecondaryIndexes": [_gsi("gsi", "x"), _gsi("gsi", "x")]},
            "One or more parameter values were invalid: Duplicate index name: gsi",
        ),
        (
            {"GlobalSecondaryIndexes": [_gsi("gsi", "x", projection="INCLUDE")]},
            "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
        ),
        (
            {
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "gsi",
                        "KeySchema": [
                            {"AttributeName": "x", "KeyType": "HASH"},
                            {"AttributeName": "sk", "KeyType": "RANGE"},
                            {"AttributeName": "pk", "KeyType": "HASH"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ]
            },
            "One or more parameter values were invalid: All HASH key attributes must precede RANGE key attributes in the KeySchema",
        ),
        (
            {
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "gsi",
                        "KeySchema": _schema("x", hashes=("pk", "sk", "y", "z")),
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
                "more": ["y", "z"],
            },
            "One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of HASH key attributes",
        ),
    ],
)
def test_index_definitions_refused(ddb: Any, extra: dict[str, Any], message: str) -> None:
    extra = dict(extra)
    hash_only = extra.pop("hash_only", False)
    more = extra.pop("more", [])
    definitions = _definitions(("pk", S), ("x", S), *((m, S) for m in more)) + (
        [] if hash_only else _definitions(("sk", N))
    )
    schema = _schema("pk") if hash_only else _schema("pk", "sk")
    assert error_of(
        ddb.create_table,
        TableName=table_name(),
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=definitions,
        KeySchema=schema,
        **extra,
    ) == ("ValidationException", message)


def test_partiql_reads_an_index(ddb: Any, indexed: str) -> None:
    for n in range(3):
        ddb.put_item(
            TableName=indexed,
            Item={"pk": {S: "q"}, "sk": {N: str(n)}, "status": {S: "on"}, "at": {N: str(5 - n)}},
        )
    rows = ddb.execute_statement(
        Statement=f'SELECT sk FROM "{indexed}"."byStatus" WHERE "status" = \'on\' AND "at" >= 4'
    )["Items"]
    assert rows == [{"sk": {N: "1"}}, {"sk": {N: "0"}}]
    assert error_of(
        ddb.execute_statement, Statement=f'SELECT * FROM "{indexed}"."byStatus"', ConsistentRead=True
    ) == ("ValidationException", "Strongly consistent read is not supported on Global Secondary Indexes")
    assert error_of(ddb.execute_statement, Statement=f'SELECT * FROM "{indexed}"."nope"') == (
        "ValidationException",
        "The table does not have the specified index",
    )
