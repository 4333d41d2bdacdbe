"""An UpdateItem that creates its item reads the item's key attributes: `SET b = pk` copies the
key, `if_not_exists(b, sk)` falls back to it (dynalite's tests, which were run against DynamoDB).
The condition still sees no item."""

from __future__ import annotations

from typing import Any

from tests.dynamodb.helpers import error_of


def test_a_new_item_reads_its_key(ddb: Any, make_table: Any) -> None:
    table = make_table(("pk", "S"), ("sk", "N"))
    key = {"pk": {"S": "a"}, "sk": {"N": "7"}}
    out = ddb.update_item(TableName=table, Key=key, UpdateExpression="SET b = pk, c = if_not_exists(c, sk)",
                          ReturnValues="UPDATED_NEW")  # fmt: skip
    assert out["Attributes"] == {"b": {"S": "a"}, "c": {"N": "7"}}
    other = {"pk": {"S": "b"}, "sk": {"N": "1"}}
    ddb.transact_write_items(TransactItems=[{"Update": {"TableName": table, "Key": other, "UpdateExpression": "SET n = sk + sk"}}])
    assert ddb.get_item(TableName=table, Key=other)["Item"] == {**other, "n": {"N": "2"}}
    missing = {"pk": {"S": "c"}, "sk": {"N": "1"}}
    assert error_of(ddb.update_item, TableName=table, Key=missing, UpdateExpression="SET b = pk",
                    ConditionExpression="attribute_exists(pk)")[0] == "ConditionalCheckFailedException"  # fmt: skip
    assert "Item" not in ddb.get_item(TableName=table, Key=missing)
