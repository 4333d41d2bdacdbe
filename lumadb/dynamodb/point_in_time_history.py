"""Point-in-time recovery: what each item was before every change, kept while a table has
point-in-time recovery on, so that RestoreTableToPointInTime can rebuild the table as it was at
any second of its recovery period.

A write observer appends one row per real change of an item (`ddb_pitr`: the table, the time,
the item's key and its old image, NULL when it did not exist), in the write's own transaction.
The table at time T is its items now, with every item changed after T put back as the first
change after T found it. Rows older than the recovery period are trimmed once a minute; turning
recovery off, or deleting the table, drops the table's rows (DynamoDB keeps no history then).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import backups, catalog
from lumadb.dynamodb.indexes.model import json_of, size_of
from lumadb.dynamodb.keys import key_of_item
from lumadb.dynamodb.point_in_time import enabled

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo, WriteObserver
    from lumadb.storage.sqlite import apsw

SCHEMA = """
CREATE TABLE IF NOT EXISTS ddb_pitr (
    seq INTEGER PRIMARY KEY,
    table_id INTEGER NOT NULL,
    at REAL NOT NULL,
    hash_prefix INTEGER NOT NULL,
    pk BLOB NOT NULL,
    sk BLOB NOT NULL,
    old_size INTEGER,
    old BLOB
);
CREATE INDEX IF NOT EXISTS ddb_pitr_by_time ON ddb_pitr (table_id, at);
"""
_RECORD = (
    "INSERT INTO ddb_pitr (table_id, at, hash_prefix, pk, sk, old_size, old) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_ITEM_COLUMNS = "hash_prefix, pk, sk, size, item"


def setup(conn: apsw.Connection) -> None:
    conn.execute(SCHEMA)


# -- the history -----------------------------------------------------------------------------


def history_observers(table: TableInfo) -> list[WriteObserver]:
    """The observer factory: tables with point-in-time recovery on keep their history."""
    if not enabled(table.meta):
        return []

    def record(conn: apsw.Connection, table: TableInfo, old: dict | None, new: dict | None) -> None:
        if old == new:
            return
        key = key_of_item(table, new if new is not None else old)  # type: ignore[arg-type]
        if old is None:
            conn.execute(_RECORD, (table.id, time.time(), *key, None, None))
        else:
            conn.execute(_RECORD, (table.id, time.time(), *key, size_of(old), json_of(old)))

    return [record]


def on_meta_change(
    conn: apsw.Connection, table_id: int, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> None:
    """The catalog hook: recovery turned off (or the table deleted) forgets the history."""
    if old is not None and enabled(old) and (new is None or not enabled(new)):
        conn.execute("DELETE FROM ddb_pitr WHERE table_id = ?", (table_id,))


def trim(conn: apsw.Connection, tables: list[tuple[int, float]]) -> None:
    """Forget what is older than each table's recovery period: (table id, earliest time)."""
    for table_id, earliest in tables:
        conn.execute("DELETE FROM ddb_pitr WHERE table_id = ? AND at < ?", (table_id, earliest))


# -- restoring -------------------------------------------------------------------------------


def restore(
    conn: apsw.Connection, source_name: str, at: float, name: str, meta: dict[str, Any]
) -> tuple[TableInfo, int] | None:
    """Create table `name` with `meta` and the items table `source_name` held at time `at`,
    its indexes built from them; None when the name is taken."""
    row = catalog.stored_row(conn, source_name)
    if row is None:
        raise LookupError(source_name)
    source_id = row[0]
    created = catalog.insert_table(conn, name, meta)
    if created is None:
        return None
    table, version = created
    conn.execute(
        f"INSERT INTO {table.items} ({_ITEM_COLUMNS}) "
        f"SELECT {_ITEM_COLUMNS} FROM {catalog.items_table_name(source_id)}"
    )
    # For each item changed after `at`, the old image of its first change since (SQLite takes
    # the bare columns from the row that min() picked).
    changed = conn.execute(
        "SELECT hash_prefix, pk, sk, old_size, old, min(seq) FROM ddb_pitr WHERE table_id = ? AND at > ? "
        "GROUP BY hash_prefix, pk, sk",
        (source_id, at),
    ).fetchall()
    put = f"INSERT OR REPLACE INTO {table.items} ({_ITEM_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
    remove = f"DELETE FROM {table.items} WHERE hash_prefix = ? AND pk = ? AND sk = ?"
    for hash_prefix, pk, sk, old_size, old, _seq in changed:
        if old is None:
            conn.execute(remove, (hash_prefix, pk, sk))
        else:
            conn.execute(put, (hash_prefix, pk, sk, old_size, old))
    conn.execute(
        f"UPDATE ddb_tables SET (item_count, size_bytes) = (SELECT count(*), coalesce(sum(size), 0) FROM {table.items}) "
        "WHERE id = ?",
        (table.id,),
    )
    backups.build_indexes(conn, table)
    return table, version


def register() -> None:
    if history_observers not in catalog.observer_factories:
        catalog.observer_factories.append(history_observers)
        catalog.meta_hooks.append(on_meta_change)


register()
