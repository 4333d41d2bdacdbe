"""Hrana values: `{"type": "integer", "value": "42"}` and friends, to and from Python.

Integers travel as decimal strings over the full i64 range, floats as JSON numbers
(non-finite ones become `null`, as sqld's serializer writes them), blobs as base64
(written without padding like sqld, read with or without it).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from lumadb.libsql.errors import HranaError, unexpected

SqlValue = None | int | float | str | bytes

# sqld's `max_row_size` (a namespace setting, 5 MB by default): the longest string or blob a
# statement may make or bind (SQLite's SQLITE_LIMIT_LENGTH)
MAX_ROW_BYTES = 5_000_000
I64_MIN = -(2**63)
I64_MAX = 2**63 - 1
_DECIMAL = re.compile(r"[+-]?[0-9]+")
NULL: dict[str, Any] = {"type": "null"}
VALUE_TYPES = "`null`, `integer`, `float`, `text`, `blob`"


def decode_value(value: Any) -> SqlValue:
    """A Hrana Value object as the Python value to bind; HranaError (400) when malformed."""
    if not isinstance(value, dict):
        raise HranaError.json(f"invalid type: {unexpected(value)}, expected internally tagged enum Value")
    kind = value.get("type")
    if kind == "text":
        text = value.get("value")
        if not isinstance(text, str):
            raise _field_error(value, "value", "a string")
        return text
    if kind == "integer":
        raw = value.get("value")
        if not isinstance(raw, str):
            raise _field_error(value, "value", "a borrowed string")
        if not _DECIMAL.fullmatch(raw) or not I64_MIN <= int(raw) <= I64_MAX:
            raise HranaError.json(f'invalid value: string "{raw}", expected decimal integer as a string')
        return int(raw)
    if kind == "float":
        number = value.get("value")
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise _field_error(value, "value", "f64")
        return float(number)
    if kind == "blob":
        encoded = value.get("base64")
        if not isinstance(encoded, str):
            raise _field_error(value, "base64", "a borrowed string")
        return decode_base64(encoded)
    if kind == "null":
        return None
    if kind is None:
        raise HranaError.json("missing field `type`")
    raise HranaError.json(f"unknown variant `{kind}`, expected one of {VALUE_TYPES}")


def _field_error(value: dict, field: str, expected: str) -> HranaError:
    if field not in value:
        return HranaError.json(f"missing field `{field}`")
    return HranaError.json(f"invalid type: {unexpected(value[field])}, expected {expected}")


def decode_base64(encoded: str) -> bytes:
    """sqld's reading: trailing `=` are dropped (`====` is an empty blob), the rest is base64."""
    data = encoded.rstrip("=")
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise HranaError.json(f'invalid value: string "{encoded}", expected binary data encoded as base64') from None


def encode_base64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def encode_value(value: SqlValue) -> dict[str, Any]:
    kind = type(value)
    if kind is int:
        return {"type": "integer", "value": str(value)}
    if kind is str:
        return {"type": "text", "value": value}
    if kind is float:
        return {"type": "float", "value": value}
    if value is None:
        return NULL
    return {"type": "blob", "base64": encode_base64(value)}  # type: ignore[arg-type]


def encode_row(row: tuple[SqlValue, ...]) -> list[dict[str, Any]]:
    return [encode_value(value) for value in row]
