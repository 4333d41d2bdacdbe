"""Time to Live: UpdateTimeToLive/DescribeTimeToLive settings (kept in the table's metadata), an
expiry index maintained by a write observer, and the sweep that deletes expired items.

The expiry index (`ddb_ttl`) holds (table, expiry time, item key) for every item whose TTL
attribute is a number, so a sweep reads only what has expired. As in DynamoDB, an expired item
is still returned until the sweep deletes it, items whose expiry is more than five years in the
past are never deleted, and a deletion writes a REMOVE stream record whose userIdentity names
the DynamoDB service.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb import catalog, items
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.keys import key_of_item
from lumadb.dynamodb.streams.records import service_deletes

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo, WriteObserver
    from lumadb.dynamodb.service import DynamoService
    from lumadb.storage.sqlite import apsw

FIVE_YEARS = 5 * 365 * 24 * 60 * 60
SWEEP_BATCH = 500  # items deleted per write job

SCHEMA = """
CREATE TABLE IF NOT EXISTS ddb_ttl (
    table_id INTEGER NOT NULL,
    expires REAL NOT NULL,
    hash_prefix INTEGER NOT NULL,
    pk BLOB NOT NULL,
    sk BLOB NOT NULL,
    PRIMARY KEY (table_id, expires, hash_prefix, pk, sk)
) WITHOUT ROWID;
"""
_ADD = "INSERT OR IGNORE INTO ddb_ttl (table_id, expires, hash_prefix, pk, sk) VALUES (?, ?, ?, ?, ?)"
_REMOVE = "DELETE FROM ddb_ttl WHERE table_id = ? AND expires = ? AND hash_prefix = ? AND pk = ? AND sk = ?"


def setup(conn: apsw.Connection) -> None:
    conn.execute(SCHEMA)


def attribute_name(meta: dict[str, Any]) -> str | None:
    """The TTL attribute of an enabled TTL, else None."""
    spec = meta.get("TimeToLiveSpecification")
    return spec["AttributeName"] if spec and spec.get("Enabled") else None


def expiry(item: dict | None, name: str) -> float | None:
    """The item's expiry time in epoch seconds, when its TTL attribute is a number that a sweep
    may ever act on (not more than five years in the past)."""
    if item is None:
        return None
    value = item.get(name)
    if value is None or "N" not in value:
        return None
    try:
        expires = float(value["N"])
    except (ValueError, OverflowError):
        return None
    if expires != expires or expires < time.time() - FIVE_YEARS:
        return None
    return expires


# -- the expiry index ---------------------------------------------------------------------


def ttl_observers(table: TableInfo) -> list[WriteObserver]:
    """The observer factory: tables with TTL enabled keep their expiry index current."""
    name = attribute_name(table.meta)
    if name is None:
        return []

    def track_expiry(conn: apsw.Connection, table: TableInfo, old: dict | None, new: dict | None) -> None:
        old_expiry, new_expiry = expiry(old, name), expiry(new, name)
        if old_expiry == new_expiry:
            return
        key = key_of_item(table, new if new is not None else old)  # type: ignore[arg-type]
        if old_expiry is not None:
            conn.execute(_REMOVE, (table.id, old_expiry, *key))
        if new_expiry is not None:
            conn.execute(_ADD, (table.id, new_expiry, *key))

    return [track_expiry]


def on_meta_change(
    conn: apsw.Connection, table_id: int, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> None:
    """The catalog hook: index existing items when TTL is enabled, forget them when it is not."""
    old_name = attribute_name(old) if old else None
    new_name = attribute_name(new) if new else None
    if old_name == new_name:
        return
    conn.execute("DELETE FROM ddb_ttl WHERE table_id = ?", (table_id,))
    if new_name is None:
        return
    rows = conn.execute(f"SELECT hash_prefix, pk, sk, item FROM {catalog.items_table_name(table_id)}")
    for hash_prefix, pk, sk, blob in rows.fetchall():
        expires = expiry(orjson.loads(blob), new_name)  # type: ignore[arg-type]
        if expires is not None:
            conn.execute(_ADD, (table_id, expires, hash_prefix, pk, sk))


# -- the sweep ----------------------------------------------------------------------------


def _expired(conn: apsw.Connection, table_id: int, now: float) -> list[tuple[float, int, bytes, bytes]]:
    rows: Any = conn.execute(
        "SELECT expires, hash_prefix, pk, sk FROM ddb_ttl WHERE table_id = ? AND expires < ? ORDER BY expires "
        "LIMIT ?",
        (table_id, now, SWEEP_BATCH),
    ).fetchall()
    return rows


def _delete_expired(conn: apsw.Connection, table: TableInfo, found: list, now: float) -> int:
    """Delete the expired items found (each checked again: it may have changed since)."""
    name = attribute_name(table.meta)
    deleted = 0
    with service_deletes():
        for expires, *key in found:
            storage_key = (key[0], key[1], key[2])
            row = items.read_row(conn, table, storage_key)
            item = items.decode(row)
            current = expiry(item, name) if name else None
            if current is None or current >= now:
                conn.execute(_REMOVE, (table.id, expires, *storage_key))  # a stale entry
                continue
            items.delete(conn, table, storage_key, row, item)
            deleted += 1
    return deleted


async def sweep(service: DynamoService) -> int:
    """Delete every item whose TTL has passed; the number deleted."""
    deleted = 0
    for name in service.catalog.names():
        table = service.catalog.get(name)
        if table is None or attribute_name(table.meta) is None:
            continue
        while True:
            now = time.time()
            found = service.read_now(_expired, table.id, now)
            if not found:
                break
            try:
                deleted += await service.write_in_background(_delete_expired, table, found, now)
            except DynamoError:  # the table was deleted meanwhile
                break
            if len(found) < SWEEP_BATCH:
                break
    return deleted


def register() -> None:
    if ttl_observers not in catalog.observer_factories:
        catalog.observer_factories.append(ttl_observers)
        catalog.meta_hooks.append(on_meta_change)


register()
