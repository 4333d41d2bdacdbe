"""GetItem: one item by its key, optionally projected. Runs inline (a point read takes µs),
through the query cache (a repeated GetItem of an unchanged item skips SQLite)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from lumadb.dynamodb import capacity, inputs, items, key_checks
from lumadb.dynamodb.keys import StorageKey, key_of_key
from lumadb.dynamodb.request_expressions import check_mixing, compile_request
from lumadb.http import Request
from lumadb.storage.cache import MISSING

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    check_mixing(body, "GetItem")
    key = body["Key"]
    inputs.check_key_values(key)
    compiled = compile_request(body, "GetItem")
    table = service.catalog.require(body["TableName"])
    if compiled.projection is not None and compiled.projection.nested_roots:  # (a hot path: no call otherwise)
        key_checks.check_read_paths(table, compiled.projection)
    row = stored_row(service, table, key_of_key(table, key))
    out: dict = {}
    if row is not None:
        projection = compiled.projection
        out["Item"] = projection.apply(orjson.loads(row[1])) if projection else orjson.Fragment(row[1])
    mode = capacity.wanted(body)
    if mode:
        units = capacity.read_units(row[0] if row else 0, bool(body.get("ConsistentRead")))
        out["ConsumedCapacity"] = capacity.consumed(mode, table.name, units)
    return out


def stored_row(service: DynamoService, table: TableInfo, storage_key: StorageKey) -> items.StoredRow | None:
    """The item's stored row, read inline (also PartiQL's SELECT of one full key)."""
    cache = service.db.cache
    if cache is not None and cache.enabled:
        # The stored row, keyed by table and key; any commit to the file invalidates it.
        cache_key = ("ddb-item", table.id, storage_key)
        row, version = cache.lookup(service.db, cache_key)
        if row is MISSING:
            row = service.read_point(items.read_row, table, storage_key)
            cache.store(service.db, cache_key, version, row)
        return row
    return service.read_point(items.read_row, table, storage_key)
