"""SQLite's conversions of a function argument, as its C API makes them (`sqlite3_value_int64`,
`sqlite3_value_double`, `sqlite3_value_text`...), for the functions LumaDB adds to libSQL
connections: they read text and blobs as C does, up to the end of a leading number."""

from __future__ import annotations

import math
import re
from typing import Any

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_INTEGER = re.compile(rb"[ \t\n\v\f\r]*([+-]?)([0-9]*)")  # what sqlite3Atoi64 reads (sqlite3Isspace first)
# what sqlite3AtoF reads: sign, digits, fraction, "e", exponent
_NUMBER = re.compile(rb"[ \t\n\v\f\r]*([+-]?)([0-9]*)(?:\.([0-9]*))?(?:([eE])([+-]?[0-9]+)?)?[ \t\n\v\f\r]*")


def wrap(value: int, bits: int) -> int:
    """The two's complement value of the low `bits` bits (C's casts and overflow)."""
    half = 1 << (bits - 1)
    return (value + half) % (half << 1) - half


def real_text(value: float) -> str:
    """A real as SQLite 3.45 writes it (`%!.15g`): `1.0e+20`, `100.0`, `Inf`."""
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    text = format(value, ".15g") if value else "0"  # (no "-0": SQLite drops the sign of zero)
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + e + exponent


def value_bytes(value: Any) -> bytes:
    """All of a non-NULL value's text, as `sqlite3_value_text` gives it."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, float):
        return real_text(value).encode()
    return str(value).encode("utf-8")


def value_text(value: Any) -> bytes:
    """The text C reads: up to the first NUL."""
    return value_bytes(value).partition(b"\0")[0]


def value_double(value: Any) -> float:
    """`sqlite3_value_double`: text and blobs read up to the end of their leading number."""
    if isinstance(value, (int, float)):
        return float(value)
    match = _NUMBER.match(value_bytes(value))
    assert match is not None  # (every part is optional)
    sign, whole, fraction, e, exponent = match.groups()
    if not whole and not fraction:
        return -0.0 if sign == b"-" else 0.0
    return float(sign + (whole or b"0") + b"." + (fraction or b"0") + (b"e" + exponent if e and exponent else b""))


def value_int64(value: Any) -> int:
    """`sqlite3_value_int64`: reals truncated and clamped, text read up to its first non-digit."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value:
            return 0
        return _INT64_MIN if value <= _INT64_MIN else _INT64_MAX if value >= _INT64_MAX else int(value)
    match = _INTEGER.match(value_bytes(value))
    assert match is not None
    number = int(match[2] or b"0") * (-1 if match[1] == b"-" else 1)
    return max(_INT64_MIN, min(_INT64_MAX, number))


def value_int32(value: Any) -> int:
    """`sqlite3_value_int`: the low 32 bits of the int64."""
    return wrap(value_int64(value), 32)


def value_numeric(value: Any) -> Any:
    """The value after `sqlite3_value_numeric_type`: text that is wholly a number becomes one."""
    if not isinstance(value, str):
        return value
    match = _NUMBER.fullmatch(value.encode("utf-8"))
    if match is None or not (match[2] or match[3]) or (match[4] and not match[5]):
        return value
    if match[3] is None and not match[4] and _INT64_MIN <= int(match[1] + match[2]) <= _INT64_MAX:
        return int(match[1] + match[2])
    return value_double(value)


