"""BatchWriteItem: up to 25 puts and deletes over one or more tables, applied in one
transaction (so UnprocessedItems is always empty)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb import capacity, inputs, item_collections, items, key_checks, writes
from lumadb.dynamodb.attributes import validate_attribute_value
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.keys import StorageKey, key_of_item, key_of_key
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.capacity import IndexWrites
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService
    from lumadb.storage.sqlite import apsw

MAX_REQUESTS = 25
_ONE_OF = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
_KEY_MESSAGES = ("Missing the key", "Type mismatch for key")

# (table, storage key, item to put or None to delete, its JSON, its size)
Write = tuple["TableInfo", StorageKey, "dict | None", bytes, int]


def _check_request(request_items: dict[str, list]) -> dict[str, list[tuple[dict | None, Any, int]]]:
    """Attribute values and sizes, before any table is looked at."""
    if not request_items:
        raise DynamoError.validation("The requestItems parameter is required for BatchWriteItem")
    checked: dict[str, list[tuple[dict | None, Any, int]]] = {}
    total = 0
    for name, requests in request_items.items():
        entries = checked[name] = []
        for request in requests:
            put, delete = request.get("PutRequest"), request.get("DeleteRequest")
            if (put is None) == (delete is None):
                raise DynamoError.validation(_ONE_OF)
            if put is not None:
                item, size = inputs.checked_item(put["Item"])
                entries.append((item, None, size))
            else:
                for value in delete["Key"].values():
                    validate_attribute_value(value)
                entries.append((None, delete["Key"], 0))
            total += 1
    if total > MAX_REQUESTS:
        raise DynamoError.validation("Too many items requested for the BatchWriteItem call")
    return checked


def _key(table: TableInfo, item: dict | None, key: dict | None) -> StorageKey:
    try:
        return key_of_item(table, item) if item is not None else key_of_key(table, key or {})
    except DynamoError as error:
        if error.message.startswith("One or more parameter values were invalid: ") and any(
            text in error.message for text in _KEY_MESSAGES
        ):
            raise DynamoError.validation("The provided key element does not match the schema") from None
        raise


def _apply(conn: apsw.Connection, batch: list[Write]) -> list[tuple[int, IndexWrites | None]]:
    """Every write of the batch; the size each one is charged for, and its index writes.
    Tables without indexes or a stream take the bulk path (items.write_plain)."""
    charged: list[tuple[int, IndexWrites | None]] = [(0, None)] * len(batch)
    deltas: items.CounterDeltas = {}
    plain: dict[TableInfo, list[int]] = {}
    for position, (table, key, item, blob, size) in enumerate(batch):
        if not table.observers:
            plain.setdefault(table, []).append(position)
        elif item is not None:
            outcome = writes.put(conn, table, key, item, blob, size, None, deltas)
            charged[position] = (max(size, outcome.old_size), outcome.index_writes)
        else:
            outcome = writes.delete(conn, table, key, None, deltas)
            charged[position] = (outcome.old_size, outcome.index_writes)
    for table, positions in plain.items():
        sizes = items.write_plain(
            conn, table, [(batch[p][1], batch[p][3] if batch[p][2] is not None else None, batch[p][4]) for p in positions], deltas
        )
        for position, size in zip(positions, sizes, strict=True):
            charged[position] = (size, None)
    items.apply_deltas(conn, deltas)
    return charged


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    checked = _check_request(body["RequestItems"])
    batch: list[Write] = []
    touched: list[item_collections.Touched] = []
    for name, entries in checked.items():
        table = service.catalog.require(name)
        seen: set[StorageKey] = set()
        for item, key, size in entries:
            storage_key = _key(table, item, key)
            if item is not None:
                key_checks.check_item(table, item)  # (dynalite's validateItem: the key, then index keys)
            if storage_key in seen:
                raise DynamoError.validation("Provided list of item keys contains duplicates")
            seen.add(storage_key)
            blob = orjson.dumps(item) if item is not None else b""
            batch.append((table, storage_key, item, blob, size))
            touched.append((table, storage_key, item if item is not None else key))
    charged = await service.write(_apply, batch)
    out: dict[str, Any] = {"UnprocessedItems": {}}
    mode = capacity.wanted(body)
    if mode:
        tally = capacity.Tally()
        for (table, *_), (size, index_writes) in zip(batch, charged, strict=True):
            billed = capacity.billed_size(size, index_writes)
            tally.add(table.name, write=capacity.write_units(billed), indexes=index_writes)
        out["ConsumedCapacity"] = tally.report(mode)
    if body.get("ReturnItemCollectionMetrics") == "SIZE":
        metrics = await item_collections.metrics_by_table(service, touched)
        if metrics:
            out["ItemCollectionMetrics"] = metrics
    return out
