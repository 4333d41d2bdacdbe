"""SearchVectors' request read as DynamoDB's own front end for it reads one: an explicit null
for a required member is a SerializationException and a missing one a ValidationException, in
serde's words with its line and column, before any constraint (paritysuite searchVectors,
2026-10)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.dynamodb.test_protocol import call, target

VALID = {"TableName": "absent_table", "IndexName": "vix", "SearchVector": [{"N": "1"}], "TopK": 1}


def send(server: Any, body: dict) -> dict:
    status, _, raw = call(server.url, **target("SearchVectors", body))
    assert status == 400
    return dict(json.loads(raw))


@pytest.mark.parametrize(("member", "expected"), [
    ("TableName", "a string"), ("IndexName", "a string"), ("SearchVector", "a sequence"), ("TopK", "i32"),
])  # fmt: skip
def test_an_explicit_null_is_a_serialization_error(server: Any, member: str, expected: str) -> None:
    body = {**VALID, member: None}
    text = json.dumps(body)
    column = text.index(f'"{member}": null') + len(f'"{member}": null')
    assert send(server, body) == {
        "__type": "com.amazon.coral.service#SerializationException",
        "Message": f"invalid type: null, expected {expected} at line 1 column {column}",
    }


def test_a_missing_member_comes_before_the_constraints(server: Any) -> None:
    body = {k: v for k, v in VALID.items() if k != "TableName"} | {"IndexName": "ab"}  # too short, too
    assert send(server, body) == {
        "__type": "com.amazon.coral.validate#ValidationException",
        "message": f"missing field `TableName` at line 1 column {len(json.dumps(body))}",
    }
