"""The one place that imports the SQLite binding (apsw) and configures connections.

apsw bundles a current SQLite and exposes what the protocols need beyond the stdlib
module: error offsets (D1's messages), statement description without execution (Hrana
`describe`), declared column types, an authorizer, limits and extended result codes.
"""

from __future__ import annotations

import logging
import time
import weakref
from pathlib import Path

import apsw
import apsw.ext

__all__ = ["SQLITE_VERSION", "Clock", "SQLiteError", "apsw", "close_connection", "connect"]

SQLiteError = apsw.Error
SQLITE_VERSION = apsw.sqlite_lib_version()

sql_log = logging.getLogger("lumadb.sql")


class Clock:
    """Statement time limit for one connection, enforced by SQLite's progress handler.

    `start()` arms the deadline before a unit of work; SQLite then calls `check` every
    few thousand VM steps and a true return interrupts the statement (apsw.InterruptError).
    """

    __slots__ = ("deadline", "limit_s")

    def __init__(self, limit_ms: int) -> None:
        self.limit_s = limit_ms / 1000.0
        self.deadline = float("inf")

    def start(self, limit_ms: int | None = None) -> None:
        limit = self.limit_s if limit_ms is None else limit_ms / 1000.0
        self.deadline = time.monotonic() + limit if limit > 0 else float("inf")

    def stop(self) -> None:
        self.deadline = float("inf")

    def check(self) -> bool:
        return time.monotonic() > self.deadline


# Connections to a file that other processes write too (--workers N): a statement they have
# prepared may predate another process's schema change (lumadb/sql/execute.py checks them).
cross_process_connections: weakref.WeakSet[apsw.Connection] = weakref.WeakSet()


def _log_statement(event: dict) -> None:
    if event.get("code") == apsw.SQLITE_TRACE_PROFILE:
        sql_log.debug("sql %.3f ms: %s", event["nanoseconds"] / 1e6, event.get("sql", ""))


def _enter_wal(conn: apsw.Connection, busy_timeout_ms: int) -> str:
    """`PRAGMA journal_mode=wal`. On a new file opened by two processes at once (`--workers N`
    starting), SQLite answers one of them "database is locked" at once, without its busy
    handler: each holds the shared lock the other's switch must see cleared. Try again."""
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            return str(conn.pragma("journal_mode", "wal"))
        except apsw.BusyError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.005)


def connect(
    path: Path | str,
    *,
    durability: str = "full",
    busy_timeout_ms: int = 5000,
    statement_timeout_ms: int = 30_000,
    readonly: bool = False,
    log_sql: bool = False,
) -> tuple[apsw.Connection, Clock]:
    """Open a connection in WAL mode with LumaDB's settings and its statement clock."""
    flags = apsw.SQLITE_OPEN_READONLY if readonly else apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE
    conn = apsw.Connection(str(path), flags=flags | apsw.SQLITE_OPEN_URI)
    conn.set_busy_timeout(busy_timeout_ms)
    if not readonly:
        mode = _enter_wal(conn, busy_timeout_ms)
        if mode != "wal":  # another process holds the file in a mode we cannot change now
            sql_log.warning("journal_mode is %s for %s", mode, path)
    # FULL: an acknowledged commit survives kill -9 and power loss; NORMAL: survives kill -9;
    # OFF only for --memory servers, whose files are thrown away anyway.
    conn.pragma("synchronous", {"full": "FULL", "normal": "NORMAL"}.get(durability, "OFF"))
    clock = Clock(statement_timeout_ms)
    conn.set_progress_handler(clock.check, 4000)
    if log_sql:
        conn.trace_v2(apsw.SQLITE_TRACE_PROFILE, _log_statement)
    return conn, clock


def close_connection(conn: apsw.Connection) -> None:
    """Close a connection without stopping every other thread for long. The last connection
    to a database checkpoints its WAL as it closes, and apsw holds the GIL through `close()`
    (a 10 MB WAL: 26 ms in which nothing else ran, the event loop included). Run first as a
    statement, the checkpoint lets go of the GIL, and `close()` is left deleting the file
    (~5 ms for 10 MB). PASSIVE: it neither waits for nor holds up another connection (TRUNCATE
    would leave a smaller file but hold the write lock while it copies)."""
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except apsw.Error:  # read-only, busy or broken: close() does what it can, as before
        pass
    conn.close()
