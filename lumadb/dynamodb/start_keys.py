"""ExclusiveStartKey: where a Query or Scan resumes, checked as DynamoDB checks it."""

from __future__ import annotations

import re
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
