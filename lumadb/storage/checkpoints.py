"""WAL checkpoints in two passes, so that writers do not wait for the long one.

SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL past 1,000 pages: that
COMMIT copies every page of the WAL into the database and syncs both files, and every write
queued behind it waits (the 16-connection PutItem p99 was this). Here the copy runs on a
thread, with its own connection and PASSIVE, while writes go on. It cannot finish the job
alone: frames written meanwhile are left, and SQLite restarts the WAL from its beginning only
once every frame is in the database. So the next COMMIT after it returns runs a second PASSIVE
pass on the writer's connection, with no writes in between; it copies only what was written
during the first, and the write after it starts the WAL over.

The thread syncs the database file itself after its pass, and repeats pass and sync while
each copies less than the one before, until one finds little to copy. SQLite syncs the file
only in the pass that reaches the end of the WAL, so the second pass, during which no write
can commit, would flush every page the thread copied and (`--durability normal`) sync every
frame written meanwhile: 5-13 ms, measured, against ~1 ms now.

The WAL runs to 10,000 pages (~40 MB) before a checkpoint, not SQLite's 1,000: a page written
many times between two checkpoints (inner b-tree pages, the table counters, a busy leaf) is
copied into the database once. Side by side with 1,000 (bench/README.md): PutItem +15%,
UpdateItem +7%, BatchWriteItem +3% at 16 connections, with lower p99s.

The thread runs at niceness 5. Where the server has one core, the first pass's copy (22-54 ms
for a full WAL under BatchWriteItem at 16 connections) took half of it, and every request in
flight meanwhile took 10-20 ms longer: the BatchWriteItem p99. At niceness 5 the loop keeps
about three quarters of the core: p99 22.7 -> 16.9 and 24.6 -> 19.4 ms, PutItem 6.6 -> 6.2 ms,
throughput unchanged (side by side, 6 rounds each). At 10, -5% batches/s; at 19 p99 24 -> 67
ms (not analysed: likely the starved pass leaves more for the second, which runs on the loop).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from lumadb import idle_poll
from lumadb.storage.sqlite import Clock, apsw, close_connection
from lumadb.storage.sqlite_files import sync_database_file

log = logging.getLogger("lumadb.storage")

PAGES = 10_000  # WAL pages that start a checkpoint
FEW = 16  # a pass that copies no more is the thread's last
NICENESS = 5  # the checkpoint thread's, above the thread that starts it (see above)


class Checkpoints:
    def __init__(self, connect: Callable[[], tuple[apsw.Connection, Clock]], *, sync: bool = True) -> None:
        self._connect = connect
        self._sync = sync  # False: the files are thrown away (--memory), nothing to sync
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="lumadb-checkpoint", initializer=_lower_priority)
        self._conn: apsw.Connection | None = None
        self._running = False  # the first pass is on the thread
        self._second_due = False  # the first pass returned: the next COMMIT finishes
        self._pages = 0  # frames in the WAL after the last COMMIT
        self._next_at = PAGES
        self.frame_commits = 0  # COMMITs that wrote frames (one that changed nothing writes none)

    def attach(self, conn: apsw.Connection) -> None:
        """Take over the writer connection's checkpoints (the hook replaces SQLite's own)."""
        conn.set_wal_hook(self._hook)

    def _hook(self, _conn: apsw.Connection, _name: str, pages: int) -> int:
        self.frame_commits += 1
        if pages < self._pages:  # the WAL started over
            self._next_at = PAGES
        self._pages = pages
        return apsw.SQLITE_OK

    def after_commit(self, conn: apsw.Connection) -> None:
        """Right after a COMMIT on `conn`, before the next write can start."""
        if self._second_due:
            self._second_due = False
            try:
                conn.wal_checkpoint(mode=apsw.SQLITE_CHECKPOINT_PASSIVE)
            except apsw.Error as exc:  # another connection is checkpointing: the next round will do
                log.debug("checkpoint: %s", exc)
            return
        if self._pages >= self._next_at and not self._running:
            # A reader still on old frames can keep the WAL from starting over: then try again
            # only after as many pages more, not after every commit.
            self._next_at = self._pages + PAGES
            self._running = True
            self._thread.submit(self._first_pass)

    def _first_pass(self) -> None:
        idle_poll.hold(self)  # the loop should not poll while this thread works
        try:
            if self._conn is None:
                self._conn = self._connect()[0]
            done_before, copied_before = 0, float("inf")
            for _ in range(10):
                _, done = self._conn.wal_checkpoint(mode=apsw.SQLITE_CHECKPOINT_PASSIVE)
                if self._sync:
                    sync_database_file(self._conn)
                copied = done - done_before
                # A short pass (so a short sync: little came meanwhile), or writes outpacing
                # the passes: the second pass takes over.
                if copied <= FEW or copied >= copied_before:
                    break
                done_before, copied_before = done, copied
        except apsw.BusyError:  # another connection checkpoints (another worker process): its turn
            log.debug("checkpoint skipped: another connection is checkpointing")
        except (apsw.Error, OSError) as exc:
            log.warning("checkpoint failed: %s", exc)
        finally:
            idle_poll.release(self)
            self._running = False
            self._second_due = True

    @property
    def busy(self) -> bool:
        """The first pass is running on the thread."""
        return self._running

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        if self._conn is not None:
            close_connection(self._conn)
            self._conn = None


def _lower_priority() -> None:
    """Raise the calling thread's niceness. Linux schedules each thread as a task of its own:
    the process's other threads keep theirs (elsewhere the call would renice the process)."""
    if not sys.platform.startswith("linux"):
        return
    thread = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + NICENESS))
    except OSError as exc:  # not permitted here: the thread runs at the process's niceness
        log.debug("checkpoint thread niceness: %s", exc)


def sync_file(path: str) -> None:
    """fdatasync a file by its path (no write access needed). Only for the `-wal` file, on which
    SQLite takes no lock: closing a second descriptor of the database or `-shm` file would drop
    this process's locks on it (sqlite_files.py)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fdatasync(fd)
    finally:
        os.close(fd)
