"""Where a statement runs.

A stream that has not needed its own connection runs single statements on the database's
shared connections, on the event loop under a short time budget: a read inline (retried on the
reader pool if it takes longer), a write in the loop's group commit (interrupted, undone and
run again on the writer thread if it takes longer: `Database.write_inline`).
This serves @libsql/client's usual request, `[execute, close]` on a new stream, without a
connection or a thread of its own. Anything that leaves state on a connection (transactions,
PRAGMAs, ATTACH, temp objects) or reads such state (`last_insert_rowid()`, `changes()`)
pins the stream to its own connection, where all its later statements run: on the stream's
thread, but for reads, which run on the event loop under the same budget (`on_stream_here`).

Reads on shared connections go through the query cache (keyed by statement, typed arguments
and renderer; invalidated by any commit to the file, from any process), unless the statement
can change its answer without a commit (the clock, randomness, connection state).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

from lumadb.libsql import write_lock
from lumadb.libsql.batch import COMMIT, ROLLBACK, is_control
from lumadb.libsql.errors import StmtError
from lumadb.libsql.stmt import Access, Query, Render, execute_query, read_query, run_query
from lumadb.libsql.streams import Stream
from lumadb.sql import NotReadOnly, ResultTooLarge
from lumadb.sql.split import leading_keywords
from lumadb.storage.cache import MISSING
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import apsw

T = TypeVar("T")
INLINE_BUDGET_MS = 3  # a read slower than this moves to the reader pool
CACHED_ROWS = 64  # larger results are not kept in the query cache


class Route(Enum):
    READ = "read"
    WRITE = "write"
    PIN = "pin"


_STATE_MARKERS = ("last_insert_rowid", "changes(", "changes (", "temp.", "sqlite_temp", "last_rows_affected")


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


# A read's result may be served from the query cache unless its value can change without a
# commit: the clock, randomness, connection state.
_VOLATILE = ("random", "date", "time", "julianday", "unixepoch", "strftime", "current_", "changes", "last_insert_rowid",
             "sqlite_", "load_extension", "pragma", "temp", "uuid", "last_rows_affected")


@lru_cache(maxsize=4096)
def cacheable(sql: str) -> bool:
    lowered = sql.lower()
    return not any(word in lowered for word in _VOLATILE)


# What the text cannot show: a view (or a function with an unlisted name) that reads the clock
# or randomness. SQLite's own functions whose value can change without a commit.
VOLATILE_FUNCTIONS = frozenset({
    "random", "randomblob", "changes", "last_insert_rowid", "total_changes", "date", "time", "datetime",
    "julianday", "unixepoch", "strftime", "timediff", "current_date", "current_time", "current_timestamp",
    "load_extension", "sqlite_offset", "uuid", "last_rows_affected",
})  # fmt: skip
_functions_checked: dict[tuple[int, str], tuple[int, bool]] = {}  # (database, sql): (schema version, volatile)


def cacheable_in(db: Database, sql: str) -> bool:
    """`cacheable`, and no function SQLite calls for it, through views included, is volatile:
    the functions SQLite's authorizer reports while preparing the statement (~95 µs, so the
    answer is kept until the schema changes; asked only before storing a result)."""
    if not cacheable(sql):
        return False
    conn, _ = db.inline_connection()
    version = conn.execute("PRAGMA schema_version").fetchone()[0]  # type: ignore[index]
    key = (id(db), sql)
    known = _functions_checked.get(key)
    if known is not None and known[0] == version:
        return not known[1]
    try:
        actions = apsw.ext.query_info(conn, sql, actions=True).actions or []
    except apsw.Error:
        return False
    volatile = any(a.action_name == "SQLITE_FUNCTION" and (a.function_name or "").lower() in VOLATILE_FUNCTIONS
                   for a in actions)  # fmt: skip
    if len(_functions_checked) >= 4096:
        _functions_checked.clear()
    _functions_checked[key] = (version, volatile)
    return not volatile


def _cache_key(query: Query, render: Render | None) -> tuple | None:
    """(statement, typed arguments, want_rows, renderer): 1 and 1.0 are different arguments to SQLite."""
    if not cacheable(query.sql):
        return None
    args = tuple((v.__class__, v.hex() if v.__class__ is float else v) for v in query.args or ())
    named = None
    if query.named is not None:
        named = tuple(sorted((k, v.__class__, v.hex() if v.__class__ is float else v) for k, v in query.named.items()))
    return (query.sql, args, named, query.want_rows, render)


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


def _write(conn: apsw.Connection, query: Query, access: Access, render: Render | None) -> dict[str, Any] | ResultTooLarge:
    # The shared connection stands in for the new one sqld gives each stream: an INSERT that
    # inserts nothing reports rowid 0, not the last row another client inserted.
    conn.set_last_insert_rowid(0)
    result: dict[str, Any] | ResultTooLarge
    try:
        result = execute_query(conn, query, access, render=render)
    except ResultTooLarge as exc:
        result = exc  # what it wrote stays, as on sqld: the error is raised once that is committed
    # A DEFERRABLE INITIALLY DEFERRED key left broken fails the statement's own COMMIT on sqld;
    # here the COMMIT is shared with other requests' statements: fail this one alone, now.
    if conn.status(apsw.SQLITE_DBSTATUS_DEFERRED_FKS)[0] > 0:
        raise StmtError("SQLite error: FOREIGN KEY constraint failed", "SQLITE_CONSTRAINT", "FOREIGN KEY constraint failed")
    return result


async def execute(stream: Stream, query: Query, access: Access, render: Render | None = None) -> dict[str, Any]:
    """Run one statement for `stream`; StmtError for statement errors."""
    if write_lock.expired(stream):
        raise write_lock.timed_out()
    if stream.conn is None:
        route = route_for(query.sql)
        try:
            if route is Route.READ:
                cache = stream.db.cache
                key = _cache_key(query, render) if cache is not None and cache.enabled else None
                if key is not None:
                    cached, version = cache.lookup(stream.db, key)
                    if cached is not MISSING:
                        return cached
                try:
                    try:
                        result = _read_inline(stream, query, access, render)
                    except _TooSlow:
                        result = await stream.db.read(_read_pooled, query, access, render)
                    if key is not None and len(result.get("rows", ())) <= CACHED_ROWS and cacheable_in(stream.db, query.sql):
                        cache.store(stream.db, key, version, result)
                    return result
                except NotReadOnly:
                    route = Route.WRITE
            if route is Route.WRITE:
                written = await stream.db.write_inline(INLINE_BUDGET_MS, _write, query, access, render)
                if isinstance(written, ResultTooLarge):
                    raise written
                return written
        except (apsw.Error, ValueError, OverflowError) as exc:
            raise StmtError.from_sqlite(exc) from None
    if stream.conn is not None and route_for(query.sql) is Route.READ:
        try:
            return on_stream_here(stream, read_query, query, access, render)
        except (TooSlow, NotReadOnly):
            pass  # a read changed nothing: on the stream's thread, from the start
    elif stream.conn is not None and ends_read_transaction(stream.conn, query):
        return on_stream_here(stream, run_query, query, access, render)
    return await stream.on_connection(run_query, query, access, render)


class TooSlow(Exception):
    """A read ran past the event loop's time budget and was interrupted (nothing changed)."""


def on_stream_here(stream: Stream, fn: Callable[..., T], *args: Any) -> T:
    """`fn(conn, *args)` on the stream's own connection, here on the event loop, under the
    loop's time budget: for reads, and for the end of a read transaction, which wait for no
    lock (a stream's connection otherwise runs its SQL on a thread of its own)."""
    assert stream.conn is not None and stream.clock is not None
    with stream.in_use:  # (a writer ending its transaction for sqld's timeout waits: write_lock.py)
        stream.clock.start(INLINE_BUDGET_MS)
        try:
            return fn(stream.conn, *args)
        except apsw.InterruptError as exc:
            if stream.clock.check():
                raise TooSlow from None  # (an interrupted read leaves its transaction as it was)
            raise StmtError.from_sqlite(exc) from None
        finally:
            stream.clock.stop()


def ends_read_transaction(conn: apsw.Connection, query: Query) -> bool:
    """COMMIT or ROLLBACK of a transaction that has written nothing: no sync, no lock to wait for."""
    return conn.txn_state() != apsw.SQLITE_TXN_WRITE and (is_control(query, COMMIT) or is_control(query, ROLLBACK))

