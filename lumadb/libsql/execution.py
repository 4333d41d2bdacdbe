"""Where a statement runs.

A stream that has not needed its own connection runs single statements on the database's
shared connections: a read inline on the event loop under a short time budget (retried on
the reader pool if it takes longer), a write on the database's writer thread (group commit).
This serves @libsql/client's usual request, `[execute, close]` on a new stream, without a
connection or a thread of its own. Anything that leaves state on a connection (transactions,
PRAGMAs, ATTACH, temp objects) or reads such state (`last_insert_rowid()`, `changes()`)
pins the stream to its own connection, where all its later statements run.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache
from typing import Any

from lumadb.libsql.errors import StmtError
from lumadb.libsql.stmt import Access, Query, Render, execute_query, run_query
from lumadb.libsql.streams import Stream
from lumadb.sql import NotReadOnly
from lumadb.sql.split import leading_keywords
from lumadb.storage.sqlite import apsw

INLINE_BUDGET_MS = 3  # a read slower than this moves to the reader pool


class Route(Enum):
    READ = "read"
    WRITE = "write"
    PIN = "pin"


_STATE_MARKERS = ("last_insert_rowid", "changes(", "changes (", "temp.", "sqlite_temp")


@lru_cache(maxsize=4096)
def route_for(sql: str) -> Route:
    lowered = sql.lower()
    if any(marker in lowered for marker in _STATE_MARKERS):
        return Route.PIN
    words = leading_keywords(sql, 2)
    first = words[0] if words else ""
    if first in ("SELECT", "VALUES", "WITH"):
        return Route.READ  # a WITH ... INSERT turns out not read-only and moves to WRITE
    if first in ("INSERT", "REPLACE", "UPDATE", "DELETE", "DROP", "ALTER"):
        return Route.WRITE
    if first == "CREATE":
        return Route.PIN if len(words) > 1 and words[1] in ("TEMP", "TEMPORARY") else Route.WRITE
    return Route.PIN


class _TooSlow(Exception):
    pass


def _read_inline(stream: Stream, query: Query, access: Access, render: Render | None) -> dict[str, Any]:
    conn, clock = stream.db.inline_connection()
    clock.start(INLINE_BUDGET_MS)
    try:
        return execute_query(conn, query, access, readonly_only=True, render=render)
    except apsw.InterruptError:
        if clock.check():
            raise _TooSlow from None
        raise
    finally:
        clock.stop()


def _read_pooled(conn: apsw.Connection, query: Query, access: Access, render: Render | None) -> dict[str, Any]:
    return execute_query(conn, query, access, readonly_only=True, render=render)


def _write(conn: apsw.Connection, query: Query, access: Access, render: Render | None) -> dict[str, Any]:
    return execute_query(conn, query, access, render=render)


async def execute(stream: Stream, query: Query, access: Access, render: Render | None = None) -> dict[str, Any]:
    """Run one statement for `stream`; StmtError for statement errors."""
    if stream.conn is None:
        route = route_for(query.sql)
        try:
            if route is Route.READ:
                try:
                    try:
                        return _read_inline(stream, query, access, render)
                    except _TooSlow:
                        return await stream.db.read(_read_pooled, query, access, render)
                except NotReadOnly:
                    route = Route.WRITE
            if route is Route.WRITE:
                return await stream.db.write(_write, query, access, render)
        except (apsw.Error, ValueError, OverflowError) as exc:
            raise StmtError.from_sqlite(exc) from None
    return await stream.on_connection(run_query, query, access, render)

