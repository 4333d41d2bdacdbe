"""One writer per database file with group commit, readers beside it (datasette's model).

Writes are queued to the database's writer thread (lumadb/storage/writer_thread.py), which
commits every job waiting in its queue in one transaction, each job in its own SAVEPOINT.
Short writes (one DynamoDB request) take a cheaper road to the same guarantees:
lumadb/storage/loop_writer.py.

Reads run on a small shared thread pool with idle connections kept per database, or,
for cheap point reads, inline on the caller's thread (a thread hop costs ~30 µs, a point
read ~4 µs). The point reads of one event-loop iteration share one read transaction
(`read_point`): a read transaction takes and releases SQLite's WAL read lock, two `fcntl`
calls, which cost as much as the read itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from lumadb.storage import closings
from lumadb.storage.jobs import WriteLockElsewhere
from lumadb.storage.loop_writer import DatabaseClosed, LoopWriter, OverBudget
from lumadb.storage.process_lock import ProcessLock
from lumadb.storage.sqlite import Clock, apsw, close_connection, connect, cross_process_connections
from lumadb.storage.sqlite_files import WalIndex
from lumadb.storage.writer_thread import Job, WriterThread

T = TypeVar("T")
log = logging.getLogger("lumadb.storage")

# The page cache of the connection that serves point reads on the event loop. SQLite's default
# (2 MB) holds less than a 10,000-item table: every miss is a pread (GetItem at 16
# connections: +5.6% req/s with 32 MB, side by side). Other connections keep the default.
INLINE_CACHE_KIB = 32 * 1024

ConnectionSetup = Callable[[apsw.Connection], None]


MAX_IDLE_CONNECTIONS = 8  # kept open for the reader pool and libSQL streams
_read_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lumadb-read")


class Database:
    """A SQLite file with one writer thread, pooled readers and an inline reader."""

    def __init__(
        self,
        path: Path,
        *,
        durability: str = "full",
        busy_timeout_ms: int = 5000,
        statement_timeout_ms: int = 30_000,
        log_sql: bool = False,
        setup: ConnectionSetup | None = None,
        cross_process: bool = False,
    ) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._connect_args = dict(
            durability=durability,
            busy_timeout_ms=busy_timeout_ms,
            statement_timeout_ms=statement_timeout_ms,
            log_sql=log_sql,
        )
        self._setup = setup
        self._inline: tuple[apsw.Connection, Clock] | None = None
        self._snapshot_at: int | None = None  # `commits` when the shared read transaction began
        self._snapshot_marker: bytes | None = None  # the WAL-index marker just before it began
        self._wal_index: WalIndex | None = None  # mapped while the inline connection is open
        self._iteration: asyncio.AbstractEventLoop | None = None  # a point read ran in its current iteration
        self._idle_readers: list[tuple[apsw.Connection, Clock]] = []  # for the reader pool
        self._reading = 0  # reads handed to the reader pool and not yet done
        self._readers_lock = threading.Lock()
        self._closed = False
        # Set by every use; the registry clears it when it looks, and lets go of a database
        # left untouched for a while (`release_idle`).
        self.touched = True
        self._closing: Future[None] | None = None  # `release_idle`'s closings, on the closer thread
        self._releases = 0  # how often `release_idle` let go: data_version() moves on with it
        # Counts commits made through this object; the query cache also watches the WAL-index
        # (`data_version`) for commits made by other connections and processes.
        self.commits = 0
        self.jobs = 0  # write jobs run; jobs / commits is the mean group size
        self.cache: Any = None  # the process's QueryCache, set by the registry that opened this file
        # With an fsync per commit the COMMIT runs on a thread, so that the loop goes on
        # reading and checking requests while the disk syncs (lumadb/storage/loop_writer.py).
        # Other processes write this file too (--workers N): writers take turns (process_lock.py).
        self._cross_process = cross_process
        self._writer = WriterThread(path, self.connect, self, cross_process=cross_process)
        self._loop_writer = LoopWriter(
            self.connect,
            self,
            lambda fn, args: self.write(fn, *args),
            before_commit=self.end_shared_snapshot,
            commit_off_loop=durability == "full",
            sync_checkpoints=durability != "off",
            turns=ProcessLock(path) if cross_process else None,
        )

    @property
    def cross_process(self) -> bool:
        """Other processes write this file too (--workers N)."""
        return self._cross_process

    # -- connections --------------------------------------------------------------
    def connect(self) -> tuple[apsw.Connection, Clock]:
        """A new connection to this file, configured like every other (for streams)."""
        self.touched = True
        conn, clock = connect(self.path, **self._connect_args)  # type: ignore[arg-type]
        if self._cross_process:
            cross_process_connections.add(conn)
        if self._setup is not None:
            self._setup(conn)
        return conn, clock

    def inline_connection(self) -> tuple[apsw.Connection, Clock]:
        """The connection for reads on the calling thread, outside any shared read transaction."""
        self.end_shared_snapshot()
        return self._inline_connection()

    def _inline_connection(self) -> tuple[apsw.Connection, Clock]:
        self.touched = True
        if self._inline is None:
            if self._closed:  # (a request that found the database before its DELETE)
                raise DatabaseClosed("database is closed")  # not a new empty file where it was
            self._inline = self.connect()
            self._inline[0].pragma("cache_size", -INLINE_CACHE_KIB)
            self._wal_index = WalIndex.of(self._inline[0])
        return self._inline

    def borrow_connection(self) -> tuple[apsw.Connection, Clock]:
        """An idle connection of the reader pool, or a new one, for a caller that keeps it a while
        (a libSQL stream) and hands it back with `give_back` if it left it as it found it."""
        with self._readers_lock:
            if self._closed:
                raise DatabaseClosed("database is closed")
            entry = self._idle_readers.pop() if self._idle_readers else None
        self.touched = True
        return entry if entry is not None else self.connect()

    def borrow_idle_connection(self) -> tuple[apsw.Connection, Clock] | None:
        """An idle connection of the reader pool, or None: opening one (~100-230 µs) is work
        for a thread, not for the event loop."""
        with self._readers_lock:
            if self._closed or not self._idle_readers:
                return None
            entry = self._idle_readers.pop()
        self.touched = True
        return entry

    def give_back(self, entry: tuple[apsw.Connection, Clock]) -> bool:
        """Keep a borrowed connection for the reader pool and the next borrower; False when the
        caller should close it (the database is closed, or enough connections are idle)."""
        with self._readers_lock:
            if self._closed or len(self._idle_readers) >= MAX_IDLE_CONNECTIONS:
                return False
            self._idle_readers.append(entry)
        return True

    # -- reads --------------------------------------------------------------------
    def read_now(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a short read on the calling thread, in a read transaction of its own (`fn` may
        open one itself)."""
        conn, clock = self.inline_connection()
        clock.start()
        try:
            return fn(conn, *args)
        finally:
            clock.stop()

    def read_point(self, fn: Callable[..., T], *args: Any) -> T:
        """`read_now` for a point read on the event loop, in the read transaction this loop
        iteration's later point reads share. It ends at the next iteration, and as soon as this
        process has acknowledged a write meanwhile (`commits` counts them before any caller
        hears of it): a read never misses a write acknowledged before it arrived. Other
        processes' writes (`--workers N`) cannot be seen that way: there, a transaction each."""
        if self._cross_process:
            return self.read_now(fn, *args)
        conn, clock = self._inline_connection()
        if self._snapshot_at is None:
            iteration = self._iteration
            if iteration is None or iteration.is_closed():  # (a closed loop never ends its iteration)
                # the first of the iteration reads alone: a lone client would pay BEGIN and
                # COMMIT for nothing
                self._iteration = asyncio.get_running_loop()
                self._iteration.call_soon(self._iteration_over)
                if conn.in_transaction:  # a snapshot whose COMMIT failed
                    conn.execute("ROLLBACK")
            else:
                self._begin_shared_snapshot(conn)
        elif self._snapshot_at != self.commits or not conn.in_transaction:
            self._begin_shared_snapshot(conn)
        clock.start()
        try:
            return fn(conn, *args)
        finally:
            clock.stop()

    def _begin_shared_snapshot(self, conn: apsw.Connection) -> None:
        if conn.in_transaction:
            conn.execute("COMMIT")
        # read before the snapshot is taken: a commit in between makes the marker older than
        # the snapshot, so a cached read tagged with it is only ever dropped too early
        self._snapshot_marker = self._wal_index.marker() if self._wal_index is not None else None
        conn.execute("BEGIN")  # deferred: the first read takes the snapshot
        self._snapshot_at = self.commits

    def _iteration_over(self) -> None:
        self._iteration = None
        self.end_shared_snapshot()

    def end_shared_snapshot(self) -> None:
        """End the point reads' shared read transaction, if one is open (before a checkpoint
        that would wait for it, or before a read that needs a transaction of its own)."""
        if self._snapshot_at is None:
            return
        self._snapshot_at = None
        if self._inline is not None and self._inline[0].in_transaction:
            self._inline[0].execute("COMMIT")

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a read on the reader pool."""
        loop = asyncio.get_running_loop()
        self.touched = True
        with self._readers_lock:
            self._reading += 1
        return await loop.run_in_executor(_read_pool, self._run_read, fn, args)

    def _run_read(self, fn: Callable[..., T], args: tuple) -> T:
        # Reader connections belong to the database, not to a pool thread, so that close()
        # can close them: an open connection keeps a deleted file's disk space allocated.
        with self._readers_lock:
            entry = self._idle_readers.pop() if self._idle_readers else None
            if entry is None and self._closed:
                self._reading -= 1
                raise DatabaseClosed("database is closed")
        conn, clock = entry if entry is not None else self.connect()
        clock.start()
        try:
            return fn(conn, *args)
        finally:
            clock.stop()
            with self._readers_lock:
                self._reading -= 1
                closed = self._closed
                if not closed:
                    self._idle_readers.append((conn, clock))
            if closed:
                close_connection(conn)

    def data_version(self) -> Hashable:
        """A marker of the data the next inline read sees, equal to an earlier one only if no
        connection or process has committed to this file since (the query cache and D1's
        time-travel bookmarks rely on it). The inline connection never writes, so it sees
        every commit."""
        if self._snapshot_at is not None and self._snapshot_at != self.commits:
            self.end_shared_snapshot()
        conn, _ = self._inline_connection()
        if self._wal_index is not None:
            if self._snapshot_at is None:
                return (self._releases, self._wal_index.marker())
            if self._snapshot_marker is not None:  # in the shared read transaction: its snapshot's
                return (self._releases, self._snapshot_marker)
        # no WAL-index to read: SQLite's own counter, a statement (~2.5 µs); within the shared
        # read transaction, its snapshot's
        version: int = conn.execute("PRAGMA data_version").fetchone()[0]  # type: ignore[index]  # half of conn.pragma()'s cost
        # A connection's data_version does not go on from a closed one's: after a release the
        # versions start over in a range of their own, so no earlier one comes back.
        return (self._releases, version)

    def _drop_wal_index(self) -> None:
        """Before the inline connection closes: the WAL-index is its mapping (sqlite_files.py)."""
        self._wal_index = None
        self._snapshot_marker = None

    # -- writes -------------------------------------------------------------------
    async def write(self, fn: Callable[..., T], *args: Any, transactional: bool = True) -> T:
        """Run `fn(conn, *args)` on the writer thread, atomically, and return its result
        once committed. `transactional=False` runs it alone outside any transaction
        (VACUUM, or SQL that manages its own transaction)."""
        if self._closed:
            raise DatabaseClosed("database is closed")
        self.touched = True
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._writer.submit(Job(fn, args, loop, future, transactional))
        return await future

    def write_short(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """`write` for a short, bounded job (one DynamoDB request): run on the event loop and
        committed with the others of this loop iteration (lumadb/storage/loop_writer.py);
        on the writer thread when the write lock is held elsewhere. The future itself, not a
        coroutine around it: one frame less to create and to resume per write."""
        if self._closed:
            raise DatabaseClosed("database is closed")
        self.touched = True
        return self._loop_writer.run(asyncio.get_running_loop(), fn, args)

    async def writes_settled(self) -> None:
        """Return once the event loop's write transaction, if one is open, has ended (its
        COMMIT and sync included): before a job it handed back runs on another connection."""
        settled = self._loop_writer.settled(asyncio.get_running_loop())
        if settled is not None:
            with contextlib.suppress(WriteLockElsewhere, apsw.Error):  # (ended all the same)
                await settled

    async def write_inline(self, budget_ms: int, fn: Callable[..., T], *args: Any) -> T:
        """`write` for a job that is most likely short (one libSQL statement): run on the event
        loop like `write_short`, committed with the others of this loop iteration, unless it
        runs longer than `budget_ms`: then SQLite interrupts it, its changes are undone, and it
        runs again on the writer thread (under the statement timeout)."""
        if self._closed:
            raise DatabaseClosed("database is closed")
        self.touched = True
        try:
            return await self._loop_writer.run(asyncio.get_running_loop(), fn, args, budget_ms)
        except OverBudget:
            return await self.write(fn, *args)

    def write_blocking(self, fn: Callable[..., T], *args: Any) -> T:
        """The same as `write`, for code not running on an event loop (CLI, tests)."""
        done = threading.Event()
        box: dict[str, Any] = {}

        class _Sync:
            def cancelled(self) -> bool:
                return False

            def set_result(self, value: Any) -> None:
                box["result"] = value
                done.set()

            def set_exception(self, error: BaseException) -> None:
                box["error"] = error
                done.set()

        class _Loop:
            def call_soon_threadsafe(self, cb: Callable, *a: Any) -> None:
                cb(*a)

        self.touched = True
        self._writer.submit(Job(fn, args, _Loop(), _Sync(), True))
        done.wait()
        if "error" in box:
            raise box["error"]
        return box["result"]

    # -- life cycle ---------------------------------------------------------------
    @property
    def holds_connections(self) -> bool:
        return bool(self._inline or self._idle_readers or self._reading or self._loop_writer.holds_connection
                    or not self._writer.stopped)

    def release_idle(self) -> bool:
        """Close every connection and stop the writer thread while nothing runs here, as if
        the database had not been opened yet; the next use opens what it needs again. A
        server that has served thousands of databases (one per tenant) would otherwise keep
        a thread, eight descriptors and ~0.5 MB for each. Called on the event loop, where
        the inline reads and short writes run: none can be part-way through. False when a
        read or write is in flight."""
        if self._closed or not self.holds_connections:
            return False
        # Reads and writes are started on the loop (this thread): what is idle now stays so.
        if self._reading or not self._writer.idle:
            return False
        to_close = self._loop_writer.release()
        if to_close is None:
            return False
        self._writer.stop_if_idle()  # its thread closes its own connection
        with self._readers_lock:
            idle, self._idle_readers = self._idle_readers, []
        self.end_shared_snapshot()
        if self._inline is not None:
            to_close.append(partial(close_connection, self._inline[0]))
            self._inline = None
        self._drop_wal_index()
        to_close.extend(partial(close_connection, conn) for conn, _clock in idle)
        self._releases += 1
        if self.cache is not None:  # (its entries could not match again anyway: `_releases`)
            self.cache.forget(self)
        self._closing = closings.submit(to_close)
        return True

    def close(self) -> None:
        """Finish queued writes, then close every connection this object opened."""
        for close in self.detach():
            close()

    def detach(self) -> list[Callable[[], None]]:
        """`close` in two parts: what belongs to the event loop (the loop writer's pending group
        committed and its futures set) is done here, on the loop; the rest is returned, to run
        in order on any thread: waiting for an idle release's closings, stopping the writer
        thread, closing the connections (the last one checkpoints the WAL)."""
        with self._readers_lock:
            if self._closed:
                return [self._closing.result] if self._closing is not None else []
            self._closed = True
            idle, self._idle_readers = self._idle_readers, []
        later: list[Callable[[], None]] = []
        if self._closing is not None:
            # before the caller may delete the files: a connection closed after that would
            # delete the `-wal` file of a new database at the same path
            later.append(self._closing.result)
        later.extend(partial(close_connection, conn) for conn, _clock in idle)  # (busy readers close theirs)
        self._loop_writer.close(later)
        later.append(self._writer.close)
        if self._inline is not None:
            self.end_shared_snapshot()
            later.append(partial(close_connection, self._inline[0]))
            self._inline = None
        self._drop_wal_index()
        return later
