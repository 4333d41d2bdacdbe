"""The limits DynamoDB documents for transactions: at most 100 actions, 4 MB of items in all, one
action per item, items of at most 400 KB, a ClientRequestToken of at most 36 characters that may
not be reused for another request; TransactGetItems likewise (100 items, 4 MB)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.dynamodb.helpers import error_of

TOO_LARGE = (
    "ValidationException",
    "Collection size of items exceeded, which can also be caused by the aggregate size of the items in "
    "the transaction exceeding the 4MB limit",
)
BIG = "x" * (390 * 1024)  # eleven of these pass 4 MB, ten do not


@pytest.fixture
def table(make_table: Any) -> str:
    return str(make_table(("pk", "S")))


def puts(table: str, count: int, prefix: str) -> list[dict]:
    return [{"Put": {"TableName": table, "Item": {"pk": {"S": f"{prefix}{i}"}, "v": {"S": BIG}}}} for i in range(count)]


def test_transact_write_items_refuses_more_than_4_mb(ddb: Any, table: str) -> None:
    assert error_of(ddb.transact_write_items, TransactItems=puts(table, 11, "big")) == TOO_LARGE
    assert ddb.describe_table(TableName=table)["Table"]["ItemCount"] == 0  # nothing was written
    ddb.transact_write_items(TransactItems=puts(table, 10, "big"))
    assert ddb.describe_table(TableName=table)["Table"]["ItemCount"] == 10
    # updates bring their key and the values they write
    updates = [
        {"Update": {
            "TableName": table, "Key": {"pk": {"S": f"u{i}"}}, "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": {":v": {"S": BIG}},
        }}
        for i in range(11)
    ]  # fmt: skip
    assert error_of(ddb.transact_write_items, TransactItems=updates) == TOO_LARGE


def test_transact_get_items_refuses_more_than_4_mb(ddb: Any, table: str) -> None:
    for i in range(11):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"g{i}"}, "v": {"S": BIG}})
    gets = [{"Get": {"TableName": table, "Key": {"pk": {"S": f"g{i}"}}}} for i in range(11)]
    assert error_of(ddb.transact_get_items, TransactItems=gets) == TOO_LARGE
    assert len(ddb.transact_get_items(TransactItems=gets[:10])["Responses"]) == 10


def test_the_other_documented_limits(ddb: Any, table: str) -> None:
    many = [{"Put": {"TableName": table, "Item": {"pk": {"S": str(i)}}}} for i in range(101)]
    code, message = error_of(ddb.transact_write_items, TransactItems=many)
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value '[com.amazonaws.dynamodb.v20120810.TransactWriteItem@")
    assert message.endswith("at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100")
    gets = [{"Get": {"TableName": table, "Key": {"pk": {"S": str(i)}}}} for i in range(101)]
    code, message = error_of(ddb.transact_get_items, TransactItems=gets)
    assert message.endswith("failed to satisfy constraint: Member must have length less than or equal to 100")
    one = [{"Put": {"TableName": table, "Item": {"pk": {"S": "a"}}}}]
    assert error_of(ddb.transact_write_items, TransactItems=one, ClientRequestToken="t" * 37) == (
        "ValidationException",
        f"1 validation error detected: Value '{'t' * 37}' at 'clientRequestToken' failed to satisfy constraint: "
        "Member must have length less than or equal to 36",
    )
    token = str(uuid.uuid4())
    ddb.transact_write_items(TransactItems=one, ClientRequestToken=token)
    other = [{"Put": {"TableName": table, "Item": {"pk": {"S": "b"}}}}]
    assert error_of(ddb.transact_write_items, TransactItems=other, ClientRequestToken=token)[0] == (
        "IdempotentParameterMismatchException"
    )
    too_big = [{"Put": {"TableName": table, "Item": {"pk": {"S": "c"}, "v": {"S": "x" * (401 * 1024)}}}}]
    assert error_of(ddb.transact_write_items, TransactItems=too_big) == (
        "ValidationException",
        "Item size has exceeded the maximum allowed size",
    )
    twice = [{"Get": {"TableName": table, "Key": {"pk": {"S": "a"}}}}] * 2
    assert error_of(ddb.transact_get_items, TransactItems=twice) == (
        "ValidationException",
        "Transaction request cannot include multiple operations on one item",
    )
