"""What DynamoDB checks of a write against the table's keys and index keys before it reads the
item (so before any condition), which index it names, and its wording for an index key set from
another attribute. Evidence: dynalite's tests (checked against DynamoDB), nubo-db's conformance
captures, AWS's TransactionCanceledException reference (the "unsupported type" text)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name
from tests.dynamodb.test_protocol import call, target

S, N = "S", "N"
INVALID = "One or more parameter values were invalid: "
SCALARS = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: "
UNSUPPORTED = "The update expression attempted to update the secondary index key to unsupported type"


@pytest.fixture
def shared_key(ddb: Any) -> Iterator[str]:
    """pk/sk (S/S); LSI lsi1 sorts on `lsi1sk` (S), GSI gsi1 is partitioned on `lsi1sk` too and
    GSI byRank on `rank` (N). Holds the item pk=a, sk=1, n=5, s="x"."""
    name = table_name()
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t}
                              for n, t in (("pk", S), ("sk", S), ("lsi1sk", S), ("rank", N))],
        LocalSecondaryIndexes=[{
            "IndexName": "lsi1", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "lsi1sk", "KeyType": "RANGE"}],
        }],
        GlobalSecondaryIndexes=[
            {"IndexName": "gsi1", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "lsi1sk", "KeyType": "HASH"}]},
            {"IndexName": "byRank", "Projection": {"ProjectionType": "KEYS_ONLY"},
             "KeySchema": [{"AttributeName": "rank", "KeyType": "HASH"}]},
        ],
    )  # fmt: skip
    ddb.put_item(TableName=name, Item={"pk": {S: "a"}, "sk": {S: "1"}, "n": {N: "5"}, "s": {S: "x"}})
    yield name
    ddb.delete_table(TableName=name)


KEY = {"pk": {S: "a"}, "sk": {S: "1"}}


def test_an_attribute_keying_a_gsi_and_an_lsi_is_reported_for_the_gsi(ddb: Any, shared_key: str) -> None:
    item = {**KEY, "lsi1sk": {N: "5"}}
    message = INVALID + "Type mismatch for Index Key lsi1sk Expected: S Actual: N IndexName: gsi1"
    assert error_of(ddb.put_item, TableName=shared_key, Item=item) == ("ValidationException", message)
    assert error_of(ddb.batch_write_item, RequestItems={shared_key: [{"PutRequest": {"Item": item}}]}) == (
        "ValidationException", message)  # fmt: skip
    empty = {**KEY, "lsi1sk": {S: ""}}
    code, text = error_of(ddb.put_item, TableName=shared_key, Item=empty)
    assert code == "ValidationException" and text.endswith("IndexName: gsi1, IndexKey: lsi1sk")


def test_batch_write_checks_each_index_key_an_item_has(ddb: Any) -> None:
    # the item lacks the index's partition key, so it would not be indexed: its sort key's type is
    # still checked, as PutItem checks it (dynalite's validateItem; AWS's "index key violations")
    name = table_name()
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in (("pk", S), ("gh", S), ("gr", N))],
        GlobalSecondaryIndexes=[{"IndexName": "gsi1", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "gh", "KeyType": "HASH"},
                                               {"AttributeName": "gr", "KeyType": "RANGE"}]}],
    )  # fmt: skip
    item = {"pk": {S: "e"}, "gr": {S: "x"}}
    message = INVALID + "Type mismatch for Index Key gr Expected: N Actual: S IndexName: gsi1"
    assert error_of(ddb.put_item, TableName=name, Item=item) == ("ValidationException", message)
    assert error_of(ddb.batch_write_item, RequestItems={name: [{"PutRequest": {"Item": item}}]}) == (
        "ValidationException", message)  # fmt: skip
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {S: "e"}})
    ddb.delete_table(TableName=name)


def test_a_wrong_index_key_is_refused_before_the_condition_is_evaluated(ddb: Any, shared_key: str) -> None:
    item = {**KEY, "rank": {S: "high"}}
    code, message = error_of(
        ddb.put_item, TableName=shared_key, Item=item, ConditionExpression="attribute_not_exists(pk)"
    )
    assert (code, message) == ("ValidationException", INVALID + "Type mismatch for Index Key rank Expected: N Actual: S IndexName: byRank")
    code, message = error_of(
        ddb.update_item, TableName=shared_key, Key=KEY, UpdateExpression="SET #r = :v",
        ConditionExpression="attribute_not_exists(pk)",
        ExpressionAttributeNames={"#r": "rank"}, ExpressionAttributeValues={":v": {S: "high"}},
    )  # fmt: skip
    assert (code, message) == ("ValidationException", INVALID + "Type mismatch for Index Key rank Expected: N Actual: S IndexName: byRank")
    # AttributeUpdates' PUT is checked the same way
    code, message = error_of(
        ddb.update_item, TableName=shared_key, Key=KEY,
        AttributeUpdates={"rank": {"Action": "PUT", "Value": {S: "high"}}},
        Expected={"pk": {"Exists": False}},
    )  # fmt: skip
    assert (code, message) == ("ValidationException", INVALID + "Type mismatch for Index Key rank Expected: N Actual: S IndexName: byRank")
    assert ddb.get_item(TableName=shared_key, Key=KEY)["Item"] == {**KEY, "n": {N: "5"}, "s": {S: "x"}}


def test_a_transaction_reports_a_wrong_index_key_before_any_condition(ddb: Any, shared_key: str) -> None:
    # every action is validated before any condition is evaluated (Alternator's tests, run
    # against DynamoDB): the bad action's reason is ValidationError, every other one None, also
    # where a condition is false
    mismatch = INVALID + "Type mismatch for Index Key rank Expected: N Actual: S IndexName: byRank"
    false_check = {"ConditionCheck": {"TableName": shared_key, "Key": KEY, "ConditionExpression": "attribute_not_exists(pk)"}}
    other = {"pk": {S: "b"}, "sk": {S: "1"}}
    put = {"Put": {"TableName": shared_key, "Item": {**other, "rank": {S: "high"}}}}
    update = {"Update": {"TableName": shared_key, "Key": other, "UpdateExpression": "SET #r = :v",
                         "ExpressionAttributeNames": {"#r": "rank"}, "ExpressionAttributeValues": {":v": {S: "high"}}}}
    guarded_put = {"Put": {**put["Put"], "Item": {**KEY, "rank": {S: "high"}},
                           "ConditionExpression": "attribute_not_exists(pk)"}}
    for actions, bad in (([guarded_put], 0), ([false_check, put], 1), ([false_check, update], 1)):
        try:
            ddb.transact_write_items(TransactItems=actions)
        except ddb.exceptions.TransactionCanceledException as error:
            reasons = error.response["CancellationReasons"]
        else:
            raise AssertionError("not cancelled")
        expected = [{"Code": "None"}] * len(actions)
        expected[bad] = {"Code": "ValidationError", "Message": mismatch}
        assert reasons == expected
    assert "Item" not in ddb.get_item(TableName=shared_key, Key=other)


def test_updating_a_key_attribute_is_refused_before_the_condition(ddb: Any, shared_key: str) -> None:
    message = INVALID + "Cannot update attribute sk. This attribute is part of the key"
    assert error_of(
        ddb.update_item, TableName=shared_key, Key=KEY, UpdateExpression="SET sk = :v",
        ConditionExpression="attribute_not_exists(pk)", ExpressionAttributeValues={":v": {S: "2"}},
    ) == ("ValidationException", message)  # fmt: skip
    assert error_of(
        ddb.update_item, TableName=shared_key, Key=KEY,
        AttributeUpdates={"sk": {"Action": "PUT", "Value": {S: "2"}}}, Expected={"pk": {"Exists": False}},
    ) == ("ValidationException", message)  # fmt: skip


def test_an_index_key_set_from_another_attribute_has_its_own_message(ddb: Any, shared_key: str) -> None:
    # `n` holds a number, `rank` keys byRank as a number: fine; `lsi1sk` is a string key
    ddb.update_item(TableName=shared_key, Key=KEY, UpdateExpression="SET #r = n", ExpressionAttributeNames={"#r": "rank"})
    assert error_of(ddb.update_item, TableName=shared_key, Key=KEY, UpdateExpression="SET lsi1sk = n") == (
        "ValidationException", UNSUPPORTED)  # fmt: skip
    assert error_of(
        ddb.update_item, TableName=shared_key, Key=KEY, UpdateExpression="SET #r = if_not_exists(s, :one)",
        ExpressionAttributeNames={"#r": "rank"}, ExpressionAttributeValues={":one": {N: "1"}},
    ) == ("ValidationException", UNSUPPORTED)  # fmt: skip
    item = ddb.get_item(TableName=shared_key, Key=KEY)["Item"]
    assert item["rank"] == {N: "5"} and "lsi1sk" not in item


@pytest.mark.parametrize("update", ["SET lsi1sk.x = :a", "SET lsi1sk[1] = :a", "REMOVE #r.y"])
def test_nothing_is_written_inside_an_index_key(ddb: Any, shared_key: str, update: str) -> None:
    extra: dict[str, Any] = {"ExpressionAttributeNames": {"#r": "rank"}} if "#r" in update else {}
    if ":a" in update:
        extra["ExpressionAttributeValues"] = {":a": {S: "v"}}
    name = "rank" if "#r" in update else "lsi1sk"
    assert error_of(ddb.update_item, TableName=shared_key, Key=KEY, UpdateExpression=update, **extra) == (
        "ValidationException", SCALARS + name)  # fmt: skip


def test_batch_write_item_with_no_tables(ddb_unchecked: Any) -> None:
    assert error_of(ddb_unchecked.batch_write_item, RequestItems={}) == (
        "ValidationException", "The requestItems parameter is required for BatchWriteItem")  # fmt: skip


def test_batch_get_item_mixing_projections_across_tables(ddb: Any, shared_key: str, make_table: Any) -> None:
    other = make_table(("pk", S), ("sk", S))
    code, message = error_of(ddb.batch_get_item, RequestItems={
        shared_key: {"Keys": [KEY], "ProjectionExpression": "pk"},
        other: {"Keys": [KEY], "AttributesToGet": ["pk"]},
    })  # fmt: skip
    assert code == "ValidationException"
    assert message.startswith("Can not use both expression and non-expression parameters in the same request")


def test_parameters_an_operation_does_not_define_are_ignored(server: Any, shared_key: str) -> None:
    # an SDK never sends them; DynamoDB drops them before anything reads them
    status, _, body = call(server.url, **target("GetItem", {
        "TableName": shared_key, "Key": KEY, "ConditionalOperator": "AND", "UpdateExpression": "SET a = :a",
        "ProjectionExpression": "s", "ExpressionAttributeValues": None,
    }))  # fmt: skip
    assert (status, json.loads(body)) == (200, {"Item": {"s": {S: "x"}}})


EMPTY_UPDATE = (
    "One or more parameter values are not valid. The update expression attempted to update a "
    "secondary index key to a value that is not supported. The AttributeValue for a key attribute "
    "cannot contain an empty string value."
)


def test_an_update_emptying_an_index_key_has_the_update_wording(ddb: Any, shared_key: str) -> None:
    # nubo-db/dynamodb-conformance (UpdateItem, TransactWriteItems: a request error, no index named)
    assert error_of(
        ddb.update_item, TableName=shared_key, Key=KEY, UpdateExpression="SET lsi1sk = :v",
        ExpressionAttributeValues={":v": {S: ""}},
    ) == ("ValidationException", EMPTY_UPDATE)  # fmt: skip
    assert error_of(
        ddb.update_item, TableName=shared_key, Key=KEY, AttributeUpdates={"lsi1sk": {"Action": "PUT", "Value": {S: ""}}}
    ) == ("ValidationException", EMPTY_UPDATE)
    assert error_of(ddb.transact_write_items, TransactItems=[{"Update": {
        "TableName": shared_key, "Key": KEY, "UpdateExpression": "SET lsi1sk = :v",
        "ExpressionAttributeValues": {":v": {S: ""}},
    }}]) == ("ValidationException", EMPTY_UPDATE)  # fmt: skip
    # a Put keeps its own wording, which names the index
    code, message = error_of(ddb.put_item, TableName=shared_key, Item={**KEY, "lsi1sk": {S: ""}})
    assert message.endswith("IndexName: gsi1, IndexKey: lsi1sk") and message != EMPTY_UPDATE


def test_batch_get_item_with_no_tables(ddb_unchecked: Any) -> None:
    # the current validator's words, every region but me-central-1 since 2026-09 (paritysuite)
    assert error_of(ddb_unchecked.batch_get_item, RequestItems={}) == (
        "ValidationException", "1 validation error detected: Value at 'RequestItems' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1")  # fmt: skip
    assert error_of(ddb_unchecked.batch_write_item, RequestItems={}) == (
        "ValidationException", "The requestItems parameter is required for BatchWriteItem")  # fmt: skip


def test_create_table_reports_a_bad_name_as_a_constraint(ddb_unchecked: Any) -> None:
    # every captured region (paritysuite, nubo-db conformance suites): no "must be at least 3
    # characters" text for CreateTable, which DescribeTable and DeleteTable keep
    schema = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": S}], "BillingMode": "PAY_PER_REQUEST"}  # fmt: skip
    assert error_of(ddb_unchecked.create_table, TableName="ab", **schema) == ("ValidationException", (
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3"))  # fmt: skip
    code, message = error_of(ddb_unchecked.describe_table, TableName="ab")
    assert message == "TableName must be at least 3 characters long and at most 255 characters long"
    # a missing name is still reported first, in its own words (nubo-db, createTable)
    assert error_of(ddb_unchecked.create_table, **schema) == (
        "ValidationException", "The parameter 'TableName' is required but was not present in the request")  # fmt: skip


def test_legacy_conditions_compare_booleans_with_eq_and_ne(ddb: Any, make_table: Any) -> None:
    # AWS's reference lists no BOOL for EQ; the service accepts it (nubo-db conformance, queryFilter)
    name = make_table(("pk", S), ("sk", S))
    for sk, flag in (("1", True), ("2", False)):
        ddb.put_item(TableName=name, Item={"pk": {S: "a"}, "sk": {S: sk}, "flag": {"BOOL": flag}})
    key = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{S: "a"}]}}
    for operator, expected in (("EQ", ["1"]), ("NE", ["2"])):
        found = ddb.query(TableName=name, KeyConditions=key, QueryFilter={
            "flag": {"ComparisonOperator": operator, "AttributeValueList": [{"BOOL": True}]}})["Items"]  # fmt: skip
        assert [item["sk"][S] for item in found] == expected
    ddb.put_item(TableName=name, Item={"pk": {S: "a"}, "sk": {S: "1"}, "flag": {"BOOL": False}},
                 Expected={"flag": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]}})  # fmt: skip
