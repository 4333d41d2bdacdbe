"""Global and local secondary indexes against the real server with boto3: index maintenance
on every kind of write (sparse indexes, wrong key types, items moving between index
partitions), Query and Scan with IndexName and DynamoDB's index rules, paging with index and
table keys, PartiQL on an index. Index definitions: test_index_definitions.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of
from tests.dynamodb.index_shapes import N, S, attribute_definitions, index_definition, query_index


@pytest.fixture
def indexed(create: Any) -> str:
    """pk/sk table; GSI byStatus (status, at) ALL; GSI byOwner (owner) KEYS_ONLY; LSI byRank (pk, rank) INCLUDE note."""
    return str(
        create(
            ("pk", S),
            ("sk", N),
            AttributeDefinitions=attribute_definitions(
                ("pk", S), ("sk", N), ("status", S), ("at", N), ("owner", S), ("rank", N)
            ),
            GlobalSecondaryIndexes=[
                index_definition("byStatus", "status", "at"),
                index_definition("byOwner", "owner", projection="KEYS_ONLY"),
            ],
            LocalSecondaryIndexes=[index_definition("byRank", "pk", "rank", projection="INCLUDE", include=["note"])],
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
    opened = query_index(
        ddb, indexed, "byStatus", "#s = :s", {":s": {S: "open"}}, ExpressionAttributeNames={"#s": "status"}
    )
    assert [(i["pk"][S], i["at"][N]) for i in opened["Items"]] == [("b", "1"), ("a", "5")]
    owners = query_index(
        ddb, indexed, "byOwner", "#o = :o", {":o": {S: "ann"}}, ExpressionAttributeNames={"#o": "owner"}
    )
    assert owners["Items"] == [{"pk": {S: "a"}, "sk": {N: "1"}, "owner": {S: "ann"}}]  # KEYS_ONLY
    ranked = query_index(ddb, indexed, "byRank", "pk = :p", {":p": {S: "a"}})
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
    opened = query_index(
        ddb, indexed, "byStatus", "#s = :s", {":s": {S: "open"}}, ExpressionAttributeNames={"#s": "status"}
    )
    done = query_index(
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
        query_index(
            ddb, indexed, "byOwner", "#o = :o", {":o": {S: "ann"}}, ExpressionAttributeNames={"#o": "owner"}
        )["Items"]
        == []
    )
    ddb.transact_write_items(
        TransactItems=[{"Delete": {"TableName": indexed, "Key": {"pk": {S: "b"}, "sk": {N: "1"}}}}]
    )
    assert (
        query_index(
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
    assert [i["sk"][N] for i in query_index(ddb, indexed, "byRank", "pk = :p", {":p": {S: "a"}})["Items"]] == [
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
    assert query_index(ddb, indexed, "byRank", "pk = :p", {":p": {S: "a"}}, ConsistentRead=True)["Count"] == 1
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
    fetched = query_index(ddb, indexed, "byRank", "pk = :p", {":p": {S: "a"}}, Select="ALL_ATTRIBUTES")["Items"]
    assert fetched[0]["extra"] == {S: "e"}  # an LSI reads the attributes it lacks from the table
    projected = query_index(ddb, indexed, "byRank", "pk = :p", {":p": {S: "a"}}, ProjectionExpression="extra")[
        "Items"
    ]
    assert projected == [{"extra": {S: "e"}}]
    assert query_index(ddb, indexed, "byRank", "pk = :p", {":p": {S: "a"}}, Select="COUNT")["Count"] == 1
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
        page = query_index(ddb, indexed, "byStatus", "#s = :s", {":s": {S: "same"}}, **extra)
        seen.extend((i["pk"][S], i["sk"][N]) for i in page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
        assert set(start) == {"pk", "sk", "status", "at"}
    assert sorted(seen) == sorted((f"p{n % 3}", str(n)) for n in range(9))
    ats = [
        item["at"][N]
        for item in query_index(
            ddb,
            indexed,
            "byStatus",
            "#s = :s",
            {":s": {S: "same"}},
            ExpressionAttributeNames={"#s": "status"},
        )["Items"]
    ]
    assert ats == sorted(ats)
    backwards = query_index(
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
