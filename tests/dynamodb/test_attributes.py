"""Attribute values: validation texts, number normalisation, size, ordering and equality."""

from __future__ import annotations

import base64

import pytest

from lumadb.dynamodb.attributes import (
    add_numbers,
    item_size,
    normalize_item,
    normalize_number,
    validate_attribute_value,
    validate_item,
)
from lumadb.dynamodb.comparison import compare_values, values_equal
from lumadb.dynamodb.errors import DynamoError

INVALID = "One or more parameter values were invalid: "


def error_of(fn, *args, **kwargs) -> DynamoError:
    with pytest.raises(DynamoError) as info:
        fn(*args, **kwargs)
    return info.value


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("1e3", "1000"),
        ("-0", "0"),
        ("0e125", "0"),
        ("1.500", "1.5"),
        ("+3", "3"),
        (".123", "0.123"),
        ("0001.23", "1.23"),
        ("1e+5", "100000"),
        ("-17.4E37", "-174000000000000000000000000000000000000"),
        ("12.5", "12.5"),
        ("1E-130", "0." + "0" * 129 + "1"),
        ("9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + "0" * 88),
        ("31415926535897932384626433832795028841e30", "31415926535897932384626433832795028841" + "0" * 30),
    ],
)
def test_numbers_take_dynamodb_canonical_form(text: str, canonical: str) -> None:
    assert normalize_number(text) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "The parameter cannot be converted to a numeric value: abc"),
        ("", "The parameter cannot be converted to a numeric value"),
        (" 1", "The parameter cannot be converted to a numeric value:  1"),
        ("1 ", "The parameter cannot be converted to a numeric value: 1 "),
        ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
        ("Infinity", "The parameter cannot be converted to a numeric value: Infinity"),
        ("0x10", "The parameter cannot be converted to a numeric value: 0x10"),
        ("1_000", "The parameter cannot be converted to a numeric value: 1_000"),
        ("1.2.3", "The parameter cannot be converted to a numeric value: 1.2.3"),
        ("1e", "The parameter cannot be converted to a numeric value: 1e"),
        ("1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        (
            "11e125",
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
        (
            "1e-131",
            "Number underflow. Attempting to store a number with magnitude smaller than supported range",
        ),
        (
            "0.9e-130",
            "Number underflow. Attempting to store a number with magnitude smaller than supported range",
        ),
        (
            "3.14159265358979323846264338327950288419",
            "Attempting to store more than 38 significant digits in a Number",
        ),
    ],
)
def test_bad_numbers_are_refused_with_aws_texts(text: str, message: str) -> None:
    """The older value layer's texts (value_layers.py); the current layer's are the same but two."""
    error = error_of(normalize_number, text)
    assert error.short_type == "ValidationException"
    assert error.message == message
    assert error.current == message or (text, error.current) in {
        ("", "The parameter cannot be converted to a numeric value: ")}


def test_an_exponent_past_an_int_wraps_to_an_underflow_in_the_older_layer() -> None:
    error = error_of(normalize_number, "1e2147483647")
    assert error.message == "Number underflow. Attempting to store a number with magnitude smaller than supported range"
    assert error.current == "Number overflow. Attempting to store a number with magnitude larger than supported range"
    assert error_of(normalize_number, "1e2147483646").message == error.current


def test_arithmetic_is_exact_to_38_digits_and_overflows_like_dynamodb() -> None:
    assert add_numbers("1", "10000000000000000000000") == "10000000000000000000001"
    assert add_numbers("10000000000000000000000", "1", subtract=True) == "9999999999999999999999"
    assert add_numbers("0.1", "0.2") == "0.3"
    assert add_numbers("5", "5", subtract=True) == "0"
    overflow = "Number overflow. Attempting to store a number with magnitude larger than supported range"
    assert error_of(add_numbers, "9e125", "9e125").message == overflow
    # DynamoDB reports a result needing more than 38 digits as an overflow
    assert error_of(add_numbers, "1e50", "1").message == overflow


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        ({"X": "1"}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        (
            {"S": "a", "N": "1"},
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        ),
        ({"NULL": False}, INVALID + "Null attribute value types must have the value of true"),
        ({"SS": []}, INVALID + "An string set  may not be empty"),
        ({"NS": []}, INVALID + "An number set  may not be empty"),
        ({"BS": []}, INVALID + "Binary sets should not be empty"),
        # the older value layer: members as sent (value_layers.py)
        ({"SS": ["a", "a"]}, INVALID + "Input collection [a, a] contains duplicates."),
        ({"SS": ["b", "a", "b", "c"]}, INVALID + "Input collection [b, a, b, c] contains duplicates."),
        ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
        ({"BS": ["/w==", "AA==", "AA=="]}, INVALID + "Input collection [/w==, AA==, AA==]of type BS contains duplicates."),
        ({"N": "abc"}, "The parameter cannot be converted to a numeric value: abc"),
        ({"NS": ["1", "x"]}, "The parameter cannot be converted to a numeric value: x"),
        (
            {"M": {"a": {"L": [{}]}}},
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
    ],
)
def test_invalid_attribute_values_get_aws_messages(value: dict, message: str) -> None:
    error = error_of(validate_attribute_value, value)
    assert error.short_type == "ValidationException"
    assert error.message == message


@pytest.mark.parametrize(
    ("value", "current"),
    [
        # quoted; the members before the first repeat in byte order, the repeat, then the rest
        ({"SS": ["b", "a", "b", "c"]}, 'Input collection ["a", "b", "b", "c"] contains duplicates.'),
        ({"NS": ["2", "1", "2"]}, "Input collection contains duplicates."),
        ({"BS": ["/w==", "AA==", "AA=="]}, 'Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.'),
    ],
)
def test_duplicate_set_members_in_the_current_layer(value: dict, current: str) -> None:
    assert error_of(validate_attribute_value, value).current == INVALID + current


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"S": 5}, "NUMBER_VALUE cannot be converted to String"),
        ({"S": True}, "TRUE_VALUE cannot be converted to String"),
        ({"N": 1.5}, "DECIMAL_VALUE cannot be converted to String"),
        ({"S": {}}, "Start of structure or map found where not expected"),
        ({"BOOL": "yes"}, "STRING_VALUE cannot be converted to Boolean"),
        ({"B": "abc"}, "Base64 encoded length is expected a multiple of 4 bytes but found: 3"),
        ({"L": "x"}, "Unexpected field type"),
    ],
)
def test_wrong_json_types_are_serialization_errors(value: dict, message: str) -> None:
    error = error_of(validate_attribute_value, value)
    assert error.short_type == "SerializationException"
    assert error.message == message


def deep_map(depth: int) -> dict:
    value: dict = {"S": "leaf"}
    for _ in range(depth):
        value = {"M": {"n": value}}
    return value


def test_nesting_allows_a_leaf_at_level_32_and_refuses_level_33() -> None:
    validate_item({"data": deep_map(31)})
    error = error_of(validate_item, {"data": deep_map(32)})
    assert error.message == (
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
    )


def test_key_values_may_not_be_empty() -> None:
    validate_attribute_value({"S": ""})
    error = error_of(validate_attribute_value, {"S": ""}, in_key=True, key_name="pk")
    assert error.message == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
        "an empty string value. Key: pk"
    )


def test_normalize_item_reaches_numbers_in_sets_maps_and_lists() -> None:
    item = {
        "n": {"N": "1e3"},
        "ns": {"NS": ["1.50", "2"]},
        "m": {"M": {"l": {"L": [{"N": "-0"}, {"S": "1e3"}]}}},
    }
    assert normalize_item(item) == {
        "n": {"N": "1000"},
        "ns": {"NS": ["1.5", "2"]},
        "m": {"M": {"l": {"L": [{"N": "0"}, {"S": "1e3"}]}}},
    }
    assert item["n"] == {"N": "1e3"}  # the input is not changed


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_item_size_counts_names_and_values_as_dynamodb_does() -> None:
    assert item_size({"id": {"S": "abc"}}) == 5
    assert item_size({"é": {"S": "é"}}) == 4  # UTF-8 bytes
    assert item_size({"b": {"B": b64(b"12345")}}) == 6
    assert item_size({"t": {"BOOL": True}, "n": {"NULL": True}}) == 4
    assert item_size({"n": {"N": "0"}}) == 2
    assert item_size({"n": {"N": "12345"}}) == 1 + 1 + 3
    assert item_size({"n": {"N": "-12.5"}}) == 1 + (1 + 2 + 1)
    # digits pair up around the decimal point: 3.14159 costs 5 and 123456 costs 4 (measured on AWS)
    assert item_size({"n": {"N": "3.14159"}}) == 1 + 5
    assert item_size({"n": {"N": "123456"}}) == 1 + 4
    assert item_size({"n": {"N": "1E125"}}) == 1 + 2
    assert item_size({"ss": {"SS": ["ab", "c"]}}) == 2 + 3
    assert item_size({"l": {"L": [{"S": "ab"}, {"N": "1"}]}}) == 1 + 3 + (1 + 2) + (1 + 2)
    assert item_size({"m": {"M": {"a": {"S": "xy"}}}}) == 1 + 3 + 1 + (1 + 2)


def test_ordering_is_by_code_point_number_value_and_unsigned_bytes() -> None:
    assert compare_values({"S": "a"}, {"S": "b"}) == -1
    assert compare_values({"S": "\uffff"}, {"S": "\U0001f600"}) == -1  # UTF-8 order, not UTF-16
    assert compare_values({"N": "10"}, {"N": "9"}) == 1
    assert compare_values({"N": "-1e-5"}, {"N": "0"}) == -1
    assert compare_values({"N": "2"}, {"N": "2.0"}) == 0
    assert compare_values({"B": b64(b"\xff")}, {"B": b64(b"\x00\x01")}) == 1
    assert compare_values({"S": "1"}, {"N": "1"}) is None
    assert compare_values({"SS": ["a"]}, {"SS": ["a"]}) is None


def test_equality_treats_sets_as_sets_and_numbers_by_value() -> None:
    assert values_equal({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert values_equal({"NS": ["1", "2"]}, {"NS": ["2.0", "1"]})
    assert values_equal({"N": "1.0"}, {"N": "1"})
    assert values_equal(
        {"L": [{"N": "1"}, {"M": {"a": {"S": "x"}}}]}, {"L": [{"N": "1.0"}, {"M": {"a": {"S": "x"}}}]}
    )
    assert not values_equal({"L": [{"N": "1"}, {"N": "2"}]}, {"L": [{"N": "2"}, {"N": "1"}]})
    assert not values_equal({"S": "1"}, {"N": "1"})
    assert not values_equal({"BOOL": True}, {"BOOL": False})
    assert values_equal({"NULL": True}, {"NULL": True})
