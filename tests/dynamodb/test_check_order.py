"""Which error wins when a request has several problems: DynamoDB checks every expression
(placeholders, operand types, the shape of a key condition, unused names and values) before it
looks for the table, and the key schema after it. Compared with dynalite, whose validations
(written against DynamoDB) run before its table lookup."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name

MISSING = ("ResourceNotFoundException", "Requested resource not found")


def S(text: str) -> dict:
    return {"S": text}


@pytest.fixture
def missing() -> str:
    return table_name()  # never created


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"KeyConditionExpression": "pk = :x"},
         "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x"),
        ({"KeyConditionExpression": "pk = :x OR pk = :x", "ExpressionAttributeValues": {":x": S("a")}},
         "Invalid operator used in KeyConditionExpression: OR"),
        ({"KeyConditionExpression": "begins_with(pk, :x)", "ExpressionAttributeValues": {":x": {"N": "1"}}},
         "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
        ({"KeyConditionExpression": "pk = :x", "FilterExpression": "a = :y", "ExpressionAttributeValues": {":x": S("a")}},
         "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :y"),
        ({"KeyConditionExpression": "pk = :x", "ExpressionAttributeValues": {":x": S("a"), ":z": S("b")}},
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:z}"),
        ({"KeyConditionExpression": "pk = :x", "IndexName": "byOwner"},
         "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x"),
        ({"KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]}}},
         "One or more parameter values were invalid: ComparisonOperator EQ is not valid for BOOL AttributeValue type"),
        ({"KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": []}}},
         "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"),
        ({"KeyConditionExpression": "pk = :x AND sk < :y", "ExpressionAttributeValues": {":x": S("a"), ":y": {"NULL": True}}},
         "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: NULL"),
        ({"KeyConditions": {n: {"ComparisonOperator": "EQ", "AttributeValueList": [S("a")]} for n in ("pk", "sk", "x")}},
         "Conditions can be of length 1 or 2 only"),
        # a QueryFilter's values before the KeyConditions' (found by conformance fuzz against dynalite)
        ({"KeyConditions": {"pk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "0"}]}},
          "QueryFilter": {"b": {"ComparisonOperator": "IN", "AttributeValueList": [S("a"), {"N": "1"}]}}},
         "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"),
    ],
)  # fmt: skip
def test_query_reports_expression_errors_before_a_missing_table(
    ddb: Any, missing: str, kwargs: dict, message: str
) -> None:
    assert error_of(ddb.query, TableName=missing, **kwargs) == ("ValidationException", message)


def test_query_checks_the_key_schema_after_the_table(ddb: Any, make_table: Any, missing: str) -> None:
    kwargs = {"KeyConditionExpression": "x1 = :x", "ExpressionAttributeValues": {":x": S("a")}}
    assert error_of(ddb.query, TableName=missing, **kwargs) == MISSING
    table = make_table(("pk", "S"))
    assert error_of(ddb.query, TableName=table, **kwargs) == (
        "ValidationException",
        "Query condition missed key schema element: pk",
    )
    # an expression error still wins over a key schema error on an existing table
    assert error_of(
        ddb.query, TableName=table, KeyConditionExpression="x1 = :x", FilterExpression="a = :y",
        ExpressionAttributeValues={":x": S("a")},
    ) == ("ValidationException", "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :y")  # fmt: skip
    # a set is a value EQ takes; it fails the key's type after the table (found by conformance fuzz)
    schema = ("ValidationException", "One or more parameter values were invalid: Condition parameter type does not match schema type")
    for conditions in ({"KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"SS": ["a"]}]}}},
                       {"KeyConditionExpression": "pk = :x", "ExpressionAttributeValues": {":x": {"NS": ["1"]}}}):
        assert error_of(ddb.query, TableName=missing, **conditions) == MISSING
        assert error_of(ddb.query, TableName=table, **conditions) == schema
    # in an expression `=` takes any type: a BOOL, NULL, map or list fails the key's type too
    # (paritysuite, eu-west-2 2026-10); legacy KeyConditions refuse a BOOL before the table
    for value in ({"BOOL": True}, {"NULL": True}, {"M": {}}, {"L": []}):
        conditions = {"KeyConditionExpression": "pk = :x", "ExpressionAttributeValues": {":x": value}}
        assert error_of(ddb.query, TableName=missing, **conditions) == MISSING
        assert error_of(ddb.query, TableName=table, **conditions) == schema
    legacy = {"KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]}}}
    assert error_of(ddb.query, TableName=missing, **legacy) == (
        "ValidationException",
        "One or more parameter values were invalid: ComparisonOperator EQ is not valid for BOOL AttributeValue type",
    )


def test_query_counts_an_expressions_conditions_against_the_key_schema(ddb: Any, make_table: Any, missing: str) -> None:
    """More conditions than the key has attributes: counted once the table (or index) is known,
    and worded with both numbers (paritysuite, eu-west-2 2026-10); legacy KeyConditions are
    counted before the table, as dynalite recorded."""
    three = {"KeyConditionExpression": "pk = :x AND sk = :x AND x = :x", "ExpressionAttributeValues": {":x": S("a")}}
    assert error_of(ddb.query, TableName=missing, **three) == MISSING
    table = make_table(("pk", "S"), ("sk", "S"))
    assert error_of(ddb.query, TableName=table, **three) == (
        "ValidationException",
        "The number of query conditions (3) exceeds the number of key attributes defined in the schema (2)",
    )
    hash_only = make_table(("pk", "S"))
    assert error_of(ddb.query, TableName=hash_only, **three) == (
        "ValidationException",
        "The number of query conditions (3) exceeds the number of key attributes defined in the schema (1)",
    )
    legacy = {"KeyConditions": {n: {"ComparisonOperator": "EQ", "AttributeValueList": [S("a")]} for n in ("pk", "sk", "x")}}
    assert error_of(ddb.query, TableName=missing, **legacy) == ("ValidationException", "Conditions can be of length 1 or 2 only")


@pytest.fixture
def two_attribute_index(ddb: Any) -> Iterator[str]:
    """A table whose GSI `byAB` has a two-attribute partition key (a, b)."""
    name = table_name()
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "a", "b")],
        GlobalSecondaryIndexes=[{
            "IndexName": "byAB",
            "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }],
    )  # fmt: skip
    yield name
    ddb.delete_table(TableName=name)


def test_legacy_key_conditions_on_a_multi_attribute_index_are_checked(ddb: Any, two_attribute_index: str) -> None:
    table = two_attribute_index
    assert error_of(
        ddb.query, TableName=table, IndexName="byAB",
        KeyConditions={"a": {"ComparisonOperator": "EQ", "AttributeValueList": []}},
    ) == ("ValidationException", "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator")  # fmt: skip
    ddb.put_item(TableName=table, Item={"pk": S("1"), "a": S("x"), "b": S("y")})
    found = ddb.query(
        TableName=table, IndexName="byAB",
        KeyConditions={
            "a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]},
            "b": {"ComparisonOperator": "EQ", "AttributeValueList": [S("y")]},
        },
    )  # fmt: skip
    assert found["Count"] == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"FilterExpression": "a = :x"},
         "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :x"),
        ({"ProjectionExpression": "a", "ExpressionAttributeNames": {"#b": "b"}},
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"),
        ({"FilterExpression": "a = :x", "IndexName": "byOwner"},
         "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :x"),
    ],
)  # fmt: skip
def test_scan_reports_expression_errors_before_a_missing_table(
    ddb: Any, missing: str, kwargs: dict, message: str
) -> None:
    assert error_of(ddb.scan, TableName=missing, **kwargs) == ("ValidationException", message)


def test_item_operations_report_expression_errors_before_a_missing_table(ddb: Any, missing: str) -> None:
    key = {"pk": S("a")}
    undefined = "An expression attribute value used in expression is not defined; attribute value: :x"
    assert error_of(ddb.get_item, TableName=missing, Key=key, ProjectionExpression="#a") == (
        "ValidationException",
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; "
        "attribute name: #a",
    )
    assert error_of(ddb.put_item, TableName=missing, Item=key, ConditionExpression="a = :x") == (
        "ValidationException",
        "Invalid ConditionExpression: " + undefined,
    )
    assert error_of(ddb.update_item, TableName=missing, Key=key, UpdateExpression="SET a = :x") == (
        "ValidationException",
        "Invalid UpdateExpression: " + undefined,
    )
    assert error_of(ddb.delete_item, TableName=missing, Key=key, ConditionExpression="a = :x") == (
        "ValidationException",
        "Invalid ConditionExpression: " + undefined,
    )
    # and a well-formed request meets the missing table
    assert error_of(ddb.get_item, TableName=missing, Key=key) == MISSING
    assert error_of(ddb.scan, TableName=missing, FilterExpression="a = :x", ExpressionAttributeValues={":x": S("1")}) == MISSING


def test_an_index_query_counts_conditions_against_the_index_key(ddb: Any, two_attribute_index: str) -> None:
    three = {"KeyConditionExpression": "a = :x AND b = :x AND pk = :x", "ExpressionAttributeValues": {":x": S("a")}}
    assert error_of(ddb.query, TableName=two_attribute_index, IndexName="byAB", **three) == (
        "ValidationException",
        "The number of query conditions (3) exceeds the number of key attributes defined in the schema (2)",
    )


def test_an_empty_filter_comes_before_the_key_conditions_shape(ddb: Any, missing: str) -> None:
    """moto's aws_verified test_query_with_empty_filter_expression (DynamoDB, 2026-10): the key
    condition parses, its shape is wrong (`sth` is a second attribute name), the filter is empty."""
    assert error_of(ddb.query, TableName=missing, KeyConditionExpression="partitionKey = sth", FilterExpression="") == (
        "ValidationException", "Invalid FilterExpression: The expression can not be empty;")  # fmt: skip
    # a key condition that does not parse is still the first error
    assert error_of(ddb.query, TableName=missing, KeyConditionExpression="partitionKey =", FilterExpression="")[1] == (
        'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "="')  # fmt: skip
