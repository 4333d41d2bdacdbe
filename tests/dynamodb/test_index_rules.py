"""Index rules checked against tests that run against DynamoDB: a filter only on
attributes the index projects, and one index created or deleted per UpdateTable."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.dynamodb.helpers import delete_table, error_of, table_name


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
    delete_table(ddb, name)


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


def test_update_table_defines_a_new_index_keys_in_its_own_request(ddb: Any, keys_only_lsi: str) -> None:
    """AttributeDefinitions "must include the key element(s) of the new index" (UpdateTable's
    reference), also one the table already defines: AWS refuses it (alexdebrie/dynamodbguide.com#16,
    2019; nubo-db/dynoxide#144, eu-west-2 2026)."""
    create = {"IndexName": "byYC", "Projection": {"ProjectionType": "KEYS_ONLY"},
              "KeySchema": [{"AttributeName": "y", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]}  # fmt: skip
    assert error_of(ddb.update_table, TableName=keys_only_lsi, AttributeDefinitions=[{"AttributeName": "y", "AttributeType": "S"}],
                    GlobalSecondaryIndexUpdates=[{"Create": create}]) == (
        "ValidationException", "Invalid KeySchema: Some index key attribute have no definition")  # fmt: skip
    both = [{"AttributeName": "y", "AttributeType": "S"}, {"AttributeName": "c", "AttributeType": "S"}]
    table = ddb.update_table(TableName=keys_only_lsi, AttributeDefinitions=both, GlobalSecondaryIndexUpdates=[{"Create": create}])
    assert "byYC" in {i["IndexName"] for i in table["TableDescription"]["GlobalSecondaryIndexes"]}


def test_at_most_100_projected_attributes_in_all_indexes(ddb: Any, keys_only_lsi: str) -> None:
    """The documented quota: NonKeyAttributes summed over all of a table's indexes."""
    def gsi(number: int, attributes: int) -> dict:
        return {"IndexName": f"inc{number}", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": [f"a{i}" for i in range(attributes)]}}  # fmt: skip

    too_many = ("ValidationException",
                "One or more parameter values were invalid: Number of projected attributes in all indexes exceeds limit of 100")  # fmt: skip
    definitions = [{"AttributeName": n, "AttributeType": "S"} for n in ("p", "x")]
    name = table_name()
    assert error_of(ddb.create_table, TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=definitions,
                    KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
                    GlobalSecondaryIndexes=[gsi(n, 20) for n in range(6)]) == too_many  # fmt: skip
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=definitions,
                     KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}], GlobalSecondaryIndexes=[gsi(n, 20) for n in range(5)])  # fmt: skip
    try:
        assert error_of(ddb.update_table, TableName=name, AttributeDefinitions=[definitions[1]],
                        GlobalSecondaryIndexUpdates=[{"Create": gsi(9, 1)}]) == too_many  # fmt: skip
    finally:
        ddb.delete_table(TableName=name)


def test_a_switch_to_provisioned_gives_every_gsi_its_throughput(ddb: Any, keys_only_lsi: str) -> None:
    """AWS refuses the switch unless the same request updates each GSI's throughput, and changes
    nothing then (measured against the service, 2026-08: go-to-k/cdkd#1611)."""
    table = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    switch = {"TableName": keys_only_lsi, "BillingMode": "PROVISIONED", "ProvisionedThroughput": table}
    assert error_of(ddb.update_table, **switch) == (
        "ValidationException", "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: byX")
    described = ddb.describe_table(TableName=keys_only_lsi)["Table"]
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    index = {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}
    ddb.update_table(**switch, GlobalSecondaryIndexUpdates=[{"Update": {"IndexName": "byX", "ProvisionedThroughput": index}}])
    described = ddb.describe_table(TableName=keys_only_lsi)["Table"]
    assert described["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert {k: described["ProvisionedThroughput"][k] for k in table} == table
    assert {k: described["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"][k] for k in index} == index


def test_a_new_index_keeps_the_type_the_table_gives_its_key(ddb: Any, keys_only_lsi: str) -> None:
    """An UpdateTable that defines a known attribute with another type is accepted and the table's
    type stays (eu-west-2, 2026-07: paritysuite/dynamodb-conformance#78)."""
    ddb.update_table(TableName=keys_only_lsi, AttributeDefinitions=[{"AttributeName": "c", "AttributeType": "N"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "byC", "Projection": {"ProjectionType": "ALL"},
                                                              "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}]}}])  # fmt: skip
    described = ddb.describe_table(TableName=keys_only_lsi)["Table"]
    assert {"AttributeName": "c", "AttributeType": "S"} in described["AttributeDefinitions"]
    deadline = time.time() + 10  # the backfill of the table's one item
    while time.time() < deadline and _status(ddb, keys_only_lsi, "byC") != "ACTIVE":
        time.sleep(0.05)
    found = ddb.query(TableName=keys_only_lsi, IndexName="byC", KeyConditionExpression="c = :c",
                      ExpressionAttributeValues={":c": {"S": "2"}})  # fmt: skip
    assert found["Count"] == 1


def _status(ddb: Any, table: str, index: str) -> str:
    indexes = ddb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]
    return next(described["IndexStatus"] for described in indexes if described["IndexName"] == index)


def test_update_table_names_an_unknown_index_with_its_table(ddb: Any, keys_only_lsi: str) -> None:
    """Live probes of DynamoDB, 2026-10 (UpdateTable's text, unlike Contributor Insights')."""
    expected = ("ResourceNotFoundException", f"Requested resource not found: Index ghost for table {keys_only_lsi}")
    assert error_of(ddb.update_table, TableName=keys_only_lsi, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "ghost"}}]) == expected
    update = {"IndexName": "ghost", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}
    assert error_of(ddb.update_table, TableName=keys_only_lsi, GlobalSecondaryIndexUpdates=[{"Update": update}]) == expected


def test_an_empty_projection_has_no_type(ddb: Any, keys_only_lsi: str) -> None:
    """CreateTable's text, on UpdateTable's index creation too (live probes of DynamoDB, 2026-10)."""
    create = {"IndexName": "byB", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}], "Projection": {}}
    assert error_of(ddb.update_table, TableName=keys_only_lsi, GlobalSecondaryIndexUpdates=[{"Create": create}]) == (
        "ValidationException", "One or more parameter values were invalid: Unknown ProjectionType: null"
    )


def test_a_table_is_not_deleted_while_an_index_fills(ddb: Any) -> None:
    """DynamoDB refuses DeleteTable while a new GSI is being filled (live probes, 2026-10)."""
    name = table_name()
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}])  # fmt: skip
    try:
        for start in range(0, 20_000, 25):
            ddb.batch_write_item(RequestItems={name: [
                {"PutRequest": {"Item": {"p": {"S": f"p{i}"}, "x": {"S": f"x{i % 7}"}}}} for i in range(start, start + 25)]})  # fmt: skip
        ddb.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "byX", "Projection": {"ProjectionType": "ALL"},
                                                                  "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}]}}])  # fmt: skip
        assert error_of(ddb.delete_table, TableName=name) == (
            "ResourceInUseException",
            "Attempt to change a resource which is still in use: Cannot delete table while indexes are being "
            "created, updated, or deleted.",
        )
    finally:
        delete_table(ddb, name)


def test_a_new_index_takes_throughput_as_its_table_bills(ddb: Any, make_table: Any) -> None:
    """UpdateTable's texts (an ExAws user's report; live probes of DynamoDB, 2026-10)."""
    throughput = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    definitions = [{"AttributeName": "x", "AttributeType": "S"}]
    create = {"IndexName": "byX", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
              "Projection": {"ProjectionType": "ALL"}}  # fmt: skip
    provisioned = make_table(BillingMode="PROVISIONED", ProvisionedThroughput=throughput)
    assert error_of(ddb.update_table, TableName=provisioned, AttributeDefinitions=definitions,
                    GlobalSecondaryIndexUpdates=[{"Create": create}]) == (  # fmt: skip
        "ValidationException",
        "One or more parameter values were invalid: Both ReadCapacityUnits and WriteCapacityUnits must be specified "
        "for index: byX",
    )
    assert error_of(ddb.update_table, TableName=make_table(), AttributeDefinitions=definitions,
                    GlobalSecondaryIndexUpdates=[{"Create": {**create, "ProvisionedThroughput": throughput}}]) == (  # fmt: skip
        "ValidationException",
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
        "for index: byX when BillingMode is PAY_PER_REQUEST",
    )


def test_an_index_being_filled_may_be_deleted(ddb: Any) -> None:
    """DynamoDB accepts deleting a GSI while it is backfilling (live probes, 2026-10)."""
    name = table_name()
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}])  # fmt: skip
    definitions = [{"AttributeName": "x", "AttributeType": "S"}]

    def create(index: str) -> dict:
        return {"Create": {"IndexName": index, "Projection": {"ProjectionType": "ALL"},
                           "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}]}}  # fmt: skip

    try:
        for start in range(0, 20_000, 25):
            ddb.batch_write_item(RequestItems={name: [
                {"PutRequest": {"Item": {"p": {"S": f"p{i}"}, "x": {"S": f"x{i % 7}"}}}} for i in range(start, start + 25)]})  # fmt: skip
        ddb.update_table(TableName=name, AttributeDefinitions=definitions, GlobalSecondaryIndexUpdates=[create("byX")])
        ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byX"}}])
        assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=name)["Table"]
        ddb.update_table(TableName=name, AttributeDefinitions=definitions, GlobalSecondaryIndexUpdates=[create("byY")])
    finally:
        delete_table(ddb, name)
