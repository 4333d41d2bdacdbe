"""ExclusiveStartKey: where a Query or Scan resumes, checked as DynamoDB checks it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from lumadb.dynamodb.attributes import validate_attribute_value
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.keys import StorageKey, key_of_key

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo

INVALID_START = "The provided starting key is invalid"
# attribute-value messages DynamoDB passes through without the starting-key prefix
_UNPREFIXED = re.compile(
    r"contains duplicates|number set|numeric value|significant digits|number with magnitude"
)


def check_values(start_key: dict | None) -> None:
    """The attribute values of ExclusiveStartKey (part of request validation)."""
    if not start_key:
        return
    for value in start_key.values():
        try:
            validate_attribute_value(value)
        except DynamoError as error:
            if error.short_type == "ValidationException" and not _UNPREFIXED.search(error.message):
                raise DynamoError.validation(f"{INVALID_START}: {error.message}") from None
            raise


def storage_key(table: TableInfo, start_key: dict) -> StorageKey:
    """The position of a start key of the table's own key schema."""
    try:
        return key_of_key(table, start_key)
    except DynamoError as error:
        raise DynamoError.validation(f"{INVALID_START}: {error.message}") from None


def piece_checks(start_key: dict | None, names: int, types: dict[str, str]) -> Callable[[str], None] | None:
    """A Query's start key in DynamoDB's order (dynalite's, recorded against it): its number of
    attributes first, then each key attribute's presence and type just before that attribute's
    key condition is checked (`KeyConditions.for_schema(..., before_each)`)."""
    if start_key is None:
        return None
    if len(start_key) != names:
        raise DynamoError.validation(INVALID_START)

    def check(attribute: str) -> None:
        value = start_key.get(attribute)
        if value is None:
            raise DynamoError.validation(INVALID_START)
        if type(value) is not dict or types.get(attribute) not in value:
            raise DynamoError.validation("The provided key element does not match the schema")

    return check
