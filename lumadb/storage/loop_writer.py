"""Short writes on the event loop, committed together once per loop iteration.

A DynamoDB write request is bounded (one 400 KB item, or 25 or 100 of them), and a libSQL or
D1 write most likely short (it runs under a time budget: one that outlasts it is undone and
goes to the writer thread), so it runs right where it arrives instead of on the writer
thread: the thread hops and GIL hand-offs around a queue per request cost more CPU than the
write itself. Every request the loop reads in one iteration joins the same `BEGIN IMMEDIATE`
transaction, each inside its own SAVEPOINT (a failing one rolls back alone; `changes_last`
jobs need none), and one COMMIT makes them durable together before any of their callers
resumes. Group commit, with at most one thread hop per group (none on Linux), not two per
request.

Without an fsync per commit (`--durability normal`, `--memory`) the COMMIT runs on the loop at
the start of the next iteration. With `durability="full"` the loop goes on reading and
checking requests while the disk syncs; requests that arrive meanwhile wait (not yet run) and
form the next group as soon as the sync returns; short writes may be held back a few loop
iterations (at most one sync's time) for the writers the last sync answered (commit_hold.py).
On Linux the COMMIT itself runs on the loop without an fsync (`synchronous=NORMAL` on this
connection) and the kernel syncs the WAL asynchronously (wal_sync.py); the group's callers
resume once it has. Elsewhere the COMMIT, fsync included (`synchronous=FULL`), runs on a
commit thread. Either way a lone writer (three groups of one job in a row) syncs on the loop:
there is nobody else to serve meanwhile but readers, which wait one fsync.

With the asynchronous sync, other connections can read a group's writes between its COMMIT and
the end of its sync (a power cut then would lose writes that were read, never writes that were
acknowledged).

WAL checkpoints run mostly off the COMMIT path (checkpoints.py).

The connection never waits for the write lock: when the writer thread or another process
holds it, the job goes to the writer thread's queue instead (`fallback`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from lumadb.storage.checkpoints import Checkpoints, sync_file
from lumadb.storage.commit_hold import CommitHold
from lumadb.storage.commit_thread import CommitThread
from lumadb.storage.jobs import WriteLockElsewhere, chain, settle, undo_job
from lumadb.storage.process_lock import ProcessLock
from lumadb.storage.sqlite import Clock, apsw, close_connection
from lumadb.storage.wal_room import WalRoom
from lumadb.storage.wal_sync import WalSync

T = TypeVar("T")
_clock = time.perf_counter
log = logging.getLogger("lumadb.storage")

Fallback = Callable[[Callable[..., Any], tuple], Awaitable[Any]]
_Job = tuple[Callable[..., Any], tuple, asyncio.Future, "int | None"]


class OverBudget(Exception):
    """A job ran past its budget and was undone."""


class DatabaseClosed(RuntimeError):
    """The database was closed (deleted, or the server is stopping): nothing opens it again."""


class _Group:
    """The jobs of one transaction: their futures and results, committed together."""

    __slots__ = ("broken", "done", "jobs", "work")

    def __init__(self) -> None:
        self.work = 0.0  # seconds the jobs took (commit_hold.py waits only for short ones)
        self.done: list[tuple[asyncio.Future, Any]] = []
        # how to run each done job again, should another job's failure undo the transaction
        self.jobs: list[_Job] = []
        self.broken: BaseException | None = None  # the COMMIT (or its sync) failed


class LoopWriter:
    def __init__(
        self,
        connect: Callable[[], tuple[apsw.Connection, Clock]],
        counters: Any,
        fallback: Fallback,
        *,
        commit_off_loop: bool = False,
        sync_checkpoints: bool = True,
        turns: ProcessLock | None = None,
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        self._connect = connect
        # ends this process's shared read transaction: a checkpoint after the COMMIT could
        # not start the WAL over while a reader holds a snapshot
        self._before_commit = before_commit
        self._counters = counters  # the Database: its `commits` and `jobs` count these too
        self._fallback = fallback  # runs a job on the writer thread (the write lock is elsewhere)
        self._conn: tuple[apsw.Connection, Clock] | None = None
        self._group: _Group | None = None  # open: new jobs join it
        self._committing: _Group | None = None  # its COMMIT or sync is running
        self._waiting: list[_Job] = []
        self._gathering: list[_Job] | None = None  # jobs held back for the writers expected
        self._gathering_on: asyncio.AbstractEventLoop | None = None
        self._gathering_since = 0.0
        self._sync_off_loop = commit_off_loop  # an fsync per commit, not on the loop
        self._wal_sync: WalSync | None = None  # the kernel syncs the WAL (Linux)
        self._wal_room: WalRoom | None = None  # zeros written ahead in the WAL (an fsync per commit)
        self._committer: CommitThread | None = None  # or a thread runs the whole COMMIT
        self._turns = turns  # other processes write too: take turns with them (process_lock.py)
        self._sync_checkpoints = sync_checkpoints
        self._checkpoints = Checkpoints(connect, sync=sync_checkpoints)
        self._singles = 0  # groups of one job in a row, the last included
        self._hold = CommitHold()

    def run(
        self, loop: asyncio.AbstractEventLoop, fn: Callable[..., T], args: tuple, budget_ms: int | None = None
    ) -> asyncio.Future:
        """Run `fn(conn, *args)` now (or after the COMMIT in flight); a future of its result,
        set once it is committed. With `budget_ms`, SQLite interrupts it after that long and
        the future fails with OverBudget, its changes undone (not the statement timeout)."""
        future = loop.create_future()
        if self._gathering is not None and self._gathering_on is not loop:
            self._drop_gathered()  # held on a loop that is gone (tests run several)
        if self._committing is not None:
            self._waiting.append((fn, args, future, budget_ms))
        elif self._gathering is not None:
            self._gathering.append((fn, args, future, budget_ms))
        elif self._group is None and self._may_gather(loop, 1):
            self._gather(loop, [(fn, args, future, budget_ms)])
        else:
            self._run(loop, fn, args, future, budget_ms)
        return future

    def settled(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future | None:
        """A future set once the transaction open here (COMMIT and sync included) and the jobs
        waiting for it have ended; None when there is none. For a job handed back to run on
        another connection, whose read-then-write transaction would fail at once (SQLITE_BUSY:
        no busy wait once it holds a snapshot) while this one holds the write lock."""
        if self._group is None and self._committing is None and self._gathering is None and not self._waiting:
            return None
        return self.run(loop, settle, ())

    def _may_gather(self, loop: asyncio.AbstractEventLoop, jobs: int) -> bool:
        """Whether `jobs` about to run should wait for more writers: only where a sync follows
        the COMMIT, and not with other processes writing (`--workers`: not measured there)."""
        return self._sync_off_loop and self._turns is None and self._hold.expects_more(loop, jobs)

    def _gather(self, loop: asyncio.AbstractEventLoop, jobs: list[_Job]) -> None:
        """Hold these jobs back (not yet run: the write lock stays free) while the writers the
        last sync answered may come; then run them all as one group (commit_hold.py)."""
        self._gathering = jobs
        self._gathering_on = loop
        self._gathering_since = _clock()
        loop.call_soon(self._gathered, loop)

    def _gathered(self, loop: asyncio.AbstractEventLoop) -> None:
        jobs = self._gathering
        if jobs is None or self._gathering_on is not loop:  # closed or dropped meanwhile
            return
        if self._hold.holds(loop, len(jobs), self._gathering_since):
            loop.call_soon(self._gathered, loop)
            return
        self._gathering = None
        self._run_all(loop, jobs)

    def _run_all(self, loop: asyncio.AbstractEventLoop, jobs: list[_Job]) -> None:
        """Run jobs that waited (for a sync, or held back): outside `run`, a failure to start
        one (opening the connection, BEGIN) is that job's outcome, not the loop's."""
        for fn, args, future, budget_ms in jobs:
            try:
                self._run(loop, fn, args, future, budget_ms)
            except BaseException as exc:
                if not future.done():
                    future.set_exception(exc)

    def _drop_gathered(self) -> None:
        gathering, self._gathering, self._gathering_on = self._gathering or [], None, None
        for _fn, _args, future, _budget_ms in gathering:  # as for jobs waiting for a sync at close
            if not future.done():
                future.set_exception(DatabaseClosed("database is closed"))

    def _run(
        self, loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], args: tuple, future: asyncio.Future,
        budget_ms: int | None = None,
    ) -> None:
        if self._conn is None:
            self._conn = self._connect()
            self._conn[0].set_busy_timeout(0)
            self._checkpoints.attach(self._conn[0])
        conn, clock = self._conn
        group = self._group
        if group is None:
            if self._sync_off_loop:
                self._choose_sync(loop, conn)
            turns = self._turns
            if turns is not None and not turns.try_acquire():
                self._to_writer_thread(fn, args, future)  # it waits in line there
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
            except apsw.BusyError:
                if turns is not None:
                    turns.release(hand_over=False)
                self._to_writer_thread(fn, args, future)
                return
            group = self._group = _Group()
            if self._wal_room is not None:
                self._wal_room.keep()
            loop.call_soon(self._commit, loop, group)
        savepoint = not getattr(fn, "changes_last", False)
        if savepoint:
            conn.execute("SAVEPOINT job")
        else:
            changes = conn.total_changes()
        clock.start(budget_ms)
        started = _clock()
        try:
            result = fn(conn, *args)
            if savepoint:
                conn.execute("RELEASE job")
        except BaseException as exc:
            over = budget_ms is not None and clock.check()  # (whatever the job made of the interrupt)
            failure: BaseException | None = OverBudget() if over else exc
        else:
            failure = None
        finally:
            clock.stop()
            group.work += _clock() - started
        if failure is None:
            group.done.append((future, result))
            group.jobs.append((fn, args, future, budget_ms))
            return
        if not future.cancelled():
            future.set_exception(failure)
        if savepoint:
            if not undo_job(conn):
                self._redo(loop, group)
        elif not conn.in_transaction or conn.total_changes() != changes:
            # it failed after a change of its own: nothing to undo it alone with
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._redo(loop, group)

    def _redo(self, loop: asyncio.AbstractEventLoop, group: _Group) -> None:
        """A job's failure ended the whole transaction (ON CONFLICT ROLLBACK, RAISE(ROLLBACK) in
        a trigger, an interrupt, an I/O error): the group's other jobs were undone with it, and
        none was acknowledged. Run them again in a new transaction; each fails only of itself."""
        if self._turns is not None:
            self._turns.release(hand_over=False)
        if self._group is group:
            self._group = None  # its COMMIT callback finds nothing to do
        for fn, args, future, budget_ms in group.jobs:
            self._run(loop, fn, args, future, budget_ms)

    def _choose_sync(self, loop: asyncio.AbstractEventLoop, conn: apsw.Connection) -> None:
        """The kernel's asynchronous fsync where there is one, else the commit thread; set
        between transactions, as the connection's `synchronous` follows the choice."""
        if self._committer is not None or (self._wal_sync is not None and self._wal_sync.loop is loop):
            return
        if self._wal_sync is not None:  # another event loop (tests run several)
            self._wal_sync.close()
        conn.execute("PRAGMA schema_version").fetchall()  # a first read creates the WAL file
        self._wal_sync = WalSync.open(loop, conn.filename_wal)
        if self._wal_sync is None:
            self._committer = CommitThread()
        conn.pragma("synchronous", "FULL" if self._wal_sync is None else "NORMAL")
        if self._sync_checkpoints:  # (not when the files are thrown away: --memory)
            self._wal_room = WalRoom.of(conn)

    def _to_writer_thread(self, fn: Callable[..., Any], args: tuple, future: asyncio.Future) -> None:
        self._hold.forget()  # the write lock is elsewhere: the writers seen last are no guide
        if getattr(fn, "loop_only", False):
            future.set_exception(WriteLockElsewhere())
            return
        chain(asyncio.ensure_future(self._fallback(fn, args)), future)

    def _commit(self, loop: asyncio.AbstractEventLoop, group: _Group) -> None:
        if group is not self._group:  # already finished (broken)
            return
        assert self._conn is not None
        self._group = None
        if self._before_commit is not None:
            self._before_commit()
        # One writer at a time (a lone client): nothing would run on the loop during the fsync
        # anyway, and committing here saves the two thread hops (+10-17% PutItem and
        # UpdateItem at 1 connection, neutral at 16, measured side by side).
        self._singles = self._singles + 1 if len(group.done) == 1 else 0
        alone = self._singles >= 3
        if self._wal_sync is not None:
            wrote = self._checkpoints.frame_commits
            error = _commit(self._conn[0], self._turns, self._checkpoints)
            if error is None and self._checkpoints.frame_commits == wrote and self._turns is None:
                # Nothing written (a delete of a missing item, a failed condition): nothing to
                # sync, and the groups before it synced before it ran. Not with other processes
                # writing (--workers): one of theirs may still be syncing what this job read.
                self._committed(loop, group, None)
                return
            if error is not None or alone:
                self._committed(loop, group, error or self._wal_sync.sync_now())
                return
            self._committing = group
            self._hold.sync_started()
            self._wal_sync.start(lambda error: self._commit_returned(loop, group, error))
            return
        if self._committer is None or alone:
            self._committed(loop, group, _commit(self._conn[0], self._turns, self._checkpoints))
            return
        self._committing = group
        self._hold.sync_started()
        commit = partial(_commit, self._conn[0], self._turns, self._checkpoints)
        self._committer.commit(loop, commit, self._commit_returned, group)

    def _commit_returned(self, loop: asyncio.AbstractEventLoop, group: _Group, error: BaseException | None) -> None:
        if self._committing is group:  # not already finished by close()
            self._committed(loop, group, error)

    def _committed(self, loop: asyncio.AbstractEventLoop | None, group: _Group, error: BaseException | None) -> None:
        self._committing = None
        if error is not None:
            group.broken = error
        self._finish(group)
        waiting, self._waiting = self._waiting, []
        self._hold.sync_ended(len(group.done), len(waiting), group.work)
        if loop is None:  # closing: no loop to come back to
            for _fn, _args, future, _budget_ms in waiting:
                future.set_exception(DatabaseClosed("database is closed"))
        elif waiting and self._may_gather(loop, len(waiting)):
            self._gather(loop, waiting)
        else:
            self._run_all(loop, waiting)

    def _finish(self, group: _Group) -> None:
        if self._group is group:
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

    @property
    def holds_connection(self) -> bool:
        return self._conn is not None or self._committer is not None

    def release(self) -> list[Callable[[], None]] | None:
        """Let go of the connection and what comes with it (the kernel's sync context, the
        commit thread, the checkpoint thread's connection) while no write is open, committing
        or waiting: None when one is. The next write opens them again. Returns the closings
        left to do, which may be slow (closing the last connection checkpoints the WAL) and
        can run on any thread."""
        busy = self._group is not None or self._committing is not None or self._gathering is not None
        if busy or self._waiting or self._checkpoints.busy:
            return None
        closings: list[Callable[[], None]] = [self._checkpoints.close]
        self._checkpoints = Checkpoints(self._connect, sync=self._sync_checkpoints)
        self._wal_room = None  # (its WAL-index mapping goes with the connection)
        if self._wal_sync is not None:
            self._wal_sync.close()  # nothing in flight: no outcome to hand on
            self._wal_sync = None
        if self._committer is not None:
            closings.append(self._committer.shutdown)
            self._committer = None
        if self._conn is not None:
            closings.append(partial(close_connection, self._conn[0]))
            self._conn = None
        if self._turns is not None:
            self._turns.close()  # opened again by the next write
        self._singles = 0
        self._hold.forget()
        return closings

    def close(self, later: list[Callable[[], None]] | None = None) -> None:
        """Commit what is pending, then close the connection; with `later`, the closings (the
        connection's may checkpoint) are appended to it instead, for another thread."""
        self._drop_gathered()
        self._wal_room = None
        if self._wal_sync is not None:
            outcome = self._wal_sync.close()  # a sync in flight completes
            if self._committing is not None:  # its loop callback will never run now
                self._committed(None, self._committing, outcome)
            self._wal_sync = None
            if self._group is not None and self._conn is not None:
                # (its transaction is open: `synchronous` cannot change) a COMMIT, then a sync
                group, self._group = self._group, None
                error = _commit(self._conn[0], self._turns, self._checkpoints)
                self._committed(None, group, error or _fdatasync(self._conn[0].filename_wal))
            if self._conn is not None:
                self._conn[0].pragma("synchronous", "FULL")
        if self._committer is not None:
            self._committer.shutdown()  # a COMMIT in flight completes
            if self._committing is not None:  # its loop callback may never run now
                self._committed(None, self._committing, self._committer.last_error)
        if self._group is not None:
            group = self._group
            self._group = None
            assert self._conn is not None
            self._committed(None, group, _commit(self._conn[0], self._turns, self._checkpoints))
        closings: list[Callable[[], None]] = [self._checkpoints.close]
        if self._conn is not None:
            closings.append(partial(close_connection, self._conn[0]))
            self._conn = None
        if self._turns is not None:
            closings.append(self._turns.close)
        if later is not None:
            later.extend(closings)
            return
        for close in closings:
            close()


def _commit(conn: apsw.Connection, turns: ProcessLock | None, checkpoints: Checkpoints) -> BaseException | None:
    """COMMIT; on failure roll back and return the error (every job of the group gets it)."""
    try:
        conn.execute("COMMIT")
        checkpoints.after_commit(conn)  # before another writer's turn: no frames added meanwhile
    except apsw.Error as exc:
        log.error("commit failed: %s", exc)
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        return exc
    finally:
        if turns is not None:
            turns.release(hand_over=False)
    return None


def _fdatasync(path: str) -> OSError | None:
    try:
        sync_file(path)
    except OSError as exc:
        return exc
    return None
