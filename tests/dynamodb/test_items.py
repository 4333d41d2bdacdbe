"""PutItem, GetItem, UpdateItem and DeleteItem with boto3: keys, ReturnValues, conditions,
capacity, sizes and the table counters, with DynamoDB's errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, error_response, table_name


@pytest.fixture
def table(make_table: Any) -> str:
    return str(make_table(("pk", "S"), ("sk", "N")))


def test_put_then_get_returns_the_item_with_canonical_numbers(ddb: Any, table: str) -> None:
    ddb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "a"},
            "sk": {"N": "1.50"},
            "n": {"N": "1e3"},
            "ns": {"NS": ["1", "2.0"]},
            "empty": {"S": ""},
            "b": {"B": b"\x00\x01"},
            "m": {"M": {"x": {"L": [{"N": "-0"}, {"NULL": True}]}}},
            "bool": {"BOOL": False},
        },
    )
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1.5"}})["Item"]
    assert item["sk"] == {"N": "1.5"} and item["n"] == {"N": "1000"}
    assert sorted(item["ns"]["NS"]) == ["1", "2"]
    assert item["empty"] == {"S": ""} and item["b"] == {"B": b"\x00\x01"} and item["bool"] == {"BOOL": False}
    assert item["m"] == {"M": {"x": {"L": [{"N": "0"}, {"NULL": True}]}}}
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "2"}})


def test_get_item_projection_and_attributes_to_get(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    ddb.put_item(
        TableName=table, Item={**key, "a": {"S": "x"}, "b": {"M": {"c": {"N": "1"}, "d": {"N": "2"}}}}
    )
    got = ddb.get_item(TableName=table, Key=key, ProjectionExpression="a, b.c")["Item"]
    assert got == {"a": {"S": "x"}, "b": {"M": {"c": {"N": "1"}}}}
    assert ddb.get_item(TableName=table, Key=key, AttributesToGet=["a"])["Item"] == {"a": {"S": "x"}}
    code, message = error_of(
        ddb.get_item, TableName=table, Key=key, AttributesToGet=["a"], ProjectionExpression="a"
    )
    assert code == "ValidationException" and message.startswith(
        "Can not use both expression and non-expression"
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ({"pk": {"S": "a"}}, "The provided key element does not match the schema"),
        ({"pk": {"N": "1"}, "sk": {"N": "1"}}, "The provided key element does not match the schema"),
        (
            {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "y"}},
            "The provided key element does not match the schema",
        ),
        (
            {"pk": {"S": ""}, "sk": {"N": "1"}},
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
            "empty string value. Key: pk",
        ),
        (
            {"pk": {"S": "x" * 2049}, "sk": {"N": "1"}},
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
        ),
    ],
)
def test_key_errors(ddb: Any, table: str, key: dict, message: str) -> None:
    assert error_of(ddb.get_item, TableName=table, Key=key) == ("ValidationException", message)


def test_put_item_key_errors(ddb: Any, table: str) -> None:
    assert error_of(ddb.put_item, TableName=table, Item={"pk": {"S": "a"}})[1] == (
        "One or more parameter values were invalid: Missing the key sk in the item"
    )
    assert error_of(ddb.put_item, TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "1"}})[1] == (
        "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S"
    )
    assert error_of(
        ddb.put_item, TableName=table, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"SS": []}}
    )[0] == ("ValidationException")
    assert error_of(ddb.put_item, TableName=table_name(), Item={"pk": {"S": "a"}}) == (
        "ResourceNotFoundException",
        "Requested resource not found",
    )


def test_item_size_limit(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "big"}, "sk": {"N": "1"}}
    blob = b"x" * 409_500
    ddb.put_item(TableName=table, Item={**key, "b": {"B": blob}})
    assert ddb.get_item(TableName=table, Key=key)["Item"]["b"]["B"] == blob
    assert error_of(ddb.put_item, TableName=table, Item={**key, "b": {"B": b"x" * 409_600}}) == (
        "ValidationException",
        "Item size has exceeded the maximum allowed size",
    )
    assert error_of(
        ddb.update_item,
        TableName=table,
        Key=key,
        UpdateExpression="SET c = :c",
        ExpressionAttributeValues={":c": {"S": "y" * 1000}},
    ) == ("ValidationException", "Item size to update has exceeded the maximum allowed size")


def test_put_item_return_values_and_conditions(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "c"}, "sk": {"N": "1"}}
    assert "Attributes" not in ddb.put_item(
        TableName=table, Item={**key, "v": {"N": "1"}}, ReturnValues="ALL_OLD"
    )
    old = ddb.put_item(TableName=table, Item={**key, "v": {"N": "2"}}, ReturnValues="ALL_OLD")["Attributes"]
    assert old["v"] == {"N": "1"}
    assert error_of(ddb.put_item, TableName=table, Item=key, ReturnValues="ALL_NEW") == (
        "ValidationException",
        "ReturnValues can only be ALL_OLD or NONE",
    )
    response = error_response(
        ddb.put_item,
        TableName=table,
        Item=key,
        ConditionExpression="attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert response["Error"]["Message"] == "The conditional request failed"
    assert response["Item"]["v"] == {"N": "2"}
    # the body's key is `message`, so botocore models it at the top (moto 5.2.6's aws_verified
    # TestReturnValuesOnConditionCheckFailure; AWS spelt it `Message` until mid-2026)
    assert response["message"] == "The conditional request failed"
    without_item = error_response(
        ddb.put_item, TableName=table, Item=key, ConditionExpression="attribute_not_exists(pk)"
    )
    assert "Item" not in without_item
    assert without_item["message"] == "The conditional request failed"
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "3"}}, Expected={"v": {"Value": {"N": "2"}}})
    assert ddb.get_item(TableName=table, Key=key)["Item"]["v"] == {"N": "3"}


def test_update_item_creates_and_returns_values(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "u"}, "sk": {"N": "7"}}
    created = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET a = :a, b = :b",
        ReturnValues="ALL_NEW",
        ExpressionAttributeValues={":a": {"N": "1"}, ":b": {"S": "x"}},
    )["Attributes"]
    assert created == {**key, "a": {"N": "1"}, "b": {"S": "x"}}
    old = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET a = a + :one REMOVE b",
        ReturnValues="UPDATED_OLD",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )["Attributes"]
    assert old == {"a": {"N": "1"}, "b": {"S": "x"}}
    new = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="ADD a :one",
        ReturnValues="UPDATED_NEW",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )["Attributes"]
    assert new == {"a": {"N": "3"}}
    assert (
        ddb.update_item(
            TableName=table, Key=key, UpdateExpression="REMOVE zz", ReturnValues="UPDATED_NEW"
        ).get("Attributes")
        is None
    )
    all_old = ddb.update_item(
        TableName=table,
        Key=key,
        AttributeUpdates={"c": {"Action": "PUT", "Value": {"S": "c"}}},
        ReturnValues="ALL_OLD",
    )["Attributes"]
    assert all_old == {**key, "a": {"N": "3"}}
    only_key = {"pk": {"S": "u"}, "sk": {"N": "8"}}
    assert ddb.update_item(TableName=table, Key=only_key, ReturnValues="ALL_NEW")["Attributes"] == only_key
    code, message = error_of(
        ddb.update_item,
        TableName=table,
        Key=key,
        UpdateExpression="SET pk = :v",
        ExpressionAttributeValues={":v": {"S": "z"}},
    )
    assert (
        message
        == "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
    )


def test_update_item_condition_failure_changes_nothing(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "cf"}, "sk": {"N": "1"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}})
    response = error_response(
        ddb.update_item,
        TableName=table,
        Key=key,
        UpdateExpression="SET v = :two",
        ConditionExpression="v = :zero",
        ExpressionAttributeValues={":two": {"N": "2"}, ":zero": {"N": "0"}},
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert response["Item"] == {**key, "v": {"N": "1"}}
    assert ddb.get_item(TableName=table, Key=key)["Item"]["v"] == {"N": "1"}


def test_an_update_that_only_removes_creates_no_item(ddb: Any, table: str) -> None:
    # Alternator's test_update_item_non_existent and test_update_item_returnvalues_all_new (run
    # against DynamoDB): nothing to remove from, so no item; an update that sets creates one
    for n, kwargs in enumerate([
        {"UpdateExpression": "REMOVE b", "ReturnValues": "ALL_NEW"},
        {"UpdateExpression": "DELETE s :v", "ExpressionAttributeValues": {":v": {"SS": ["x"]}}},
        {"AttributeUpdates": {"a": {"Action": "DELETE"}}},
    ]):
        key = {"pk": {"S": f"only-removes-{n}"}, "sk": {"N": "1"}}
        assert "Attributes" not in ddb.update_item(TableName=table, Key=key, **kwargs)
        assert "Item" not in ddb.get_item(TableName=table, Key=key)
    key = {"pk": {"S": "only-removes-tx"}, "sk": {"N": "1"}}
    ddb.transact_write_items(TransactItems=[{"Update": {"TableName": table, "Key": key, "UpdateExpression": "REMOVE b"}}])
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    key = {"pk": {"S": "sets-and-removes"}, "sk": {"N": "1"}}
    ddb.update_item(TableName=table, Key=key, UpdateExpression="SET a = :v REMOVE b", ExpressionAttributeValues={":v": {"N": "1"}})
    assert ddb.get_item(TableName=table, Key=key)["Item"] == {**key, "a": {"N": "1"}}
    with pytest.raises(ddb.exceptions.ClientError, match="Cannot update attribute pk"):
        ddb.update_item(TableName=table, Key={"pk": {"S": "k"}, "sk": {"N": "9"}}, UpdateExpression="REMOVE pk")


def test_delete_item(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "d"}, "sk": {"N": "1"}}
    assert "Attributes" not in ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    ddb.put_item(TableName=table, Item={**key, "v": {"S": "x"}})
    assert (
        error_of(
            ddb.delete_item,
            TableName=table,
            Key=key,
            ConditionExpression="v = :y",
            ExpressionAttributeValues={":y": {"S": "y"}},
        )[0]
        == "ConditionalCheckFailedException"
    )
    gone = ddb.delete_item(
        TableName=table, Key=key, ReturnValues="ALL_OLD", ConditionExpression="attribute_exists(v)"
    )
    assert gone["Attributes"] == {**key, "v": {"S": "x"}}
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    assert error_of(ddb.delete_item, TableName=table, Key=key, ReturnValues="UPDATED_NEW")[1] == (
        "ReturnValues can only be ALL_OLD or NONE"
    )


def test_consumed_capacity(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "cap"}, "sk": {"N": "1"}}
    put = ddb.put_item(TableName=table, Item={**key, "v": {"S": "x" * 3000}}, ReturnConsumedCapacity="TOTAL")
    assert put["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 3.0}
    get = ddb.get_item(TableName=table, Key=key, ReturnConsumedCapacity="INDEXES")
    assert get["ConsumedCapacity"] == {
        "TableName": table,
        "CapacityUnits": 0.5,
        "Table": {"CapacityUnits": 0.5},
    }
    get = ddb.get_item(TableName=table, Key=key, ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert get["ConsumedCapacity"]["CapacityUnits"] == 1.0
    update = ddb.update_item(
        TableName=table, Key=key, UpdateExpression="REMOVE v", ReturnConsumedCapacity="TOTAL"
    )
    assert update["ConsumedCapacity"]["CapacityUnits"] == 3.0  # the larger of before and after
    assert "ConsumedCapacity" not in ddb.get_item(TableName=table, Key=key, ReturnConsumedCapacity="NONE")


def test_describe_table_counters_follow_writes(ddb: Any, table: str) -> None:
    def counters() -> tuple[int, int]:
        described = ddb.describe_table(TableName=table)["Table"]
        return described["ItemCount"], described["TableSizeBytes"]

    ddb.put_item(TableName=table, Item={"pk": {"S": "ab"}, "sk": {"N": "1"}, "v": {"S": "xyz"}})
    assert counters() == (1, 2 + 2 + 2 + 2 + 1 + 3)  # names + values: pk "ab", sk 1, v "xyz"
    ddb.put_item(TableName=table, Item={"pk": {"S": "ab"}, "sk": {"N": "1"}})
    assert counters() == (1, 2 + 2 + 2 + 2)
    ddb.put_item(TableName=table, Item={"pk": {"S": "cd"}, "sk": {"N": "1"}})
    ddb.update_item(TableName=table, Key={"pk": {"S": "ef"}, "sk": {"N": "1"}})
    assert counters()[0] == 3
    ddb.delete_item(TableName=table, Key={"pk": {"S": "ab"}, "sk": {"N": "1"}})
    ddb.delete_item(TableName=table, Key={"pk": {"S": "zz"}, "sk": {"N": "1"}})
    assert counters() == (2, 16)


def test_binary_keys(ddb: Any, make_table: Any) -> None:
    name = make_table(("pk", "B"))
    ddb.put_item(TableName=name, Item={"pk": {"B": b"\xff\x00"}, "v": {"S": "x"}})
    assert ddb.get_item(TableName=name, Key={"pk": {"B": b"\xff\x00"}})["Item"]["v"] == {"S": "x"}
    assert error_of(ddb.get_item, TableName=name, Key={"pk": {"B": b""}})[1].endswith(
        "cannot contain an empty binary value. Key: pk"
    )


def test_resource_api(ddb_resource: Any, make_table: Any) -> None:
    from decimal import Decimal

    table = ddb_resource.Table(make_table(("pk", "S"), ("sk", "N")))
    table.put_item(Item={"pk": "r", "sk": 1, "tags": {"a", "b"}, "price": Decimal("9.99"), "raw": b"\x01"})
    item = table.get_item(Key={"pk": "r", "sk": 1})["Item"]
    assert item == {
        "pk": "r",
        "sk": Decimal(1),
        "tags": {"a", "b"},
        "price": Decimal("9.99"),
        "raw": item["raw"],
    }
    assert bytes(item["raw"]) == b"\x01"
    table.update_item(
        Key={"pk": "r", "sk": 1},
        UpdateExpression="SET price = price + :d",
        ExpressionAttributeValues={":d": Decimal("0.01")},
    )
    assert table.get_item(Key={"pk": "r", "sk": 1})["Item"]["price"] == Decimal("10")
    table.delete_item(Key={"pk": "r", "sk": 1})
    assert "Item" not in table.get_item(Key={"pk": "r", "sk": 1})
    assert table.item_count == 0


def test_updated_values_hold_only_the_written_paths(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "nested"}, "sk": {"N": "1"}}
    ddb.put_item(
        TableName=table,
        Item={
            **key,
            "m": {"M": {"a": {"N": "1"}, "b": {"N": "2"}}},
            "l": {"L": [{"S": "x"}, {"S": "y"}]},
            "keep": {"S": "k"},
        },
    )
    new = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET m.a = :v, l[1] = :w",
        ReturnValues="UPDATED_NEW",
        ExpressionAttributeValues={":v": {"N": "10"}, ":w": {"S": "z"}},
    )["Attributes"]
    assert new == {"m": {"M": {"a": {"N": "10"}}}, "l": {"L": [{"S": "z"}]}}
    old = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET m.b = :v",
        ReturnValues="UPDATED_OLD",
        ExpressionAttributeValues={":v": {"N": "20"}},
    )["Attributes"]
    assert old == {"m": {"M": {"b": {"N": "2"}}}}
