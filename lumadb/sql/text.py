"""Result text that is not valid UTF-8.

SQLite keeps whatever bytes `CAST(x'ff' AS TEXT)` or `char(0xD800)` makes. apsw refuses to
decode such a value (UnicodeDecodeError) and leaves the statement part-way through its rows,
which would keep its SAVEPOINT from being released. `fetch_rows` resets the statement and
raises InvalidText instead: sqld refuses such text (`invalid utf-8 sequence of 1 bytes from
index 0`), while D1 (workerd) reads it with U+FFFD for each invalid sequence, which
`repaired_rows` gives for a read-only statement by running it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import Any

from lumadb.storage.sqlite import apsw

REPAIR_FUNCTION = "lumadb_utf8_lossy"


class InvalidText(ValueError):
    """A result row held text that is not valid UTF-8; the statement was reset. (A ValueError:
    where apsw's refusals of odd input are reported, this is too.)"""

    def __init__(self, error: UnicodeDecodeError) -> None:
        if error.reason == "unexpected end of data":
            message = f"incomplete utf-8 byte sequence from index {error.start}"
        else:
            message = f"invalid utf-8 sequence of {error.end - error.start} bytes from index {error.start}"
        super().__init__(message)
        self.message = message


def fetch_rows(cursor: apsw.Cursor) -> list[tuple[Any, ...]]:
    try:
        return cursor.fetchall()
    except UnicodeDecodeError as exc:
        cursor.close(True)  # the statement stops here, its remaining rows unread
        raise InvalidText(exc) from None


def fetch_some(cursor: apsw.Cursor, count: int) -> list[tuple[Any, ...]]:
    """`fetch_rows`, of the next `count` rows at most."""
    try:
        return list(islice(cursor, count))
    except UnicodeDecodeError as exc:
        cursor.close(True)
        raise InvalidText(exc) from None


def _lossy(*value: Any) -> str:
    return bytes(value[0]).decode("utf-8", "replace")


def repaired_rows(conn: apsw.Connection, sql: str, params: Sequence[Any] | dict[str, Any], width: int) -> list:
    """The rows of the read-only statement `sql` (`width` columns) run again, with every text
    value decoded as workerd does: each invalid UTF-8 sequence becomes U+FFFD. The statement is
    materialised first, so that each of its expressions is evaluated once per row."""
    names = [f"c{i}" for i in range(width)]
    columns = ", ".join(
        f"CASE typeof({n}) WHEN 'text' THEN {REPAIR_FUNCTION}(CAST({n} AS BLOB)) ELSE {n} END" for n in names
    )
    body = sql.rstrip().rstrip(";")
    text = f"WITH lumadb_rows({', '.join(names)}) AS MATERIALIZED (\n{body}\n) SELECT {columns} FROM lumadb_rows"
    # only for this statement: user SQL must not find a function D1 does not have
    conn.create_scalar_function(REPAIR_FUNCTION, _lossy, 1, deterministic=True)
    try:
        return conn.execute(text, params, can_cache=False).fetchall()
    finally:
        conn.create_scalar_function(REPAIR_FUNCTION, None, 1)
