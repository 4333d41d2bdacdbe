"""Reads of a secondary index checked as the table's are (compared with dynalite): a start key
outside the sort-key condition or with an empty-string table key is refused, and a Scan of an
index filters only on what the index projects."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name

INVALID = "One or more parameter values were invalid: "
G, P = {"S": "g"}, {"S": "p"}


@pytest.fixture
def indexed(ddb: Any) -> Any:
    name = table_name()
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in (("pk", "S"), ("sk", "S"), ("g", "S"), ("r", "N"))],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "gko", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}]}],
        LocalSecondaryIndexes=[{"IndexName": "lko", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}]}],
    )  # fmt: skip
    for i in (1, 2, 3):
        ddb.put_item(TableName=name, Item={"pk": P, "sk": {"S": f"s{i}"}, "g": G, "r": {"N": str(i)}, "c": {"S": f"c{i}"}})
    yield name
    ddb.delete_table(TableName=name)


def test_a_start_key_outside_the_sort_key_condition_is_refused(ddb: Any, indexed: str) -> None:
    refused = ("ValidationException", "The provided starting key does not match the range key predicate")
    gsi = {"IndexName": "gko", "KeyConditionExpression": "g = :g AND r > :r", "ExpressionAttributeValues": {":g": G, ":r": {"N": "2"}},
           "ExclusiveStartKey": {"g": G, "r": {"N": "0"}, "pk": P, "sk": {"S": "s0"}}}  # fmt: skip
    assert error_of(ddb.query, TableName=indexed, **gsi) == refused
    lsi = {"IndexName": "lko", "KeyConditionExpression": "pk = :p AND r BETWEEN :a AND :b",
           "ExpressionAttributeValues": {":p": P, ":a": {"N": "2"}, ":b": {"N": "3"}},
           "ExclusiveStartKey": {"pk": P, "r": {"N": "9"}, "sk": {"S": "s0"}}}  # fmt: skip
    assert error_of(ddb.query, TableName=indexed, **lsi) == refused
    inside = dict(gsi, ExpressionAttributeValues={":g": G, ":r": {"N": "1"}},
                  ExclusiveStartKey={"g": G, "r": {"N": "2"}, "pk": P, "sk": {"S": "s2"}})
    assert [i["r"]["N"] for i in ddb.query(TableName=indexed, **inside)["Items"]] == ["3"]


def test_a_start_key_with_an_empty_table_key_is_refused(ddb: Any, indexed: str) -> None:
    message = ("The provided starting key is invalid: One or more parameter values are not valid. The "
               "AttributeValue for a key attribute cannot contain an empty string value. Key: sk")  # fmt: skip
    for index, start in (("gko", {"g": G, "r": {"N": "1"}, "pk": P, "sk": {"S": ""}}),
                         ("lko", {"pk": P, "r": {"N": "1"}, "sk": {"S": ""}})):  # fmt: skip
        condition = "g = :v" if index == "gko" else "pk = :v"
        assert error_of(ddb.query, TableName=indexed, IndexName=index, KeyConditionExpression=condition,
                        ExpressionAttributeValues={":v": G if index == "gko" else P},
                        ExclusiveStartKey=start) == ("ValidationException", message)  # fmt: skip


def test_an_index_scan_filters_only_on_what_it_projects(ddb: Any, indexed: str) -> None:
    for index, kind in (("lko", "Local"), ("gko", "Global")):
        assert error_of(ddb.scan, TableName=indexed, IndexName=index, FilterExpression="attribute_exists(c)") == (
            "ValidationException",
            INVALID + f"{kind} secondary index {index} does not project the attributes used in the filter expression: c",
        )
    # a Scan may filter on the index's own key attributes, unlike a Query
    found = ddb.scan(TableName=indexed, IndexName="lko", FilterExpression="r > :r", ExpressionAttributeValues={":r": {"N": "1"}})
    assert sorted(i["r"]["N"] for i in found["Items"]) == ["2", "3"]
    assert all(set(i) == {"pk", "sk", "r"} for i in found["Items"])
