"""TransactWriteItems: up to 100 ConditionCheck, Put, Update and Delete actions on distinct items,
all applied in one SQLite transaction or none; a failed condition (or a key that does not fit
its table: `transaction_keys`) cancels the whole transaction with CancellationReasons in action
order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb import (
    capacity,
    idempotency,
    inputs,
    item_collections,
    items,
    key_checks,
    transaction_keys,
    transaction_limits,
)
from lumadb.dynamodb.attributes import item_size, normalize_item
from lumadb.dynamodb.errors import DynamoError, KeyMismatch
from lumadb.dynamodb.keys import StorageKey
from lumadb.dynamodb.request_expressions import Compiled, check_mixing, compile_request
from lumadb.dynamodb.writes import UPDATE_TOO_LARGE
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.capacity import IndexWrites
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService
    from lumadb.storage.sqlite import apsw

KINDS = ("ConditionCheck", "Put", "Delete", "Update")
CONDITION_FAILED = "The conditional request failed"
NO_OPERATION = "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request"
MANY_OPERATIONS = "TransactItems can only contain one of Check, Put, Update or Delete"


@dataclass(slots=True)
class Draft:
    """One action as the request gives it, checked as far as it can be without its table."""

    kind: str
    part: dict
    compiled: Compiled
    item: dict | None  # Put: the item, canonical
    size: int


@dataclass(slots=True)
class Action:
    kind: str
    table: TableInfo
    key: StorageKey
    compiled: Compiled
    return_on_failure: str | None
    item: dict | None = None  # Put: the item; Update: the key attributes
    size: int = 0
    request_size: int = 0  # what the action brings to the transaction's 4 MB


def _draft(entry: dict) -> Draft:
    kinds = [kind for kind in KINDS if entry.get(kind) is not None]
    if len(kinds) != 1:
        raise DynamoError.validation(MANY_OPERATIONS if kinds else NO_OPERATION)
    kind = kinds[0]
    part = entry[kind]
    check_mixing(part, kind)
    if kind == "Put":
        item, size = inputs.checked_item(part["Item"])
        return Draft(kind, part, compile_request(part, kind), item, size)
    # an action's expressions before its key's values (a key nested too deep: paritysuite
    # deepRequests, ten regions 2026-10)
    compiled = compile_request(part, kind)
    inputs.check_key_values(part["Key"])
    return Draft(kind, part, compiled, None, 0)


def _action(draft: Draft, table: TableInfo) -> Action:
    """Raises ActionInvalid for what DynamoDB reports as the action's cancellation reason."""
    kind, part, item = draft.kind, draft.part, draft.item
    key = transaction_keys.storage_key(table, part.get("Key"), item)
    # an index key of the wrong type, as far as the request tells, before any condition is
    # evaluated (as PutItem and UpdateItem check it; Alternator's tests against DynamoDB: a
    # ValidationError is reported even where another action's condition is false)
    try:
        if kind == "Put":
            assert item is not None
            key_checks.check_item(table, item)
        elif kind == "Update":
            item = normalize_item(part["Key"])
            change = draft.compiled.update
            for name in table.key_names:
                if change is not None and name in change.top_level_names:
                    raise transaction_keys.key_update(name)
            if change is not None:
                key_checks.check_index_types(table, change)
    except KeyMismatch as error:
        raise transaction_keys.ActionInvalid(error.message) from None
    return Action(
        kind, table, key, draft.compiled, part.get("ReturnValuesOnConditionCheckFailure"), item, draft.size,
        transaction_limits.write_size(kind, part, draft.size),
    )  # fmt: skip


def _actions(service: DynamoService, entries: list[dict]) -> list[Action]:
    """Every action's own checks and expressions first, whichever action names a missing table
    (DynamoDB's order); then the tables; then each action's key against its table."""
    drafts = [_draft(entry) for entry in entries]
    tables = [service.catalog.require(draft.part["TableName"]) for draft in drafts]
    actions: list[Action] = []
    for position, (draft, table) in enumerate(zip(drafts, tables, strict=True)):
        try:
            actions.append(_action(draft, table))
        except transaction_keys.ActionInvalid as problem:
            raise transaction_keys.cancelled(position, len(drafts), problem.message) from None
    return actions


def _reason(code: str, message: str | None = None, item: dict | None = None) -> dict[str, Any]:
    reason: dict[str, Any] = {"Code": code}
    if message is not None:
        reason["Message"] = message
    if item is not None:
        reason["Item"] = item
    return reason


def cancelled(reasons: list[dict[str, Any]]) -> DynamoError:
    return DynamoError.transaction_canceled(reasons)


# What one applied action cost: (old size, new size, its index writes)
Charge = tuple[int, int, "IndexWrites | None"]


def _run(
    conn: apsw.Connection, actions: list[Action], token: str | None, request_digest: bytes
) -> tuple[bool, list[Charge]]:
    """Check every action, then apply them all; (whether this is a replay of a request already
    applied under its ClientRequestToken, what each action cost)."""
    if token is not None:
        replayed = idempotency.seen(conn, token, request_digest)
        if replayed is not None:
            sizes = replayed + [0] * (len(actions) - len(replayed))
            return True, [(size, size, None) for size in sizes]
    reasons: list[dict[str, Any]] = []
    planned: list[tuple[items.StoredRow | None, dict | None, dict | None, int]] = []
    failed = False
    for action in actions:
        old_row = items.read_row(conn, action.table, action.key)
        old_item = items.decode(old_row)
        condition = action.compiled.condition
        new_item, new_size = action.item, action.size
        if condition is not None and not condition.evaluate(old_item):
            shown = old_item if action.return_on_failure == "ALL_OLD" else None
            reasons.append(_reason("ConditionalCheckFailed", CONDITION_FAILED, shown))
            failed = True
            planned.append((old_row, old_item, None, 0))
            continue
        if action.kind == "Update":
            try:
                change = action.compiled.update
                if change is not None:
                    base = old_item if old_item is not None else action.item  # a new item holds its key
                    changed, _ = change.apply(base, action.table.key_names)
                else:
                    changed = dict(old_item or {})
                if old_item is None and change is not None and change.only_removes:
                    reasons.append(_reason("None"))  # as UpdateItem: no item is created
                    planned.append((old_row, old_item, None, 0))
                    continue
                new_item = changed if old_item is not None else {**(action.item or {}), **changed}
                new_size = item_size(new_item)
                if new_size > items.MAX_ITEM_BYTES:
                    raise DynamoError.validation(UPDATE_TOO_LARGE)
            except DynamoError as error:
                reasons.append(_reason("ValidationError", error.message))
                failed = True
                planned.append((old_row, old_item, None, 0))
                continue
        reasons.append(_reason("None"))
        planned.append((old_row, old_item, new_item, new_size))
    if failed:
        raise cancelled(reasons)
    charges: list[Charge] = []
    deltas: items.CounterDeltas = {}
    for position, (action, planned_write) in enumerate(zip(actions, planned, strict=True)):
        old_row, old_item, new_item, new_size = planned_write
        old_size = old_row[0] if old_row is not None else 0
        index_writes = None
        if action.kind == "Put" or (action.kind == "Update" and new_item is not None):
            assert new_item is not None
            if action.kind == "Update" and action.compiled.update is not None:
                # (a request error, not a cancellation reason, as for UpdateItem)
                key_checks.check_written(action.table, action.compiled.update, new_item, computed=False)
            blob = orjson.dumps(new_item)
            try:
                index_writes = items.write(
                    conn, action.table, action.key, old_row, new_item, blob, new_size, old_item, deltas
                )
            except KeyMismatch as error:  # an index key; inside the job: earlier writes roll back
                raise transaction_keys.cancelled(position, len(actions), error.message) from None
        elif action.kind == "Delete":
            index_writes = items.delete(conn, action.table, action.key, old_row, old_item, deltas)
        charges.append((old_size, new_size, index_writes))
    items.apply_deltas(conn, deltas)
    if token is not None:
        idempotency.record(conn, token, request_digest, [max(old, new) for old, new, _ in charges])
    return False, charges


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    actions = _actions(service, body["TransactItems"])
    seen: set[tuple[int, StorageKey]] = set()
    for action in actions:
        identity = (action.table.id, action.key)
        if identity in seen:
            raise DynamoError.validation("Transaction request cannot include multiple operations on one item")
        seen.add(identity)
    transaction_limits.check_aggregate(sum(action.request_size for action in actions))
    token = body.get("ClientRequestToken")
    request_digest = idempotency.digest(body) if token is not None else b""
    replayed, charges = await service.write(_run, actions, token, request_digest)
    out: dict[str, Any] = {}
    mode = capacity.wanted(body)
    if mode:
        out["ConsumedCapacity"] = _consumed(mode, actions, charges, replayed)
    if body.get("ReturnItemCollectionMetrics") == "SIZE":
        touched = [
            (action.table, action.key, entry[action.kind].get("Item") or entry[action.kind]["Key"])
            for entry, action in zip(body["TransactItems"], actions, strict=True)
            if action.kind != "ConditionCheck"
        ]
        metrics = await item_collections.metrics_by_table(service, touched)
        if metrics:
            out["ItemCollectionMetrics"] = metrics
    return out


def _consumed(mode: str, actions: list[Action], charges: list[Charge], replayed: bool) -> list[dict[str, Any]]:
    """Every action costs twice the write units of the larger of its item's images on its table (a
    ConditionCheck too, on the item it read); index writes are not doubled. A replay costs twice
    the read units of the same items."""
    tally = capacity.Tally()
    for action, (old_size, new_size, index_writes) in zip(actions, charges, strict=True):
        size = max(old_size, new_size)
        if replayed:
            tally.add(action.table.name, read=2 * capacity.read_units(size, True))
        else:
            billed = capacity.billed_size(size, index_writes)
            tally.add(action.table.name, write=2 * capacity.write_units(billed), indexes=index_writes)
    return tally.report(mode, split=True)
