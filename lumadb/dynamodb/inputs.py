"""Checks every item operation makes on its input before it looks at the table: attribute
values, the 400 KB item size, and which ReturnValues the operation accepts."""

from __future__ import annotations

from lumadb.dynamodb.attributes import (
    flat_item_size,
    item_size,
    normalize_item,
    validate_attribute_value,
    validate_item,
)
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.items import MAX_ITEM_BYTES

ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size"
# an item's attribute names are at least one character long (DynamoDB's naming rules); the text
# is TransactWriteItems' (paritysuite deepRequests, ten regions 2026-10)
EMPTY_ATTRIBUTE_NAME = "Empty attribute name"


def checked_item(item: dict, return_values: str | None = None) -> tuple[dict, int]:
    """The item with canonical numbers, and its size; AWS's errors for a bad or too large item
    (and, in DynamoDB's order, for PutItem's ReturnValues)."""
    if "" in item:  # before the values' own checks, their depth included (paritysuite deepRequests)
        raise DynamoError.validation(EMPTY_ATTRIBUTE_NAME)
    size = flat_item_size(item)
    if size is not None:  # valid, and its numbers already canonical
        check_put_return_values(return_values)
        if size > MAX_ITEM_BYTES:
            raise DynamoError.validation(ITEM_TOO_LARGE)
        return item, size
    validate_item(item)
    check_put_return_values(return_values)
    item = normalize_item(item)
    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise DynamoError.validation(ITEM_TOO_LARGE)
    return item, size


def check_key_values(key: dict) -> None:
    for value in key.values():
        validate_attribute_value(value)


def check_put_return_values(return_values: str | None) -> None:
    """PutItem and DeleteItem return only the old item."""
    if return_values is not None and return_values != "NONE" and return_values != "ALL_OLD":
        raise DynamoError.validation("ReturnValues can only be ALL_OLD or NONE")
