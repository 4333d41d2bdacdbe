"""The key problems DynamoDB reports inside a transaction rather than for the whole request: an
action whose key does not match its table's key schema (or an Update that writes a key attribute)
cancels the transaction with a ValidationError reason. Only the first such action is reported
(every other action's reason is None, their conditions unevaluated: Alternator's
test_transact_write_cancellation_reasons_validationerror, run against DynamoDB). An empty or
oversized key value stays a ValidationException for the whole request, as AWS reports it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.errors import DynamoError, KeyMismatch
from lumadb.dynamodb.keys import StorageKey, key_of_item, key_of_key

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo

_INVALID = "One or more parameter values were invalid: "


class ActionInvalid(Exception):
    """One action's problem, reported as its ValidationError cancellation reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def storage_key(table: TableInfo, key: dict | None = None, item: dict | None = None) -> StorageKey:
    """The storage key of an action's `Key` (or a Put's `Item`); ActionInvalid if it does not
    match the table's key schema."""
    try:
        return key_of_item(table, item) if item is not None else key_of_key(table, key or {})
    except KeyMismatch as error:
        raise ActionInvalid(error.message) from None


def key_update(name: str) -> ActionInvalid:
    return ActionInvalid(f"{_INVALID}Cannot update attribute {name}. This attribute is part of the key")


def cancelled(position: int, count: int, message: str) -> DynamoError:
    reasons: list[dict[str, Any]] = [{"Code": "None"} for _ in range(count)]
    reasons[position] = {"Code": "ValidationError", "Message": message}
    return DynamoError.transaction_canceled(reasons)
