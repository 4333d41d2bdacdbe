"""Secondary-index definitions against the real server with boto3: GSIs added to a table with
items (backfill) and deleted, multi-attribute keys, and the definitions CreateTable refuses."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.dynamodb.helpers import error_of, table_name
from tests.dynamodb.index_shapes import N, S, attribute_definitions, index_definition, key_schema, query_index


def test_gsi_added_to_a_table_with_items_is_backfilled(ddb: Any, make_table: Any) -> None:
    name = make_table(("pk", S))
    for n in range(30):
        item = {"pk": {S: f"k{n}"}, "color": {S: "red" if n % 3 else "blue"}}
        if n == 7:
            item["color"] = {N: "7"}  # the wrong type for the new key: left out of the index
        ddb.put_item(TableName=name, Item=item)
    answer = ddb.update_table(
        TableName=name,
        AttributeDefinitions=attribute_definitions(("color", S)),
        GlobalSecondaryIndexUpdates=[{"Create": index_definition("byColor", "color", projection="KEYS_ONLY")}],
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
    reds = query_index(ddb, name, "byColor", "color = :c", {":c": {S: "red"}})
    assert reds["Count"] == 19
    ddb.put_item(TableName=name, Item={"pk": {S: "new"}, "color": {S: "blue"}})
    assert query_index(ddb, name, "byColor", "color = :c", {":c": {S: "blue"}})["Count"] == 11
    assert error_of(
        ddb.update_table,
        TableName=name,
        AttributeDefinitions=attribute_definitions(("color", S)),
        GlobalSecondaryIndexUpdates=[{"Create": index_definition("byColor", "color")}],
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
        AttributeDefinitions=attribute_definitions(*((n, S) for n in ("pk", "h", "a", "b", "c", "d"))),
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi",
                "KeySchema": key_schema("h", "a", "b", "c", "d"),
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
        return [i["pk"][S] for i in query_index(ddb, name, "gsi", condition, used, **extra)["Items"]]

    assert pks("h = :h") == ["p5", "p4", "p3", "p2", "p1"]
    assert pks("h = :h AND a = :a") == ["p4", "p3", "p2", "p1"]
    assert pks("h = :h AND a = :a", ScanIndexForward=False) == ["p1", "p2", "p3", "p4"]
    assert pks("h = :h AND a = :a AND b = :b AND c = :c") == ["p3", "p2"]
    assert pks("h = :h AND a = :a AND b = :b AND c > :c") == ["p1"]
    assert pks("h = :h AND a = :a AND b = :b AND c = :c AND begins_with(d, :d)") == ["p3", "p2"]
    assert pks("h = :h AND a = :a AND b = :b AND c = :c AND d BETWEEN :x AND :x") == ["p3"]
    assert pks("h = :h AND a = :a AND b < :b") == ["p4"]
    assert pks("b = :b AND h = :h AND a = :a") == ["p3", "p2", "p1"]
    page = query_index(ddb, name, "gsi", "h = :h AND a = :a", {":h": values[":h"], ":a": values[":a"]}, Limit=2)
    assert sorted(page["LastEvaluatedKey"]) == ["a", "b", "c", "d", "h", "pk"]
    rest = query_index(
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
        AttributeDefinitions=attribute_definitions(("pk", S), ("tenant", S), ("region", N), ("at", N)),
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi",
                "KeySchema": key_schema("tenant", "at", hashes=("region",)),
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
    found = query_index(
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
            {"LocalSecondaryIndexes": [index_definition("lsi", "pk", "x")], "hash_only": True},
            "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
        ),
        (
            {"LocalSecondaryIndexes": [index_definition("lsi", "x", "sk")]},
            "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: lsi. index hash key: x, table hash key: pk",
        ),
        (
            {"LocalSecondaryIndexes": [index_definition(f"lsi{n}", "pk", "x") for n in range(6)]},
            "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5",
        ),
        (
            {"GlobalSecondaryIndexes": [index_definition(f"gsi{n}", "x") for n in range(21)]},
            "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20",
        ),
        (
            {"GlobalSecondaryIndexes": [index_definition("gsi", "x"), index_definition("gsi", "x")]},
            "One or more parameter values were invalid: Duplicate index name: gsi",
        ),
        (
            {"GlobalSecondaryIndexes": [index_definition("gsi", "x", projection="INCLUDE")]},
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
                        "KeySchema": key_schema("x", hashes=("pk", "sk", "y", "z")),
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
    definitions = attribute_definitions(("pk", S), ("x", S), *((m, S) for m in more)) + (
        [] if hash_only else attribute_definitions(("sk", N))
    )
    schema = key_schema("pk") if hash_only else key_schema("pk", "sk")
    assert error_of(
        ddb.create_table,
        TableName=table_name(),
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=definitions,
        KeySchema=schema,
        **extra,
    ) == ("ValidationException", message)
