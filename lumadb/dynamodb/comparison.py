"""Comparison and equality of DynamoDB attribute values, as conditions, key conditions and
update expressions see them."""

from __future__ import annotations

import base64
from decimal import Decimal, InvalidOperation
from typing import Any


def attribute_type(av: dict) -> str:
    for type_name in av:
        return type_name
    return ""


def _decode(b64: str) -> bytes:
    return base64.b64decode(b64)


def compare_values(a: dict, b: dict) -> int | None:
    """-1/0/1 for two values of one ordered type (S by code point = UTF-8 byte order, N by value,
    B by unsigned bytes); None when the types differ or are not ordered."""
    ta, tb = attribute_type(a), attribute_type(b)
    if ta != tb:
        return None
    if ta == "S":
        x, y = a["S"], b["S"]
    elif ta == "N":
        sx, sy = a["N"], b["N"]
        if sx == sy:
            return 0
        x, y = Decimal(sx), Decimal(sy)
    elif ta == "B":
        x, y = _decode(a["B"]), _decode(b["B"])
    else:
        return None
    return -1 if x < y else (1 if x > y else 0)


def _numbers_equal(x: str, y: str) -> bool:
    if x == y:
        return True
    try:
        return Decimal(x) == Decimal(y)
    except InvalidOperation:
        return False


def values_equal(a: Any, b: Any) -> bool:
    """DynamoDB equality: same type and value; sets as sets; numbers by value; B by bytes."""
    if a is b:
        return True
    ta, tb = attribute_type(a), attribute_type(b)
    if ta != tb:
        return False
    x, y = a[ta], b[tb]
    if ta == "S" or ta == "BOOL" or ta == "NULL":
        return bool(x == y)
    if ta == "N":
        return _numbers_equal(x, y)
    if ta == "B":
        return bool(x == y) or _decode(x) == _decode(y)
    if ta == "SS":
        return len(x) == len(y) and set(x) == set(y)
    if ta == "NS":
        if len(x) != len(y):
            return False
        if set(x) == set(y):
            return True
        return {Decimal(v) for v in x} == {Decimal(v) for v in y}
    if ta == "BS":
        return len(x) == len(y) and {_decode(v) for v in x} == {_decode(v) for v in y}
    if ta == "L":
        return len(x) == len(y) and all(values_equal(p, q) for p, q in zip(x, y, strict=True))
    if ta == "M":
        return x.keys() == y.keys() and all(values_equal(v, y[k]) for k, v in x.items())
    return False
