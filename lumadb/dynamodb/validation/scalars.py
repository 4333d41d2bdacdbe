"""Checks of scalar shapes: strings (pattern, length, enum), numbers (range; decimals given for
integers are truncated), booleans (the words the service accepts), timestamps and base64 blobs."""

from __future__ import annotations

import binascii
import math
import re
from typing import Any

from lumadb.dynamodb.validation import messages as m
from lumadb.dynamodb.validation.nodes import Entry, Lengths, Node, serialization, utf16_length, violation


def plain_string(node: Node, schema: dict[str, Any]) -> None:
    aws_pattern = schema["x-botocore"].get("pattern")
    regex = schema.get("x-lumadb-regex", aws_pattern)
    matches = re.compile(regex, re.ASCII).fullmatch if regex is not None else None
    enum = schema.get("enum")
    allowed = frozenset(enum or ())
    lengths = Lengths(schema.get("minLength"), schema.get("maxLength"))
    pattern = m.pattern_text(aws_pattern) if matches is not None else ""
    enum_text = m.enum_text(enum) if enum else None
    # Inside "Map keys must satisfy constraint: [...]" DynamoDB lists lengths first.
    bracket = lengths.bracket + ([pattern] if pattern else []) + ([enum_text] if enum_text else [])
    node.constraints = lambda _value: bracket
    if not bracket:
        node.plain_string = True
    elif bracket == lengths.bracket and lengths.low < 0:
        node.max_only = int(lengths.high)

    def check(value: Any, errs: list[Entry] | None) -> Any:
        if value.__class__ is not str:
            raise serialization(m.scalar_type_error("string", value))
        if matches is not None and matches(value) is None:
            violation(errs, value, pattern, node)
        if lengths.bounded:
            length = len(value) if value.isascii() else utf16_length(value)
            if not lengths.ok(length):
                lengths.report(value, length, node, errs, None)
        if enum_text is not None and value not in allowed:
            violation(errs, value, enum_text, node)
        return value

    node.check = check


def number(node: Node, schema: dict[str, Any]) -> None:
    kind = node.kind
    integral = kind in ("integer", "long")
    low, high = schema.get("minimum"), schema.get("maximum")
    bounds = [t for t in ((low, m.min_value_text(low)), (high, m.max_value_text(high))) if t[0] is not None]
    node.constraints = lambda _value: [text for _, text in reversed(bounds)]

    def check(value: Any, errs: list[Entry] | None) -> Any:
        cls = value.__class__
        if cls is float:
            if integral:
                value = math.floor(value)  # the service truncates decimals given for integers
        elif cls is not int:
            raise serialization(m.scalar_type_error(kind, value))
        if low is not None and value < low:
            violation(errs, value, bounds[0][1], node)
        if high is not None and value > high:
            violation(errs, value, bounds[-1][1], node)
        return value

    node.check = check


_TRUE = frozenset(("TRUE", "1", "YES"))
_FALSE = frozenset(("FALSE", "0", "NO"))


def check_boolean(value: Any, errs: list[Entry] | None) -> Any:
    if value is True or value is False:
        return value
    if value.__class__ is str:  # the service reads these words as booleans
        word = value.upper()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise serialization(m.scalar_type_error("boolean", value))


def check_timestamp(value: Any, errs: list[Entry] | None) -> Any:
    if value.__class__ is int or value.__class__ is float:
        return value
    raise serialization(m.scalar_type_error("timestamp", value))


def check_blob(value: Any, errs: list[Entry] | None) -> Any:
    if value.__class__ is not str:
        raise serialization(m.scalar_type_error("blob", value))
    if len(value) % 4:
        raise serialization(f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(value)}")
    try:
        binascii.a2b_base64(value, strict_mode=True)
    except (binascii.Error, ValueError):
        raise serialization(m.BAD_BASE64) from None
    # Canonical padding: the bits after the last byte must be zero.
    if value.endswith("=="):
        if value[-3] not in "AQgw":
            raise serialization(m.BAD_BASE64)
    elif value.endswith("=") and value[-2] not in "AEIMQUYcgkosw048":
        raise serialization(m.BAD_BASE64)
    return value
