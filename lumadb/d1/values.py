"""Values between D1's JSON and SQLite, converted the way workerd's D1 does.

In: every JSON number is a JS double, so it binds as REAL (`typeof(?)` is `real`); byte
arrays (JSON arrays of numbers) bind as BLOBs, each number wrapped into a byte like a
`Uint8Array` would; booleans bind as 1/0 (the binding converts them before sending).
Out: BLOBs become arrays of byte values, non-finite floats `null` (JSON has no Infinity),
integral floats print as integers, and integers beyond 2^53 become the nearest double,
printed as JavaScript's JSON.stringify prints it (9223372036854775807 -> 9223372036854776000).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import orjson

SqlValue = None | int | float | str | bytes

# JSON.stringify prints integral doubles without exponent below 1e21; from 2^53 on they
# are the double's shortest digits padded with zeros.
_INTEGRAL_LIMIT = 1e21
_EXACT_LIMIT = 2**53


class BadParameter(ValueError):
    """A parameter value D1 cannot bind (an object, a nested array of non-numbers...)."""


def _byte(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadParameter(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return 0
        value = int(value)  # truncates toward zero, like ToUint8
    return value & 0xFF


def bind_value(value: Any) -> SqlValue:
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is float:
        return value
    if kind is int:
        return float(value)
    if kind is bool:
        return 1.0 if value else 0.0
    if kind is list:
        return bytes(_byte(v) for v in value)
    raise BadParameter(value)


def bind_params(params: Any) -> tuple[SqlValue, ...]:
    if params is None:
        return ()
    if type(params) is not list:
        raise BadParameter(params)
    return tuple(bind_value(v) for v in params)


def describe_bad(value: Any) -> str:
    """D1's text for an unbindable value (the binding's D1_TYPE_ERROR wording)."""
    kind = "object" if isinstance(value, dict | list) or value is None else type(value).__name__
    shown = "[object Object]" if isinstance(value, dict) else str(value)
    return f"Type '{kind}' not supported for value '{shown}'"


def js_integral(value: float) -> int | orjson.Fragment:
    """An integral double as JSON.stringify prints it (below 1e21: no exponent; from 2^53
    on, the shortest digits that round-trip, padded with zeros). Python's repr picks the
    same shortest digits; beyond the 64-bit range orjson takes the text as it is."""
    if -_EXACT_LIMIT <= value <= _EXACT_LIMIT:
        return int(value)
    number = int(Decimal(repr(value)))
    return number if -(2**63) <= number < 2**64 else orjson.Fragment(str(number).encode())


def js_number(value: int) -> int | orjson.Fragment:
    """An integer as the JavaScript number D1 reports (rounded beyond 2^53)."""
    return value if -_EXACT_LIMIT <= value <= _EXACT_LIMIT else js_integral(float(value))


def _cell(value: Any) -> Any:
    kind = type(value)
    if kind is int:
        return js_number(value)  # D1 hands SQLite's integers to JavaScript as numbers
    if kind is float:
        if value != value or value in (math.inf, -math.inf):
            return None
        if value.is_integer() and -_INTEGRAL_LIMIT < value < _INTEGRAL_LIMIT:
            return js_integral(value)
        return value
    if kind is bytes:
        return list(value)
    return value


def json_rows(rows: list[tuple[SqlValue, ...]]) -> list[tuple[Any, ...]]:
    """Rows ready for orjson: only rows holding a float, a blob or an integer beyond 2^53
    are rebuilt."""
    out = rows
    for index, row in enumerate(rows):
        for value in row:
            kind = type(value)
            if kind is int:
                if -_EXACT_LIMIT <= value <= _EXACT_LIMIT:  # type: ignore[operator]
                    continue
            elif kind is not float and kind is not bytes:
                continue
            if out is rows:
                out = list(rows)
            out[index] = tuple(_cell(v) for v in row)
            break
    return out
