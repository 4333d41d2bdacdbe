"""Which problem TransactWriteItems reports when a request has several: its actions one at a
time in request order, each action's own checks before the next action's, all before any table
is looked up (paritysuite/dynamodb-conformance deepRequests, captured in ten regions,
2026-10-09). Every table here is absent."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name

NEST = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
SYNTAX = 'Invalid ConditionExpression: Syntax error; token: "=", near: "= = b"'
EMPTY_NAME = "Empty attribute name"
ABSENT = table_name()


def deep(depth: int) -> dict:
    value: dict = {"S": "leaf"}
    for _ in range(depth):
        value = {"M": {"n": value}}
    return value


def S(text: str) -> dict:
    return {"S": text}


def key(pk: dict) -> dict:
    return {"pk": pk, "sk": S("1")}


def put(item: dict, **extra: Any) -> dict:
    return {"Put": {"TableName": ABSENT, "Item": item, **extra}}


LONG_CONDITION = "a = :v" + " AND a = :v" * 373  # 4,109 characters
LONG_UPDATE = "SET " + ", ".join(f"a{i} = :v" for i in range(500))
UNUSED = {"Update": {"TableName": ABSENT, "Key": key(S("a")), "UpdateExpression": "SET a = :v",
                     "ExpressionAttributeValues": {":v": S("x"), ":u": S("y")}}}  # fmt: skip


@pytest.mark.parametrize(("actions", "message"), [
    ([put({**key(S("b")), "d": deep(40)}), put({**key(S("a")), "": S("x")})], NEST),
    ([put({**key(S("a")), "": S("x")}), put({**key(S("b")), "d": deep(100)})], EMPTY_NAME),
    ([put({**key(S("a")), "": S("x"), "d": deep(100)})], EMPTY_NAME),
    ([put({**key(S("a")), "d": deep(100), "": S("x")})], EMPTY_NAME),
    ([put({**key(S("a")), "m": {"M": {"": S("x")}}, "d": deep(40)})], NEST),
    ([put({**key(S("a")), "": S("x")}),
      {"ConditionCheck": {"TableName": ABSENT, "Key": key(S("b")), "ConditionExpression": "d = :deep",
                          "ExpressionAttributeValues": {":deep": deep(100)}}}], EMPTY_NAME),
    ([{"Delete": {"TableName": ABSENT, "Key": key(deep(40))}}, put(key(S("a")), ConditionExpression="a = = b")], NEST),
    ([{"ConditionCheck": {"TableName": ABSENT, "Key": key(deep(40)), "ConditionExpression": "attribute_exists(a)"}},
      UNUSED], NEST),
    ([put(key(S("a")), ConditionExpression="a = = b"), {"Delete": {"TableName": ABSENT, "Key": key(deep(100))}}], SYNTAX),
    ([{"Delete": {"TableName": ABSENT, "Key": key(deep(100)), "ConditionExpression": "a = = b"}}], SYNTAX),
    ([{"Delete": {"TableName": ABSENT, "Key": key(deep(100)), "ConditionExpression": LONG_CONDITION,
                  "ExpressionAttributeValues": {":v": S("x")}}}],
     "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4109"),
    ([{"Update": {"TableName": ABSENT, "Key": key(S("a")), "UpdateExpression": LONG_UPDATE,
                  "ExpressionAttributeValues": {":v": S("x")}}},
      {"ConditionCheck": {"TableName": ABSENT, "Key": key(deep(100)), "ConditionExpression": "attribute_exists(a)"}}],
     "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;"),
    ([UNUSED, {"ConditionCheck": {"TableName": ABSENT, "Key": key(deep(100)), "ConditionExpression": "attribute_exists(a)"}}],
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}"),
])  # fmt: skip
def test_the_first_actions_problem_is_reported(ddb: Any, actions: list[dict], message: str) -> None:
    assert error_of(ddb.transact_write_items, TransactItems=actions) == ("ValidationException", message)


def test_an_item_with_an_empty_attribute_name_is_refused(ddb: Any, make_table: Any) -> None:
    table = make_table(("pk", "S"))
    item = {"pk": S("a"), "": S("x")}
    assert error_of(ddb.put_item, TableName=table, Item=item) == ("ValidationException", EMPTY_NAME)
    assert error_of(ddb.batch_write_item, RequestItems={table: [{"PutRequest": {"Item": item}}]}) == (
        "ValidationException",
        EMPTY_NAME,
    )
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": S("a")})
