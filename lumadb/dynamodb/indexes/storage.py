"""Index tables and their counters (ItemCount and IndexSizeBytes per index), created, filled
and dropped inside the transactions of the writes and table changes that call for them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.capacity import write_units
from lumadb.dynamodb.indexes.model import IndexRow, encoded_row, index_table_name

if TYPE_CHECKING:
    from lumadb.storage.sqlite import apsw

SCHEMA = """
CREATE TABLE IF NOT EXISTS ddb_index_counts (
    table_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    item_count INTEGER NOT NULL DEFAULT 0,
    size_bytes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (table_id, name)
) WITHOUT ROWID;
"""
_COUNT = (
    "UPDATE ddb_index_counts SET item_count = item_count + ?, size_bytes = size_bytes + ? "
    "WHERE table_id = ? AND name = ?"
)


def setup(conn: apsw.Connection) -> None:
    conn.execute(SCHEMA)


def create(conn: apsw.Connection, table_id: int, name: str) -> None:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {index_table_name(table_id, name)} ("
        "hash_prefix INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL, size INTEGER NOT NULL, "
        "item BLOB NOT NULL, PRIMARY KEY (hash_prefix, pk, sk)) WITHOUT ROWID"
    )
    conn.execute("INSERT OR REPLACE INTO ddb_index_counts (table_id, name) VALUES (?, ?)", (table_id, name))


def drop(conn: apsw.Connection, table_id: int, name: str) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {index_table_name(table_id, name)}")
    conn.execute("DELETE FROM ddb_index_counts WHERE table_id = ? AND name = ?", (table_id, name))


def exists(conn: apsw.Connection, table_id: int, name: str) -> bool:
    """Whether the index's table is still there (a queued backfill step may outlive its index)."""
    found = conn.execute("SELECT 1 FROM ddb_index_counts WHERE table_id = ? AND name = ?", (table_id, name))
    return found.fetchone() is not None


def counters(conn: apsw.Connection, table_id: int) -> dict[str, tuple[int, int]]:
    rows = conn.execute(
        "SELECT name, item_count, size_bytes FROM ddb_index_counts WHERE table_id = ?", (table_id,)
    )
    return {name: (count, size) for name, count, size in rows}


class Writer:
    """The statements of one index table (texts built once per index)."""

    def __init__(self, table_id: int, name: str, sql_table: str) -> None:
        self.table_id = table_id
        self.name = name
        self.get = f"SELECT size FROM {sql_table} WHERE hash_prefix = ? AND pk = ? AND sk = ?"
        self.put = (
            f"INSERT OR REPLACE INTO {sql_table} (hash_prefix, pk, sk, size, item) VALUES (?, ?, ?, ?, ?)"
        )
        self.delete = f"DELETE FROM {sql_table} WHERE hash_prefix = ? AND pk = ? AND sk = ? RETURNING size"

    def apply(self, conn: apsw.Connection, old: IndexRow | None, new: IndexRow | None) -> float:
        """Replace an item's row `old` by `new` (either None), keeping the counters. An item has
        exactly one row per index, so a new key cannot already be present. Returns the write
        units DynamoDB charges the index: a removed or a new entry its size, an entry changed in
        place the larger of its two sizes, a moved one both."""
        count = size = 0
        units = 0.0
        same_key = old is not None and new is not None and old.key == new.key
        if old is not None and not same_key:
            gone: Any = conn.execute(self.delete, old.key).fetchone()
            if gone is not None:
                count, size = -1, -gone[0]
                units = write_units(gone[0])
        if new is not None:
            values = encoded_row(new)
            existing: Any = conn.execute(self.get, new.key).fetchone() if same_key else None
            conn.execute(self.put, values)
            if existing is None:
                count, size = count + 1, size + values[3]
                units += write_units(values[3])
            else:
                size += values[3] - existing[0]
                units += write_units(max(values[3], existing[0]))
        if count or size:
            conn.execute(_COUNT, (count, size, self.table_id, self.name))
        return units

    def store(self, conn: apsw.Connection, row: IndexRow) -> None:
        """Index an item that may or may not be indexed already (backfill)."""
        values = encoded_row(row)
        existing: Any = conn.execute(self.get, row.key).fetchone()
        conn.execute(self.put, values)
        if existing is None:
            conn.execute(_COUNT, (1, values[3], self.table_id, self.name))
        elif existing[0] != values[3]:
            conn.execute(_COUNT, (0, values[3] - existing[0], self.table_id, self.name))
