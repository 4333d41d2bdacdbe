"""The item writes of PutItem, UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems as
steps that run inside one write transaction: read the current item, test the condition, apply,
store. A step that raises leaves nothing behind (its job's savepoint is rolled back)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb import items, key_checks
from lumadb.dynamodb.attributes import item_size
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions import Projection
from lumadb.dynamodb.keys import StorageKey
from lumadb.storage.jobs import changes_last

if TYPE_CHECKING:
    from lumadb.dynamodb.capacity import IndexWrites
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.expressions import Condition, Update
    from lumadb.storage.sqlite import apsw

UPDATE_TOO_LARGE = "Item size to update has exceeded the maximum allowed size"


class ConditionFailed(Exception):
    """A condition was false; `item` is the current item (None when missing)."""

    def __init__(self, item: dict | None) -> None:
        super().__init__("The conditional request failed")
        self.item = item


@dataclass(slots=True)
class Outcome:
    """What a write step found and left: the old row/item, the new item with its size, and what
    the write cost on secondary indexes."""

    old_row: items.StoredRow | None
    old_item: dict | None = None
    new_item: dict | None = None
    new_size: int = 0
    index_writes: IndexWrites | None = None

    @property
    def old_size(self) -> int:
        return self.old_row[0] if self.old_row is not None else 0


def check(conn: apsw.Connection, table: TableInfo, key: StorageKey, condition: Condition) -> Outcome:
    """ConditionCheck: test without writing."""
    old_row = items.read_row(conn, table, key)
    old_item = items.decode(old_row)
    if not condition.evaluate(old_item):
        raise ConditionFailed(old_item)
    return Outcome(old_row, old_item)


@changes_last  # its condition, then its changes
def put(
    conn: apsw.Connection,
    table: TableInfo,
    key: StorageKey,
    item: dict,
    blob: bytes,
    size: int,
    condition: Condition | None,
    deltas: items.CounterDeltas | None = None,
) -> Outcome:
    old_row = items.read_row(conn, table, key)
    old_item = None
    if condition is not None:
        old_item = items.decode(old_row)
        if not condition.evaluate(old_item):
            raise ConditionFailed(old_item)
    charged = items.write(conn, table, key, old_row, item, blob, size, old_item, deltas)
    return Outcome(old_row, old_item, item, size, charged)


@changes_last  # its condition, then its changes
def delete(
    conn: apsw.Connection,
    table: TableInfo,
    key: StorageKey,
    condition: Condition | None,
    deltas: items.CounterDeltas | None = None,
) -> Outcome:
    old_row = items.read_row(conn, table, key)
    old_item = None
    if condition is not None:
        old_item = items.decode(old_row)
        if not condition.evaluate(old_item):
            raise ConditionFailed(old_item)
    charged = items.delete(conn, table, key, old_row, old_item, deltas)
    return Outcome(old_row, old_item, index_writes=charged)


@changes_last  # its condition, then its changes
def update(
    conn: apsw.Connection,
    table: TableInfo,
    key: StorageKey,
    key_item: dict,
    change: Update | None,
    condition: Condition | None,
) -> Outcome:
    """UpdateItem: apply `change` to the current item (or to a new item holding `key_item`)."""
    old_row = items.read_row(conn, table, key)
    old_item = items.decode(old_row)
    if condition is not None and not condition.evaluate(old_item):
        raise ConditionFailed(old_item)
    if old_item is None and change is not None and change.only_removes:
        change.apply(None, table.key_names)  # (its checks still apply: a key attribute, say)
        return Outcome(None)  # nothing to remove from: DynamoDB does not create the item
    if change is not None:
        # a new item holds its key when the update reads it (`SET b = pk`: dynalite's tests, from DynamoDB)
        new_item, _ = change.apply(old_item if old_item is not None else key_item, table.key_names)
        key_checks.check_written(table, change, new_item)
    else:
        new_item = dict(old_item or {})
    if old_item is None:
        new_item = {**key_item, **new_item}
    size = item_size(new_item)
    if size > items.MAX_ITEM_BYTES:
        raise DynamoError.validation(UPDATE_TOO_LARGE)
    charged = items.write(conn, table, key, old_row, new_item, orjson.dumps(new_item), size, old_item)
    return Outcome(old_row, old_item, new_item, size, charged)


def old_attributes(outcome: Outcome) -> Any:
    """The old item for ReturnValues ALL_OLD, without decoding it when it was not decoded."""
    if outcome.old_item is not None:
        return outcome.old_item
    return orjson.Fragment(outcome.old_row[1]) if outcome.old_row is not None else None


def updated_attributes(outcome: Outcome, return_values: str | None, change: Update | None) -> dict | None:
    """UpdateItem's Attributes for ReturnValues (None when there is nothing to return).
    UPDATED_OLD and UPDATED_NEW hold just the paths the update wrote, nested as in the item."""
    if return_values == "ALL_NEW":
        return outcome.new_item
    if return_values == "ALL_OLD":
        return outcome.old_item
    if return_values in ("UPDATED_OLD", "UPDATED_NEW") and change is not None:
        source = outcome.old_item if return_values == "UPDATED_OLD" else outcome.new_item
        if not source:
            return None
        return Projection(list(change.paths)).apply(source) or None
    return None


def condition_failed_error(failure: ConditionFailed, return_on_failure: str | None) -> DynamoError:
    item = failure.item if return_on_failure == "ALL_OLD" else None
    return DynamoError.conditional_check_failed(item)
