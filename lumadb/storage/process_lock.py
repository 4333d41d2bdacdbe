"""Fair turns at a database's write lock between the worker processes of `--workers N`.

SQLite's write lock has no queue: a process that waits polls it (SQLite's busy handler sleeps
1, 2, 5, ... up to 100 ms between tries), while the holder, once its COMMIT is done, takes it
again within microseconds for its next group. Under a steady write load from two workers one
of them starves: measured on libSQL INSERTs at 16 connections, a p99 of 367-532 ms and 10 of
~190,000 requests answered with an error.

So the writers of all processes take turns through two `flock` files beside the database: a
writer takes `<db>-wlock` before BEGIN IMMEDIATE and gives it back after COMMIT. A writer that
has to wait for it holds `<db>-wwait` shared meanwhile. While someone waits, nobody takes the
lock without waiting in line too, and a writer giving it back lets the waiter take it before
trying again: the turn passes to the waiter, not back to the writer that just had it.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

HAND_OVER_S = 0.005
SUFFIXES = ("-wlock", "-wwait")


class ProcessLock:
    """One writer's handle on the turn (each writer, even in the same process, opens its own:
    `flock` excludes open files, not processes)."""

    def __init__(self, db_path: Path) -> None:
        self._path = db_path
        self._lock = self._wait = -1
        self._open()

    def _open(self) -> None:
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
        self._lock = os.open(f"{self._path}{SUFFIXES[0]}", flags, 0o644)
        self._wait = os.open(f"{self._path}{SUFFIXES[1]}", flags, 0o644)

    def try_acquire(self) -> bool:
        """Take the turn if it is free and nobody is waiting for it."""
        if self._lock < 0:  # closed while its database was idle: open again
            self._open()
        if self._someone_waits():
            return False
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def acquire(self) -> None:
        """Take the turn, waiting in line for it (blocks the calling thread, not the GIL)."""
        if self.try_acquire():
            return
        fcntl.flock(self._wait, fcntl.LOCK_SH)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX)
        finally:
            fcntl.flock(self._wait, fcntl.LOCK_UN)

    def release(self, *, hand_over: bool = True) -> None:
        """Give the turn back. A blocked `flock` is only woken to try again, so the writer
        giving it back, if it tried at once, could take it first: with `hand_over` it waits
        (at most HAND_OVER_S) until a waiting writer has it. Without, the caller must not
        block (the event loop); `try_acquire` still lets a waiter go first."""
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        if hand_over:
            deadline = time.monotonic() + HAND_OVER_S
            while self._someone_waits() and time.monotonic() < deadline:
                time.sleep(0.00005)

    def _someone_waits(self) -> bool:
        try:
            fcntl.flock(self._wait, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self._wait, fcntl.LOCK_UN)
        return False

    def close(self) -> None:
        """Close both files; `try_acquire` opens them again."""
        if self._lock >= 0:
            os.close(self._lock)
            os.close(self._wait)
            self._lock = self._wait = -1
