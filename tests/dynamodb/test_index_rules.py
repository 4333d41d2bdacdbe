"""Index rules checked against Alternator's tests, which run against DynamoDB: a filter only on
attributes the index projects, and one index created or deleted per UpdateTable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name


@pytest.fixture
def keys_only_lsi(ddb: Any) -> Iterator[str]:
    """p/c table with the KEYS_ONLY LSI `hello` on (p, b) and the KEYS_ONLY GSI `byX` on x."""
    name = table_name()
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("p", "c", "b", "x")],
        LocalSecondaryIndexes=[{
            "IndexName": "hello", "Projection": {"ProjectionType": "KEYS_ONLY"},
            "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}],
        }],
        GlobalSecondaryIndexes=[{
            "IndexName": "byX", "Projection": {"ProjectionType": "KEYS_ONLY"},
            "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
        }],
    )  # fmt: skip
    ddb.put_item(TableName=name, Item={"p": {"S": "P"}, "c": {"S": "2"}, "b": {"S": "7"}, "x": {"S": "X"}, "d": {"S": "d2"}})
    yield name
    ddb.delete_table(TableName=name)


def test_a_filter_may_only_use_attributes_the_index_projects(ddb: Any, keys_only_lsi: str) -> None:
    query = {"TableName": keys_only_lsi, "IndexName": "hello", "KeyConditionExpression": "p = :p",
             "FilterExpression": "d = :d", "ExpressionAttributeValues": {":p": {"S": "P"}, ":d": {"S": "d2"}}}
    for extra in ({}, {"Select": "ALL_ATTRIBUTES"}, {"ProjectionExpression": "d"}):
        code, message = error_of(ddb.query, **query, **extra)
        assert code == "ValidationException"
        assert "hello does not project" in message and "filter" in message and message.endswith(": d")
    on_gsi = {**query, "IndexName": "byX", "KeyConditionExpression": "x = :p", "ExpressionAttributeValues": {":p": {"S": "X"}, ":d": {"S": "d2"}}}
    assert error_of(ddb.query, **on_gsi)[0] == "ValidationException"
    # a projected attribute (the table's sort key) may be filtered on
    on_c = {**query, "FilterExpression": "c = :d", "ExpressionAttributeValues": {":p": {"S": "P"}, ":d": {"S": "2"}}}
    assert ddb.query(**on_c)["Count"] == 1


def test_one_index_created_or_deleted_per_update_table(ddb: Any, keys_only_lsi: str) -> None:
    def create(name: str) -> dict:
        return {"Create": {"IndexName": name, "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                           "Projection": {"ProjectionType": "ALL"}}}

    limit = ("LimitExceededException",
             "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
    definitions = [{"AttributeName": "x", "AttributeType": "S"}]
    for updates in ([create("ind1"), create("ind2")], [{"Delete": {"IndexName": "byX"}}, {"Delete": {"IndexName": "other"}}],
                    [create("ind1"), {"Delete": {"IndexName": "missing"}}]):
        assert error_of(ddb.update_table, TableName=keys_only_lsi, AttributeDefinitions=definitions,
                        GlobalSecondaryIndexUpdates=updates) == limit
    ddb.update_table(TableName=keys_only_lsi, AttributeDefinitions=definitions, GlobalSecondaryIndexUpdates=[create("ind1")])
