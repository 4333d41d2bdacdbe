"""TransactWriteItems and TransactGetItems with boto3: all-or-nothing, cancellation reasons in
action order, ClientRequestToken idempotency, and the request-level errors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, error_response, table_name


@pytest.fixture
def table(ddb: Any, make_table: Any) -> str:
    name = str(make_table())
    ddb.put_item(TableName=name, Item={"pk": {"S": "existing"}, "n": {"N": "1"}})
    return name


def key(pk: str) -> dict:
    return {"pk": {"S": pk}}


def test_all_actions_apply_together(ddb: Any, table: str) -> None:
    response = ddb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": table,
                    "Item": {"pk": {"S": "new"}, "v": {"S": "x"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": table,
                    "Key": key("existing"),
                    "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": key("absent"),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": table,
                    "Key": key("created"),
                    "UpdateExpression": "SET c = :c",
                    "ExpressionAttributeValues": {":c": {"BOOL": True}},
                }
            },
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert ddb.get_item(TableName=table, Key=key("new"))["Item"]["v"] == {"S": "x"}
    assert ddb.get_item(TableName=table, Key=key("existing"))["Item"]["n"] == {"N": "2"}
    assert ddb.get_item(TableName=table, Key=key("created"))["Item"] == {
        "pk": {"S": "created"},
        "c": {"BOOL": True},
    }
    capacity = response["ConsumedCapacity"][0]
    assert (
        capacity["TableName"] == table and capacity["CapacityUnits"] == 8.0
    )  # 3 writes and a check, doubled
    ddb.transact_write_items(TransactItems=[{"Delete": {"TableName": table, "Key": key("new")}}])
    assert "Item" not in ddb.get_item(TableName=table, Key=key("new"))
    assert ddb.describe_table(TableName=table)["Table"]["ItemCount"] == 2


def test_a_failed_condition_cancels_everything(ddb: Any, table: str) -> None:
    response = error_response(
        ddb.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "p1"}}}},
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": key("existing"),
                    "ConditionExpression": "n = :two",
                    "ExpressionAttributeValues": {":two": {"N": "2"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "Delete": {
                    "TableName": table,
                    "Key": key("nothing"),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ],
    )
    error = response["Error"]
    assert error["Code"] == "TransactionCanceledException"
    assert error["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed, ConditionalCheckFailed]"
    )
    reasons = response["CancellationReasons"]
    assert reasons[0] == {"Code": "None"}
    assert reasons[1] == {
        "Code": "ConditionalCheckFailed",
        "Message": "The conditional request failed",
        "Item": {"pk": {"S": "existing"}, "n": {"N": "1"}},
    }
    assert reasons[2] == {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
    assert "Item" not in ddb.get_item(TableName=table, Key=key("p1"))


def test_an_update_that_cannot_apply_cancels_with_a_validation_reason(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "text"}, "s": {"S": "abc"}})
    response = error_response(
        ddb.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "p2"}}}},
            {
                "Update": {
                    "TableName": table,
                    "Key": key("text"),
                    "UpdateExpression": "SET s = s + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ],
    )
    assert response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in response["CancellationReasons"]] == ["None", "ValidationError"]
    assert (
        response["CancellationReasons"][1]["Message"]
        == "An operand in the update expression has an incorrect data type"
    )
    assert "Item" not in ddb.get_item(TableName=table, Key=key("p2"))


def test_client_request_token_makes_retries_idempotent(ddb: Any, table: str) -> None:
    token = str(uuid.uuid4())
    items = [
        {
            "Update": {
                "TableName": table,
                "Key": key("existing"),
                "UpdateExpression": "ADD n :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }
    ]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert ddb.get_item(TableName=table, Key=key("existing"))["Item"]["n"] == {"N": "2"}
    changed = [{"Update": {**items[0]["Update"], "ExpressionAttributeValues": {":one": {"N": "5"}}}}]
    assert error_of(ddb.transact_write_items, TransactItems=changed, ClientRequestToken=token)[0] == (
        "IdempotentParameterMismatchException"
    )
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=str(uuid.uuid4()))
    assert ddb.get_item(TableName=table, Key=key("existing"))["Item"]["n"] == {"N": "3"}


def test_a_replay_is_charged_as_reads_of_the_items_the_request_wrote(ddb: Any, table: str) -> None:
    nine_kb = {"S": "x" * 9000}
    ddb.put_item(TableName=table, Item={**key("shrinks"), "v": nine_kb})
    ddb.put_item(TableName=table, Item={**key("checked"), "v": nine_kb})
    items = [
        {"Put": {"TableName": table, "Item": key("shrinks")}},  # 9 KB before, a few bytes after
        {"Put": {"TableName": table, "Item": {**key("grows"), "v": nine_kb}}},
        {"ConditionCheck": {"TableName": table, "Key": key("checked"), "ConditionExpression": "attribute_exists(v)"}},
    ]
    token = str(uuid.uuid4())

    def units() -> float:
        response = ddb.transact_write_items(TransactItems=items, ClientRequestToken=token, ReturnConsumedCapacity="TOTAL")
        return float(response["ConsumedCapacity"][0]["CapacityUnits"])

    assert units() == 3 * 2 * 9.0  # each action: twice the write units of its larger image
    assert units() == 3 * 2 * 3.0  # the replay: twice the read units of the same images


def test_request_errors(ddb: Any, table: str) -> None:
    assert error_of(
        ddb.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "same"}}}},
            {"Delete": {"TableName": table, "Key": key("same")}},
        ],
    ) == ("ValidationException", "Transaction request cannot include multiple operations on one item")
    assert (
        error_of(
            ddb.transact_write_items,
            TransactItems=[
                {"Put": {"TableName": table_name(), "Item": {"pk": {"S": "x"}}}},
            ],
        )[0]
        == "ResourceNotFoundException"
    )
    assert error_of(
        ddb.transact_write_items,
        TransactItems=[
            {
                "Put": {"TableName": table, "Item": {"pk": {"S": "x"}}},
                "Delete": {"TableName": table, "Key": key("y")},
            },
        ],
    ) == ("ValidationException", "TransactItems can only contain one of Check, Put, Update or Delete")
    assert error_of(ddb.transact_write_items, TransactItems=[{}]) == (
        "ValidationException",
        "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request",
    )


def test_transact_get_items(ddb: Any, table: str, make_table: Any) -> None:
    other = make_table(("id", "N"))
    ddb.put_item(TableName=other, Item={"id": {"N": "7"}, "a": {"S": "x"}, "b": {"S": "y"}})
    ddb.put_item(TableName=other, Item={"id": {"N": "8"}, "a": {"S": "x"}})
    response = ddb.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": table, "Key": key("existing")}},
            {"Get": {"TableName": table, "Key": key("missing")}},
            {"Get": {"TableName": other, "Key": {"id": {"N": "7"}}, "ProjectionExpression": "a"}},
            # a projection that keeps nothing: no Item, as for a missing item (nubo-db transactGet)
            {"Get": {"TableName": other, "Key": {"id": {"N": "8"}}, "ProjectionExpression": "#x",
                     "ExpressionAttributeNames": {"#x": "doesNotExist"}}},
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert response["Responses"] == [
        {"Item": {"pk": {"S": "existing"}, "n": {"N": "1"}}},
        {},
        {"Item": {"a": {"S": "x"}}},
        {},
    ]
    assert {c["TableName"]: c["CapacityUnits"] for c in response["ConsumedCapacity"]} == {
        table: 4.0,
        other: 4.0,
    }
    assert (
        error_of(
            ddb.transact_get_items,
            TransactItems=[
                {"Get": {"TableName": table, "Key": key("a")}},
                {"Get": {"TableName": table, "Key": key("a")}},
            ],
        )[1]
        == "Transaction request cannot include multiple operations on one item"
    )


def test_resource_client_transactions(ddb_resource: Any, table: str) -> None:
    client = ddb_resource.meta.client
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": "doc", "tags": {"a"}, "n": 5}}},
        ]
    )
    got = client.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": {"pk": "doc"}}}])
    assert got["Responses"][0]["Item"]["tags"] == {"a"}


def test_updating_a_key_attribute_cancels_with_a_validation_reason(ddb: Any, table: str) -> None:
    # DynamoDB Local's TransactionErrorMapper.mapToCorrectExceptionForUpdateRequest
    response = error_response(
        ddb.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "p3"}}}},
            {
                "Update": {
                    "TableName": table,
                    "Key": key("existing"),
                    "UpdateExpression": "SET pk = :v",
                    "ExpressionAttributeValues": {":v": {"S": "other"}},
                }
            },
        ],
    )
    assert response["Error"] == {
        "Code": "TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]",
    }
    assert response["CancellationReasons"] == [
        {"Code": "None"},
        {
            "Code": "ValidationError",
            "Message": "One or more parameter values were invalid: Cannot update attribute pk. "
            "This attribute is part of the key",
        },
    ]
    assert "Item" not in ddb.get_item(TableName=table, Key=key("p3"))


def test_cancellation_body_is_dynamodbs(server: Any, table: str) -> None:
    import json

    from tests.dynamodb.test_protocol import call, target

    status, _, body = call(
        server.url,
        **target(
            "TransactWriteItems",
            {
                "TransactItems": [
                    {
                        "ConditionCheck": {
                            "TableName": table,
                            "Key": key("existing"),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            },
        ),
    )
    assert status == 400
    assert json.loads(body) == {
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "CancellationReasons": [
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
        ],
        "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]",
    }
