"""SearchVectors' request as DynamoDB's front end for it reads one (a serde deserializer, by its
texts): an explicit null where a required member is wanted is a SerializationException,
`invalid type: null, expected a string at line 1 column 17`, and a required member left out is
`missing field `TableName` at line 1 column 42` (a ValidationException), both before any
constraint is checked (paritysuite searchVectors, 2026-10). The position is serde's: the line
and the byte column where it stopped reading, the end of the `null` or the object's `}`."""

from __future__ import annotations

import re
from typing import Any

from lumadb.dynamodb.errors import DynamoError

# required members in the order the deserializer declares them, and what each expects
_REQUIRED = {"TableName": "a string", "IndexName": "a string", "SearchVector": "a sequence", "TopK": "i32"}


def check(data: Any, raw: bytes) -> None:
    if type(data) is not dict:
        return  # left to the request validator
    for name, value in data.items():  # serde reads members as they are written
        if value is None and name in _REQUIRED:
            found = re.search(rb'"' + re.escape(name.encode()) + rb'"\s*:\s*null', raw)
            end = found.end() if found else len(raw)
            raise DynamoError.serialization(f"invalid type: null, expected {_REQUIRED[name]} at {_position(raw, end)}")
    for name in _REQUIRED:
        if name not in data:
            end = raw.rstrip().rfind(b"}") + 1
            raise DynamoError.validation(f"missing field `{name}` at {_position(raw, end)}")


def _position(raw: bytes, end: int) -> str:
    """serde_json's `line L column C` for the byte before `end`."""
    line = raw.count(b"\n", 0, end) + 1
    line_start = raw.rfind(b"\n", 0, end) + 1
    return f"line {line} column {end - line_start}"
