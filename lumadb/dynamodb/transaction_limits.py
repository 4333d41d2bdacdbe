"""The aggregate size limit of transactions: the items of one TransactWriteItems or
TransactGetItems request may total at most 4 MB (each item's own 400 KB limit and the 100
actions are checked elsewhere: the item checks and the request schema)."""

from __future__ import annotations

from lumadb.dynamodb.attributes import item_size, value_size
from lumadb.dynamodb.errors import DynamoError

MAX_AGGREGATE_BYTES = 4 * 1024 * 1024
TOO_LARGE = (
    "Collection size of items exceeded, which can also be caused by the aggregate size of the items "
    "in the transaction exceeding the 4MB limit"
)


def write_size(kind: str, part: dict, put_size: int) -> int:
    """What one TransactWriteItems action brings to the transaction: a Put its item; an Update its
    key and the values it writes; a Delete or a ConditionCheck its key."""
    if kind == "Put":
        return put_size
    size = item_size(part["Key"])
    if kind == "Update":
        size += sum(value_size(value) for value in (part.get("ExpressionAttributeValues") or {}).values())
        for update in (part.get("AttributeUpdates") or {}).values():
            if update.get("Value") is not None:
                size += value_size(update["Value"])
    return size


def check_aggregate(total: int) -> None:
    if total > MAX_AGGREGATE_BYTES:
        raise DynamoError.validation(TOO_LARGE)
