"""The writer thread of one database file: group commit for writes of any length.

The thread takes every job waiting in its queue, runs each inside its own SAVEPOINT of one
`BEGIN IMMEDIATE` transaction and commits once: concurrent writers share one fsync, while each
job stays atomic (a failing job is rolled back to its savepoint and only its caller sees the
error). A job's result is delivered only after COMMIT returns, so an acknowledged write is
durable. A job that manages its own transaction (`transactional=False`) runs alone.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lumadb.storage.jobs import undo_job
from lumadb.storage.process_lock import ProcessLock
from lumadb.storage.sqlite import Clock, apsw, close_connection

log = logging.getLogger("lumadb.storage")

MAX_GROUP = 64  # jobs committed together at most
_STOP = object()


class Job:
    __slots__ = ("args", "fn", "future", "loop", "transactional")

    def __init__(self, fn, args, loop, future, transactional):
        self.fn = fn
        self.args = args
        self.loop = loop
        self.future = future
        self.transactional = transactional


def _deliver(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _deliver_all(deliveries: list[tuple[Any, Any, BaseException | None]]) -> None:
    for future, result, error in deliveries:
        _deliver(future, result, error)


class WriterThread:
    """Started by the first job; `counters` (the Database) counts its commits and jobs."""

    def __init__(
        self,
        path: Path,
        connect: Callable[[], tuple[apsw.Connection, Clock]],
        counters: Any,
        *,
        cross_process: bool,
    ) -> None:
        self._path = path
        self._connect = connect
        self._counters = counters
        # Other processes write this file too (--workers N): writers take turns (process_lock.py).
        self._cross_process = cross_process
        # Each thread has a queue of its own: a thread stopped while idle (`stop_if_idle`) takes
        # its _STOP from its queue, and the next submit starts a new thread on a new queue.
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()
        self._pending = 0  # jobs submitted and not yet delivered

    def submit(self, job: Job) -> None:
        # Under the lock: a writer thread that could not open the database fails every job
        # queued so far (see _writer_loop), and none may slip in unseen.
        with self._writer_lock:
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._writer_loop, args=(self._queue,), name=f"lumadb-write-{self._path.name}", daemon=True
                )
                self._writer.start()
            self._pending += 1
            self._queue.put(job)

    def _delivered(self, count: int) -> None:
        with self._writer_lock:
            self._pending -= count

    def _writer_loop(self, jobs: queue.SimpleQueue[Any]) -> None:
        try:
            conn, clock = self._connect()
        except BaseException as exc:  # e.g. the disk is full: the callers get the error, not a hang
            log.error("cannot open %s for writing: %s", self._path, exc)
            with self._writer_lock:
                if self._queue is jobs:
                    self._writer = None  # the next write tries again
                while True:
                    try:
                        job = jobs.get_nowait()
                    except queue.Empty:
                        return
                    if job is not _STOP:
                        self._pending -= 1
                        job.loop.call_soon_threadsafe(_deliver, job.future, None, exc)
        turns = ProcessLock(self._path) if self._cross_process else None
        try:
            while True:
                job = jobs.get()
                if job is _STOP:
                    return
                if turns is not None:
                    turns.acquire()  # before gathering the group: what arrives meanwhile joins it
                group = [job]
                stop_after = False
                while len(group) < MAX_GROUP and job.transactional:
                    try:
                        nxt = jobs.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is _STOP:
                        stop_after = True
                        break
                    if not nxt.transactional:
                        jobs.put(nxt)  # runs alone in a later round
                        break
                    group.append(nxt)
                try:
                    if job.transactional:
                        self._run_group(conn, clock, group)
                    else:
                        self._run_alone(conn, clock, job)
                finally:
                    if turns is not None:
                        turns.release()
                    self._delivered(len(group))
                if stop_after:
                    return
        finally:
            close_connection(conn)
            if turns is not None:
                turns.close()

    def _run_alone(self, conn: apsw.Connection, clock: Clock, job: Job) -> None:
        clock.start()
        try:
            result, error = job.fn(conn, *job.args), None
        except BaseException as exc:  # delivered to the caller, who renders it
            result, error = None, exc
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        finally:
            clock.stop()
        self._counters.commits += 1
        job.loop.call_soon_threadsafe(_deliver, job.future, result, error)

    def _run_group(self, conn: apsw.Connection, clock: Clock, group: list[Job]) -> None:
        outcomes: dict[int, tuple[Any, BaseException | None]] = {}
        pending = group
        while pending:
            pending = self._run_round(conn, clock, pending, outcomes)
        self._counters.commits += 1
        self._counters.jobs += len(group)
        # One wake-up per event loop for the whole group, not one per job.
        by_loop: dict[Any, list[tuple[Any, Any, BaseException | None]]] = {}
        for job in group:
            result, error = outcomes[id(job)]
            by_loop.setdefault(job.loop, []).append((job.future, result, error))
        for loop, deliveries in by_loop.items():
            loop.call_soon_threadsafe(_deliver_all, deliveries)

    def _run_round(
        self, conn: apsw.Connection, clock: Clock, jobs: list[Job], outcomes: dict[int, tuple[Any, BaseException | None]]
    ) -> list[Job]:
        """Run `jobs` in one transaction, each in its own SAVEPOINT, and commit; the jobs to run
        again in a new transaction when one's failure ended this one (ON CONFLICT ROLLBACK,
        RAISE(ROLLBACK) in a trigger, an I/O error) and undid the others' work with it."""
        try:
            conn.execute("BEGIN IMMEDIATE")
        except apsw.Error as exc:  # e.g. SQLITE_BUSY after the busy timeout
            outcomes.update((id(job), (None, exc)) for job in jobs)
            return []
        for position, job in enumerate(jobs):
            conn.execute("SAVEPOINT job")
            clock.start()
            try:
                result = job.fn(conn, *job.args)
                conn.execute("RELEASE job")
                outcomes[id(job)] = (result, None)
            except BaseException as exc:
                outcomes[id(job)] = (None, exc)
                if not undo_job(conn):
                    return jobs[:position] + jobs[position + 1 :]
            finally:
                clock.stop()
        try:
            conn.execute("COMMIT")
        except apsw.Error as exc:
            log.error("commit failed on %s: %s", self._path, exc)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            outcomes.update((id(job), (None, exc)) for job in jobs)
        return []

    @property
    def idle(self) -> bool:
        """No job is queued or running."""
        return self._pending == 0

    @property
    def stopped(self) -> bool:
        return self._writer is None

    def stop_if_idle(self) -> bool:
        """Stop the thread, and close its connection, if no job is queued or running; the
        next job starts a new one. False when busy."""
        with self._writer_lock:
            if self._pending:
                return False
            if self._writer is not None:
                self._queue.put(_STOP)
                self._queue = queue.SimpleQueue()
                self._writer = None
        return True

    def close(self) -> None:
        """Finish the queued jobs and stop the thread."""
        with self._writer_lock:
            writer, self._writer = self._writer, None
            if writer is not None:
                self._queue.put(_STOP)
        if writer is not None:
            writer.join(timeout=30)
