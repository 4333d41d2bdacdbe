"""Short writes on the event loop, committed together at the end of the loop iteration.

A DynamoDB write request is bounded (one 400 KB item, or 25 or 100 of them), so it runs
right where it arrives instead of on the writer thread: the thread hops and GIL hand-offs
around the queue cost more CPU than the write itself. Every request the loop reads in one
iteration joins the same `BEGIN IMMEDIATE` transaction, each inside its own SAVEPOINT (a
failing one rolls back alone), and one COMMIT at the start of the next iteration makes them
durable together before any of their callers resumes. Group commit without a thread.

The connection never waits for the write lock: when the writer thread or another process
holds it, the job goes to the writer thread's queue instead.

Only without an fsync per commit (`--durability normal`, `--memory`). Measured side by side
(bench/dynamodb.py, one core, PutItem / UpdateItem): with `normal`, 11-17% more requests/s at
1 connection and 6-13% at 16, 8-13% less CPU per request; with `full`, +13% at 1 connection
but 5-12% fewer at 16, because the fsync then stalls the loop where the writer thread lets it
go on reading and checking requests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from lumadb.storage.sqlite import Clock, apsw

T = TypeVar("T")
log = logging.getLogger("lumadb.storage")

BUSY = object()  # `run`'s answer when the write lock is held elsewhere: queue the job instead


class _Group:
    """The jobs of one loop iteration: their futures and results, committed together."""

    __slots__ = ("broken", "done")

    def __init__(self) -> None:
        self.done: list[tuple[asyncio.Future, Any]] = []
        self.broken: BaseException | None = None  # SQLite rolled the whole transaction back


class LoopWriter:
    def __init__(self, connect: Callable[[], tuple[apsw.Connection, Clock]], counters: Any) -> None:
        self._connect = connect
        self._counters = counters  # the Database: its `commits` and `jobs` count these too
        self._conn: tuple[apsw.Connection, Clock] | None = None
        self._group: _Group | None = None

    def run(self, loop: asyncio.AbstractEventLoop, fn: Callable[..., T], args: tuple) -> asyncio.Future | object:
        """Run `fn(conn, *args)` now; a future of its result, set once committed, or BUSY."""
        if self._conn is None:
            self._conn = self._connect()
            self._conn[0].set_busy_timeout(0)
        conn, clock = self._conn
        group = self._group
        if group is None:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except apsw.BusyError:
                return BUSY
            group = self._group = _Group()
            loop.call_soon(self._commit, group)
        conn.execute("SAVEPOINT job")
        clock.start()
        try:
            result = fn(conn, *args)
            conn.execute("RELEASE job")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
            else:  # an interrupt or I/O error ended the whole transaction: the others fail too
                group.broken = exc
                self._finish(group)
            raise
        finally:
            clock.stop()
        future = loop.create_future()
        group.done.append((future, result))
        return future

    def _commit(self, group: _Group) -> None:
        if group is not self._group:  # already finished (broken)
            return
        assert self._conn is not None
        conn = self._conn[0]
        try:
            conn.execute("COMMIT")
        except apsw.Error as exc:
            log.error("commit failed: %s", exc)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            group.broken = exc
        self._finish(group)

    def _finish(self, group: _Group) -> None:
        self._group = None
        self._counters.commits += 1
        self._counters.jobs += len(group.done)
        for future, result in group.done:
            if future.cancelled():
                continue
            if group.broken is not None:
                future.set_exception(group.broken)
            else:
                future.set_result(result)

    def close(self) -> None:
        """Commit what is pending, then close the connection."""
        if self._group is not None:
            self._commit(self._group)
        if self._conn is not None:
            self._conn[0].close()
            self._conn = None
