"""Item rows: read, write and delete one item of a table inside a write transaction, keeping the
table's ItemCount/TableSizeBytes counters and its write observers (indexes, streams) in step.

Items are stored as the orjson encoding of their wire form (numbers already canonical), with
their DynamoDB size beside them so counters and capacity never need to decode an item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb.keys import StorageKey

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.storage.sqlite import apsw

MAX_ITEM_BYTES = 400 * 1024

StoredRow = tuple[int, bytes]  # (size, item JSON)

_COUNTERS = "UPDATE ddb_tables SET item_count = item_count + ?, size_bytes = size_bytes + ? WHERE id = ?"


def statement(table: TableInfo, kind: str) -> str:
    """The SQL text of one of the item statements for this table (built once per table)."""
    text = table.sql.get(kind)
    if text is None:
        name = table.items
        text = {
            "get": f"SELECT size, item FROM {name} WHERE hash_prefix = ? AND pk = ? AND sk = ?",
            "get_item": f"SELECT item FROM {name} WHERE hash_prefix = ? AND pk = ? AND sk = ?",
            "put": f"INSERT OR REPLACE INTO {name} (hash_prefix, pk, sk, size, item) VALUES (?, ?, ?, ?, ?)",
            "delete": f"DELETE FROM {name} WHERE hash_prefix = ? AND pk = ? AND sk = ?",
        }[kind]
        table.sql[kind] = text
    return text


def read_row(conn: apsw.Connection, table: TableInfo, key: StorageKey) -> StoredRow | None:
    row: Any = conn.execute(statement(table, "get"), key).fetchone()
    return row


def read_blob(conn: apsw.Connection, table: TableInfo, key: StorageKey) -> bytes | None:
    row = conn.execute(statement(table, "get_item"), key).fetchone()
    return row[0] if row is not None else None


def decode(row: StoredRow | None) -> dict | None:
    return orjson.loads(row[1]) if row is not None else None


def write(
    conn: apsw.Connection,
    table: TableInfo,
    key: StorageKey,
    old_row: StoredRow | None,
    new_item: dict,
    blob: bytes,
    size: int,
    old_item: dict | None = None,
) -> None:
    """Store `new_item` (encoded as `blob`, `size` bytes) over `old_row` (None: a new item)."""
    conn.execute(statement(table, "put"), (*key, size, blob))
    if old_row is None:
        conn.execute(_COUNTERS, (1, size, table.id))
    elif size != old_row[0]:
        conn.execute(_COUNTERS, (0, size - old_row[0], table.id))
    if table.observers:
        if old_item is None and old_row is not None:
            old_item = orjson.loads(old_row[1])
        for observer in table.observers:
            observer(conn, table, old_item, new_item)


def delete(
    conn: apsw.Connection,
    table: TableInfo,
    key: StorageKey,
    old_row: StoredRow | None,
    old_item: dict | None = None,
) -> None:
    """Remove the item `old_row` holds (nothing to do when it does not exist)."""
    if old_row is None:
        return
    conn.execute(statement(table, "delete"), key)
    conn.execute(_COUNTERS, (-1, -old_row[0], table.id))
    if table.observers:
        if old_item is None:
            old_item = orjson.loads(old_row[1])
        for observer in table.observers:
            observer(conn, table, old_item, None)
