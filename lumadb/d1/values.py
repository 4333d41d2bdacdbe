"""Values between D1's JSON and SQLite, converted the way workerd's D1 does.

In: every JSON number is a JS double, so it binds as REAL (`typeof(?)` is `real`); byte
arrays (JSON arrays of numbers) bind as BLOBs, each number wrapped into a byte like a
`Uint8Array` would; booleans bind as 1/0 (the binding converts them before sending).
Out: BLOBs become arrays of byte values, non-finite floats `null` (JSON has no Infinity),
and integral floats print as integers, as JavaScript's JSON.stringify does.
"""

from __future__ import annotations

import math
from typing import Any

SqlValue = None | int | float | str | bytes

# JSON.stringify prints integral doubles without exponent up to 1e21; JSON encoders for
# 64-bit integers stop at 2^63, so larger ones stay floats (they parse to the same double).
_INTEGRAL_LIMIT = float(2**63)


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


def _cell(value: SqlValue) -> Any:
    if type(value) is float:
        if value != value or value in (math.inf, -math.inf):
            return None
        if value.is_integer() and -_INTEGRAL_LIMIT <= value < _INTEGRAL_LIMIT:
            return int(value)
        return value
    if type(value) is bytes:
        return list(value)
    return value


def json_rows(rows: list[tuple[SqlValue, ...]]) -> list[tuple[Any, ...]]:
    """Rows ready for orjson: only rows holding a float or a blob are rebuilt."""
    out = rows
    for index, row in enumerate(rows):
        for value in row:
            kind = type(value)
            if kind is float or kind is bytes:
                if out is rows:
                    out = list(rows)
                out[index] = tuple(_cell(v) for v in row)
                break
    return out
