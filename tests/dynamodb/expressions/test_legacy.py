"""Legacy parameters: Expected, QueryFilter/ScanFilter, AttributeUpdates and the mixing rules."""

from __future__ import annotations

import pytest

from lumadb.dynamodb.expressions import (
    check_no_mixing,
    condition_from_expected,
    condition_from_filter,
    update_from_attribute_updates,
)
from tests.dynamodb.expressions.helpers import N, S, message_of

INVALID = "One or more parameter values were invalid: "
ITEM = {"pk": S("k"), "a": N(3), "s": S("hello"), "ss": {"SS": ["x", "y"]}}


@pytest.mark.parametrize(
    ("expected", "operator", "result"),
    [
        ({"a": {"Value": N(3)}}, None, True),
        ({"a": {"Value": N("3.0"), "Exists": True}}, None, True),
        ({"a": {"Value": N(4)}}, None, False),
        ({"q": {"Exists": False}}, None, True),
        ({"a": {"Exists": False}}, None, False),
        ({"a": {"ComparisonOperator": "GT", "AttributeValueList": [N(2)]}}, None, True),
        ({"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1), N(3)]}}, None, True),
        ({"a": {"ComparisonOperator": "IN", "AttributeValueList": [N(1), N(3)]}}, None, True),
        ({"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("he")]}}, None, True),
        ({"ss": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [S("x")]}}, None, True),
        ({"ss": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [S("x")]}}, None, False),
        ({"q": {"ComparisonOperator": "NULL"}}, None, True),
        ({"a": {"ComparisonOperator": "NOT_NULL"}}, None, True),
        ({"a": {"ComparisonOperator": "NE", "Value": N(3)}}, None, False),
        ({"q": {"ComparisonOperator": "NE", "Value": N(3)}}, None, True),
        ({"a": {"Value": N(4)}, "s": {"Value": S("hello")}}, "OR", True),
        ({"a": {"Value": N(4)}, "s": {"Value": S("hello")}}, "AND", False),
        ({}, None, True),
    ],
)
def test_expected(expected: dict, operator: str | None, result: bool) -> None:
    assert condition_from_expected(expected, operator).evaluate(ITEM) is result


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        ({"a": {"Value": N(1), "AttributeValueList": [N(1)]}}, INVALID + "Value and AttributeValueList cannot be used together for Attribute: a"),
        ({"a": {"ComparisonOperator": "EQ", "Exists": True, "Value": N(1)}}, INVALID + "Exists and ComparisonOperator cannot be used together for Attribute: a"),
        ({"a": {"ComparisonOperator": "EQ"}}, INVALID + "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"),
        ({"a": {"AttributeValueList": [N(1)]}}, INVALID + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
        ({"a": {}}, INVALID + "Value must be provided when Exists is null for Attribute: a"),
        ({"a": {"Exists": True}}, INVALID + "Value must be provided when Exists is true for Attribute: a"),
        ({"a": {"Exists": False, "Value": N(1)}}, INVALID + "Value cannot be used when Exists is false for Attribute: a"),
        ({"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1)]}}, INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
        ({"a": {"ComparisonOperator": "IN", "AttributeValueList": [N(1), S("x")]}}, INVALID + "AttributeValues inside AttributeValueList must be of same type"),
        ({"a": {"ComparisonOperator": "LT", "AttributeValueList": [{"SS": ["x"]}]}}, INVALID + "ComparisonOperator LT is not valid for SS AttributeValue type"),
        ({"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(5), N(1)]}}, "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    ],
)  # fmt: skip
def test_expected_errors(expected: dict, message: str) -> None:
    assert message_of(condition_from_expected, expected, None) == message


def test_filters() -> None:
    scan_filter = {"a": {"ComparisonOperator": "GE", "AttributeValueList": [N(3)]},
                   "s": {"ComparisonOperator": "EQ", "AttributeValueList": [S("nope")]}}  # fmt: skip
    assert not condition_from_filter(scan_filter, None, "ScanFilter").evaluate(ITEM)
    assert condition_from_filter(scan_filter, "OR", "ScanFilter").evaluate(ITEM)
    assert (
        message_of(
            condition_from_filter,
            {"a": {"ComparisonOperator": "NULL", "AttributeValueList": [N(1)]}},
            None,
            "QueryFilter",
        )
        == INVALID + "Invalid number of argument(s) for the NULL ComparisonOperator"
    )


def test_attribute_updates() -> None:
    updates = {
        "put": {"Action": "PUT", "Value": S("v")},
        "default": {"Value": N("1e2")},
        "a": {"Action": "ADD", "Value": N(2)},
        "ss": {"Action": "ADD", "Value": {"SS": ["y", "z"]}},
        "l": {"Action": "ADD", "Value": {"L": [N(1)]}},
        "s": {"Action": "DELETE"},
        "gone": {"Action": "DELETE", "Value": {"SS": ["x"]}},
    }
    new, touched = update_from_attribute_updates(updates).apply(ITEM, ("pk",))
    assert new == {
        "pk": S("k"), "a": N(5), "ss": {"SS": ["x", "y", "z"]}, "put": S("v"), "default": N(100), "l": {"L": [N(1)]},
    }  # fmt: skip
    assert touched == set(updates)
    new, _ = update_from_attribute_updates({"ss": {"Action": "DELETE", "Value": {"SS": ["x", "y"]}}}).apply(
        ITEM, ()
    )
    assert "ss" not in new
    mismatch = "Type mismatch for attribute to update"
    assert (
        message_of(update_from_attribute_updates({"s": {"Action": "ADD", "Value": N(1)}}).apply, ITEM, ())
        == mismatch
    )
    assert message_of(update_from_attribute_updates({"pk": {"Value": S("x")}}).apply, ITEM, ("pk",)) == (
        INVALID + "Cannot update attribute pk. This attribute is part of the key"
    )


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        (
            {"a": {"Action": "PUT"}},
            INVALID + "Only DELETE action is allowed when no attribute value is specified",
        ),
        (
            {"a": {"Action": "DELETE", "Value": S("x")}},
            INVALID + "DELETE action with value is not supported for the type S",
        ),
        ({"a": {"Action": "ADD", "Value": S("x")}}, INVALID + "ADD action is not supported for the type S"),
        ({"a": {"Action": "PUT", "Value": {"NS": []}}}, INVALID + "An number set  may not be empty"),
    ],
)
def test_attribute_update_errors(updates: dict, message: str) -> None:
    assert message_of(update_from_attribute_updates, updates) == message


@pytest.mark.parametrize(
    ("body", "operation", "message"),
    [
        ({"AttributesToGet": ["a"], "ProjectionExpression": "a"}, "GetItem",
         "Can not use both expression and non-expression parameters in the same request: "
         "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"),
        ({"AttributeUpdates": {}, "Expected": {}, "UpdateExpression": "SET a = :v", "ConditionExpression": "b = :v"},
         "UpdateItem",
         "Can not use both expression and non-expression parameters in the same request: "
         "Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: {UpdateExpression, ConditionExpression}"),
        ({"ScanFilter": {}, "FilterExpression": "a = :v"}, "Scan",
         "Can not use both expression and non-expression parameters in the same request: "
         "Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}"),
        ({"ExpressionAttributeNames": {"#a": "a"}}, "PutItem", "ExpressionAttributeNames can only be specified when using expressions"),
        ({"ExpressionAttributeValues": {":a": S("x")}}, "PutItem",
         "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"),
        ({"ExpressionAttributeValues": {":a": S("x")}}, "UpdateItem",
         "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"),
        ({"ExpressionAttributeValues": {":a": S("x")}, "ProjectionExpression": "a"}, "Scan",
         "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"),
        ({"ExpressionAttributeValues": {":a": S("x")}, "KeyConditions": {}}, "Query",
         "ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null"),
    ],
)  # fmt: skip
def test_mixing_is_refused(body: dict, operation: str, message: str) -> None:
    assert message_of(check_no_mixing, body, operation) == message


def test_key_conditions_may_go_with_a_filter_expression() -> None:
    check_no_mixing({"KeyConditions": {}, "FilterExpression": "a = :v"}, "Query")
    check_no_mixing({"ProjectionExpression": "a"}, "GetItem")


def test_conditional_operator_needs_two_legacy_conditions() -> None:
    assert message_of(check_no_mixing, {"ConditionalOperator": "OR"}, "PutItem") == (
        "ConditionalOperator cannot be used without Filter or Expected"
    )
    assert message_of(check_no_mixing, {"ConditionalOperator": "OR", "Expected": {"a": {}}}, "PutItem") == (
        "ConditionalOperator can only be used when Filter or Expected has two or more elements"
    )
    check_no_mixing({"ConditionalOperator": "OR", "ScanFilter": {"a": {}, "b": {}}}, "Scan")


def test_transaction_parts_accept_placeholders_without_an_expression() -> None:
    from lumadb.dynamodb.expressions import ExpressionContext

    body = {"ExpressionAttributeNames": {"#a": "a"}, "ExpressionAttributeValues": {":v": S("x")}}
    check_no_mixing(body, "Put")
    ExpressionContext(body["ExpressionAttributeNames"], body["ExpressionAttributeValues"]).check_all_used()
