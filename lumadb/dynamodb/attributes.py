"""DynamoDB attribute values on the wire (`{"S": "x"}`, `{"N": "12.5"}`, ...): validation with
AWS's messages, number normalisation and item size accounting (comparison and equality:
comparison.py)."""

from __future__ import annotations

import base64
import binascii
import bisect
from typing import Any

from lumadb.dynamodb.errors import DynamoError

# Numbers have their own module; their names stay importable from here too.
from lumadb.dynamodb.numbers import _CANONICAL
from lumadb.dynamodb.numbers import NUMBER_OVERFLOW as NUMBER_OVERFLOW
from lumadb.dynamodb.numbers import NUMBER_PRECISION as NUMBER_PRECISION
from lumadb.dynamodb.numbers import NUMBER_UNDERFLOW as NUMBER_UNDERFLOW
from lumadb.dynamodb.numbers import add_numbers as add_numbers
from lumadb.dynamodb.numbers import format_decimal as format_decimal
from lumadb.dynamodb.numbers import normalize_number as normalize_number
from lumadb.dynamodb.numbers import number_key as number_key

MAX_NESTING = 32  # containers plus the leaf, counted from a top-level attribute
SCALAR_TYPES = frozenset(("S", "N", "B"))
ALL_TYPES = frozenset(("S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"))

_INVALID = "One or more parameter values were invalid: "
_EMPTY_AV = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
_MANY_AV = (
    "Supplied AttributeValue has more than one datatypes set, "
    "must contain exactly one of the supported datatypes"
)
NESTING = (
    "Nesting Levels have exceeded supported limits: "
    "Attributes in the item have nested levels beyond supported limit"
)

# -- validation ----------------------------------------------------------------------------


def _serialization_type_error(value: object, target: str) -> DynamoError:
    # The texts of DynamoDB's JSON deserializer (Jackson) for a member of the wrong JSON type.
    if isinstance(value, bool):
        return DynamoError.serialization(
            f"{'TRUE' if value else 'FALSE'}_VALUE cannot be converted to {target}"
        )
    if isinstance(value, int | float):
        kind = "NUMBER_VALUE" if isinstance(value, int) or value.is_integer() else "DECIMAL_VALUE"
        return DynamoError.serialization(f"{kind} cannot be converted to {target}")
    if isinstance(value, list):
        return DynamoError.serialization(f"Unrecognized collection type class java.lang.{target}")
    if isinstance(value, dict):
        return DynamoError.serialization("Start of structure or map found where not expected")
    return DynamoError.serialization(f"STRING_VALUE cannot be converted to {target}")


def _check_string(value: object) -> None:
    if type(value) is not str:
        raise _serialization_type_error(value, "String")


def _check_blob(value: object) -> None:
    if type(value) is not str:
        if isinstance(value, list):
            raise DynamoError.serialization("Unrecognized collection type class java.nio.ByteBuffer")
        if isinstance(value, dict):
            raise DynamoError.serialization("Start of structure or map found where not expected")
        raise DynamoError.serialization("only base-64-encoded strings are convertible to bytes")
    if len(value) % 4:
        raise DynamoError.serialization(
            f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(value)}"
        )
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise DynamoError.serialization("Invalid last non-pad Base64 character dectected") from None


def _check_list(value: object) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        raise DynamoError.serialization("Start of structure or map found where not expected")
    raise DynamoError.serialization("Unexpected field type")


# DynamoDB words this one differently from the SS and BS cases (seen against AWS in 2026).
_NS_DUPLICATES = "Input collection contains duplicates"


def _as_dynamodb_lists_duplicates(members: list, key: Any) -> list:
    """DynamoDB's order in its duplicates message: the members before the first repeat in
    sorted order (as its set builder holds them), then the repeat, then the rest as sent."""
    seen: list = []
    for i, member in enumerate(members):
        position = bisect.bisect_left(seen, key(member), key=key)
        if position < len(seen) and key(seen[position]) == key(member):
            return seen + [member] + members[i + 1 :]
        seen.insert(position, member)
    return members


def validate_attribute_value(
    av: object, *, in_key: bool = False, key_name: str | None = None, _depth: int = 1
) -> None:
    """Raise AWS's error for an attribute value that DynamoDB would refuse. Numbers (also in
    NS) must be normalised separately (normalize_item / normalize_number) before storing."""
    if type(av) is dict and len(av) == 1 and not in_key:
        # fast paths for the valid common shapes; anything else takes the checks below
        if "S" in av:
            if type(av["S"]) is str:
                return
        elif "N" in av:
            text = av["N"]
            if type(text) is str and len(text) <= 38 and _CANONICAL.match(text):
                return
        elif "M" in av:
            fields = av["M"]
            if type(fields) is dict and _depth < MAX_NESTING:
                for member in fields.values():
                    validate_attribute_value(member, _depth=_depth + 1)
                return
        elif "L" in av:
            members = av["L"]
            if type(members) is list and _depth < MAX_NESTING:
                for member in members:
                    validate_attribute_value(member, _depth=_depth + 1)
                return
        elif "BOOL" in av:
            if type(av["BOOL"]) is bool:
                return
        elif av.get("NULL") is True:
            return
    if not isinstance(av, dict):
        if isinstance(av, list):
            raise DynamoError.serialization(
                "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"
            )
        raise DynamoError.serialization("Unexpected value type in payload")
    present = [t for t, v in av.items() if v is not None and t in ALL_TYPES]
    if not present:
        raise DynamoError.validation(_EMPTY_AV)
    for type_name in present:
        value = av[type_name]
        if type_name == "S":
            _check_string(value)
        elif type_name == "N":
            _check_string(value)
            normalize_number(value)
        elif type_name == "B":
            _check_blob(value)
        elif type_name == "BOOL":
            if type(value) is not bool:
                raise _serialization_type_error(value, "Boolean")
        elif type_name == "NULL":
            if type(value) is not bool:
                raise _serialization_type_error(value, "Boolean")
            if not value:
                raise DynamoError.validation(
                    _INVALID + "Null attribute value types must have the value of true"
                )
        elif type_name == "SS":
            members = _check_list(value)
            if not members:
                raise DynamoError.bad_value(_INVALID + "An string set  may not be empty")
            for member in members:
                _check_string(member)
            if len(set(members)) != len(members):
                current = ", ".join(f'"{m}"' for m in _as_dynamodb_lists_duplicates(members, lambda m: m))
                raise DynamoError.bad_value(_INVALID + f"Input collection [{', '.join(members)}] contains duplicates.",
                                            _INVALID + f"Input collection [{current}] contains duplicates.")  # fmt: skip
        elif type_name == "NS":
            members = _check_list(value)
            if not members:
                raise DynamoError.bad_value(_INVALID + "An number set  may not be empty")
            for member in members:
                _check_string(member)
            normalized = [normalize_number(m) for m in members]
            if len(set(normalized)) != len(normalized):
                raise DynamoError.bad_value(_NS_DUPLICATES, _INVALID + _NS_DUPLICATES + ".")
        elif type_name == "BS":
            members = _check_list(value)
            if not members:
                raise DynamoError.bad_value(_INVALID + "Binary sets should not be empty")
            for member in members:
                _check_blob(member)
            if len({base64.b64decode(m) for m in members}) != len(members):
                current = ",".join(f'"{m}"' for m in _as_dynamodb_lists_duplicates(members, base64.b64decode))
                raise DynamoError.bad_value(
                    _INVALID + f"Input collection [{', '.join(members)}]of type BS contains duplicates.",
                    _INVALID + f"Input collection [{current}]of type BS contains duplicates.",
                )
        elif type_name == "M":
            if not isinstance(value, dict):
                if isinstance(value, list):
                    raise DynamoError.serialization(
                        "Unrecognized collection type java.util.Map<java.lang.String, "
                        "com.amazonaws.dynamodb.v20120810.AttributeValue>"
                    )
                raise DynamoError.serialization("Unexpected field type")
            if _depth >= MAX_NESTING:
                raise DynamoError.validation(NESTING)
            for member in value.values():
                validate_attribute_value(member, _depth=_depth + 1)
        elif type_name == "L":
            members = _check_list(value)
            if _depth >= MAX_NESTING:
                raise DynamoError.validation(NESTING)
            for member in members:
                validate_attribute_value(member, _depth=_depth + 1)
    if len(present) > 1:
        raise DynamoError.validation(_MANY_AV)
    if in_key:
        type_name = present[0]
        if type_name in ("S", "B") and av[type_name] == "":
            kind = "string" if type_name == "S" else "binary"
            suffix = f" Key: {key_name}" if key_name is not None else ""
            raise DynamoError.validation(
                "One or more parameter values are not valid. The AttributeValue for a key attribute "
                f"cannot contain an empty {kind} value.{suffix}"
            )


def validate_value_at_any_depth(av: object) -> None:
    """validate_attribute_value without the nesting limit, for an ExpressionAttributeValue:
    DynamoDB checks the depth of a value only where it writes one (a condition compares a
    deeper value; paritysuite/dynamodb-conformance captures, 2026-10)."""
    validate_attribute_value(av, _depth=-(1 << 30))


def validate_item(item: dict) -> None:
    """Every attribute value of an item (nesting depth included)."""
    for value in item.values():
        validate_attribute_value(value)


# -- normalisation -------------------------------------------------------------------------


def normalize_value(av: dict) -> dict:
    """The attribute value with every number in canonical form (a new dict when anything changed)."""
    if "S" in av:
        return av
    if "N" in av:
        text = av["N"]
        canonical = normalize_number(text)
        return av if canonical is text else {"N": canonical}
    if "M" in av:
        return {"M": {k: normalize_value(v) for k, v in av["M"].items()}}
    if "L" in av:
        return {"L": [normalize_value(v) for v in av["L"]]}
    if "NS" in av:
        members = [normalize_number(m) for m in av["NS"]]
        if len(set(members)) != len(members):
            raise DynamoError.validation(_NS_DUPLICATES)
        return {"NS": members}
    return av


def normalize_item(item: dict) -> dict:
    """A copy of the item with numbers (in N, NS, maps and lists) in DynamoDB's canonical form."""
    return {name: normalize_value(value) for name, value in item.items()}


# -- size ----------------------------------------------------------------------------------


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _number_size(text: str) -> int:
    # One byte per pair of digits, pairs aligned on the decimal point, plus one (measured on
    # DynamoDB: 3.14159 costs 5, 123456 costs 4, 1E125 costs 2).
    if text.isdigit():  # a canonical non-negative integer, the common case
        count = len(text.rstrip("0"))
        if count == 0:
            return 1
        return 1 + (count + 1) // 2 + (0 if (count % 2 or (len(text) - 1) % 2) else 1)
    if "e" in text or "E" in text or text.startswith("+"):
        text = normalize_number(text)
    negative = text.startswith("-")
    if negative:
        text = text[1:]
    integer, _, fraction = text.partition(".")
    if integer == "0" and not fraction:
        return 1
    digits = (integer + fraction).lstrip("0").rstrip("0")
    if not digits:
        return 1
    # decimal exponent of the first significant digit
    exponent = len(integer) - 1 if integer != "0" else -(len(fraction) - len(fraction.lstrip("0")) + 1)
    count = len(digits)
    size = 1 + (count + 1) // 2 + (0 if (count % 2 or exponent % 2) else 1)
    return size + (1 if negative else 0)


def _canonical_number_size(text: str) -> int:
    """`_number_size` of a number already canonical (no exponent or '+', no leading zeros, none
    trailing after a point): the same figures in fewer steps, for lists of many numbers."""
    size = 1
    if text[0] == "-":
        text = text[1:]
        size = 2
    point = text.find(".")
    if point < 0:
        count = len(text.rstrip("0"))
        if count == 0:
            return 1
        exponent = len(text) - 1
    elif point == 1 and text[0] == "0":
        count = len(text[2:].lstrip("0"))
        exponent = count - len(text) + 1
    else:
        count = len(text) - 1
        exponent = point - 1
    return size + (count + 1) // 2 + (0 if (count % 2 or exponent % 2) else 1)


def _binary_size(b64: str) -> int:
    return len(b64) * 3 // 4 - b64[-2:].count("=")


def value_size(av: dict) -> int:
    for type_name in av:
        value = av[type_name]
        if type_name == "S":
            return len(value) if value.isascii() else len(value.encode("utf-8"))
        if type_name == "N":
            return _number_size(value)
        if type_name == "M":
            size = 3 + len(value)
            for name, member in value.items():
                size += (len(name) if name.isascii() else len(name.encode("utf-8"))) + value_size(member)
            return size
        if type_name == "L":
            size = 3 + len(value)
            for member in value:
                size += value_size(member)
            return size
        if type_name == "B":
            return _binary_size(value)
        if type_name in ("BOOL", "NULL"):
            return 1
        if type_name == "SS":
            return sum(_utf8_len(v) for v in value)
        if type_name == "NS":
            return sum(_number_size(v) for v in value)
        if type_name == "BS":
            return sum(_binary_size(v) for v in value)
    return 0


def item_size(item: dict) -> int:
    """Bytes DynamoDB charges for an item: UTF-8 names plus values (the 400 KB limit applies)."""
    size = 0
    for name, value in item.items():
        size += (len(name) if name.isascii() else len(name.encode("utf-8"))) + value_size(value)
    return size


def flat_item_size(item: dict) -> int | None:
    """The size of an item of only strings, canonical numbers, booleans and lists of canonical
    numbers (vectors), checked in the same pass (most items are such); None for any other item,
    which takes the full path (a PutItem of a 256-number canonical list, in process: 1.69 -> 1.12 ms)."""
    size = 0
    for name, av in item.items():
        if type(av) is not dict or len(av) != 1:
            return None
        size += len(name) if name.isascii() else len(name.encode("utf-8"))
        value = av.get("S")
        if value is not None:
            if type(value) is not str:
                return None
            size += len(value) if value.isascii() else len(value.encode("utf-8"))
            continue
        value = av.get("N")
        if value is not None:
            if type(value) is not str or len(value) > 38 or not _CANONICAL.match(value):
                return None
            size += _number_size(value)
            continue
        if type(av.get("BOOL")) is bool or av.get("NULL") is True:
            size += 1
            continue
        members = av.get("L")
        if type(members) is list:
            size += 3 + len(members)
            for member in members:
                if type(member) is not dict or len(member) != 1:
                    return None
                value = member.get("N")
                if type(value) is not str or len(value) > 38 or not _CANONICAL.match(value):
                    return None
                size += _canonical_number_size(value)
            continue
        return None
    return size
