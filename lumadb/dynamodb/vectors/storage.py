"""A vector index's rows: one SQLite table per index, a row per indexed item.

`(hash_prefix, pk, sk)` is the item's table key; `part` the value of the index's HASH attribute
(its JSON; empty without a HASH), which a search pins; `vector` the vector at 32-bit precision, as
the index keeps it, and `norm` its length (COSINE divides by it: one pass over each vector per
search instead of two); `item` the projected attributes without the vector; `size` what the entry
counts for in IndexSizeBytes."""

from __future__ import annotations

import math
from array import array
from operator import mul
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lumadb.storage.sqlite import apsw


def table_name(table_id: int, index_name: str) -> str:
    return f"ddb_vector_{table_id}_{index_name.encode().hex()}"


def create(conn: apsw.Connection, table_id: int, index_name: str) -> None:
    name = table_name(table_id, index_name)
    conn.execute(
        f"CREATE TABLE {name} (hash_prefix INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL, "
        "part BLOB NOT NULL, vector BLOB NOT NULL, norm REAL NOT NULL, size INTEGER NOT NULL, item BLOB NOT NULL, "
        "PRIMARY KEY (hash_prefix, pk, sk)) WITHOUT ROWID"
    )
    conn.execute(f"CREATE INDEX {name}_part ON {name} (part)")


def drop(conn: apsw.Connection, table_id: int, index_name: str) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {table_name(table_id, index_name)}")


def store(conn: apsw.Connection, name: str, key: tuple, part: bytes, vector: array, size: int, item: bytes) -> None:
    conn.execute(
        f"INSERT OR REPLACE INTO {name} (hash_prefix, pk, sk, part, vector, norm, size, item) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (*key, part, vector.tobytes(), math.sqrt(sum(map(mul, vector, vector))), size, item),
    )


def remove(conn: apsw.Connection, name: str, key: tuple) -> bool:
    """Remove the item's entry; whether it had one."""
    conn.execute(f"DELETE FROM {name} WHERE hash_prefix = ? AND pk = ? AND sk = ?", key)
    return conn.changes() > 0


def candidates(conn: apsw.Connection, name: str, part: bytes | None) -> list[Any]:
    """(vector, norm, item JSON, table key) of every entry, or of one HASH value's."""
    columns = "vector, norm, item, hash_prefix, pk, sk"
    if part is None:
        return conn.execute(f"SELECT {columns} FROM {name}").fetchall()
    return conn.execute(f"SELECT {columns} FROM {name} WHERE part = ?", (part,)).fetchall()


def counters(conn: apsw.Connection, table_id: int, index_names: list[str]) -> dict[str, tuple[int, int]]:
    """ItemCount and IndexSizeBytes of each index (counted: vector indexes hold few items here)."""
    out = {}
    for index_name in index_names:
        row: Any = conn.execute(
            f"SELECT count(*), coalesce(sum(size), 0) FROM {table_name(table_id, index_name)}"
        ).fetchone()
        out[index_name] = (row[0], row[1])
    return out
