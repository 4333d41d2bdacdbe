"""Scan's and Query's order of checks with the legacy parameters, segments and a start key, as
dynalite's tests recorded it against DynamoDB: AttributesToGet's repeats and ScanFilter (Query:
QueryFilter, then AttributesToGet) before the start key's values, those before the segments and a
missing key condition; after the table, an unknown index and the start key before the paths into
key attributes."""

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
