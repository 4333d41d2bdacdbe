"""Scan's and Query's order of checks with the legacy parameters, segments and a start key, as
dynalite's tests recorded it against DynamoDB: AttributesToGet's repeats and ScanFilter (Query:
QueryFilter, then AttributesToGet) before the start key's values, those before the segments and a
missing key condition; after the table, an unknown index and the start key before the paths into
key attributes, and a Query's start key checked attribute by attribute with the key conditions."""

from __future__ import annotations

from typing import Any

from tests.dynamodb.helpers import error_of, table_name

INVALID = "One or more parameter values were invalid: "
BAD_START = {"a": {}}
EMPTY = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"


def test_scan_checks_legacy_parameters_then_the_start_key_then_the_segments(ddb: Any) -> None:
    name = table_name()  # no table: every one of these comes first
    bad_filter = {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{}]}}
    cases = [
        ({"Segment": 1, "ScanFilter": bad_filter, "ExclusiveStartKey": BAD_START, "AttributesToGet": ["a", "a"]},
         INVALID + "Duplicate value in attribute name: a"),
        ({"Segment": 1, "ScanFilter": bad_filter, "ExclusiveStartKey": BAD_START}, EMPTY),
        ({"Segment": 1, "ExclusiveStartKey": BAD_START}, "The provided starting key is invalid: " + EMPTY),
        ({"TotalSegments": 2, "ExclusiveStartKey": {"a": {"S": "a", "N": "1"}}},
         "The provided starting key is invalid: Supplied AttributeValue has more than one datatypes set, must contain "
         "exactly one of the supported datatypes"),
    ]  # fmt: skip
    for kwargs, message in cases:
        assert error_of(ddb.scan, TableName=name, **kwargs) == ("ValidationException", message), kwargs


def test_scan_names_an_unknown_index_and_a_bad_start_key_before_a_path_into_a_key(ddb: Any, make_table: Any) -> None:
    table = make_table(("pk", "S"))
    into_key = {"FilterExpression": "attribute_exists(pk.b.c)"}
    assert error_of(ddb.scan, TableName=table, IndexName="whatever", **into_key) == (
        "ValidationException", "The table does not have the specified index: whatever")
    assert error_of(ddb.scan, TableName=table, ExclusiveStartKey={"b": {"S": "a"}}, **into_key)[1].startswith(
        "The provided starting key is invalid")
    assert error_of(ddb.scan, TableName=table, **into_key)[1].startswith("Key attributes must be scalars")


def test_query_checks_query_filter_then_attributes_to_get_then_the_start_key(ddb: Any) -> None:
    name = table_name()
    key = {"KeyConditions": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}}
    bad_filter = {"b": {"ComparisonOperator": "EQ", "AttributeValueList": [{"NULL": False}]}}
    assert error_of(ddb.query, TableName=name, **key, QueryFilter=bad_filter, AttributesToGet=["a", "a"],
                    ExclusiveStartKey=BAD_START)[1] == INVALID + "Null attribute value types must have the value of true"  # fmt: skip
    assert error_of(ddb.query, TableName=name, **key, AttributesToGet=["a", "a"], ExclusiveStartKey=BAD_START)[1] == (
        INVALID + "Duplicate value in attribute name: a")
    # a QueryFilter's operand type before the missing key condition
    lt_set = {"b": {"ComparisonOperator": "LT", "AttributeValueList": [{"NS": ["1"]}]}}
    assert error_of(ddb.query, TableName=name, QueryFilter=lt_set)[1] == (
        INVALID + "ComparisonOperator LT is not valid for NS AttributeValue type")


def test_query_checks_each_key_attribute_of_the_start_key_before_its_condition(ddb: Any, make_table: Any) -> None:
    """The start key's size first, then per key attribute (hash, then range) its presence and
    type, then that attribute's key condition."""
    table = make_table(("a", "S"), ("b", "S"))
    on_z = {"KeyConditionExpression": "z = :z", "ExpressionAttributeValues": {":z": {"N": "1"}}}
    cases = [
        ({"a": {"S": "a"}}, "The provided starting key is invalid"),  # one attribute of two
        ({"a": {"N": "1"}, "z": {"S": "a"}}, "The provided key element does not match the schema"),  # the hash's type
        ({"z": {"S": "a"}, "y": {"S": "a"}}, "The provided starting key is invalid"),  # no hash
        ({"a": {"S": "a"}, "b": {"N": "1"}}, "Query condition missed key schema element: a"),  # the hash's condition first
    ]  # fmt: skip
    for start, message in cases:
        assert error_of(ddb.query, TableName=table, ExclusiveStartKey=start, **on_z)[1] == message, start
    # a value of another type before a hash condition that is not EQ
    assert error_of(ddb.query, TableName=table, KeyConditionExpression=":a > a",
                    ExpressionAttributeValues={":a": {"N": "1"}})[1] == (
        INVALID + "Condition parameter type does not match schema type")  # fmt: skip
