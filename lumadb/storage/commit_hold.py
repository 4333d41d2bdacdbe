"""How long a write group waits for the writers it expects before its COMMIT and sync.

With an fsync per commit, a group commits as soon as the loop iteration that opened it ends,
and the requests that arrive during its sync form the next group. A few clients writing in
turn then split into two groups that alternate: the clients answered by one sync send their
next writes while the other group is already committing, so each sync makes half of them
durable (at 4 connections PutItem groups held 1.85 jobs). A group now waits, polling the
loop, for as many writers as the last sync answered plus those that waited for it, but never
longer than the last syncs took (so at most one more sync's time is added to a write), nor
past HOLD_LONGEST.

It waits only for short jobs (single-item writes, not 25-item batches, whose syncs grow with
the group and gain nothing from merging) and for at most WRITERS_AWAITED writers: at 16
connections groups of ~7 already share each sync, and holding them longer left the core
idle. Never while a thread of ours works (a checkpoint, see idle_poll.may_poll) nor with
other processes writing (a held group holds the write lock they wait for).

Side by side with the commit before (bench/README.md): PutItem +19% at 4 connections, +17% at
2, +11% at 8; UpdateItem and libSQL INSERT +16% at 4; 1 and 16 connections and BatchWriteItem
within the noise.
"""

from __future__ import annotations

import asyncio
import time

from lumadb import idle_poll

HOLD_LONGEST = 250e-6  # seconds a group waits at most (longer cost BatchWriteItem throughput)
WRITERS_AWAITED = 8
SHORT_JOB = 50e-6  # seconds of a job's own work, on average, below which a group waits

_clock = time.perf_counter


class CommitHold:
    """One per loop writer: what its last syncs saw."""

    __slots__ = ("_sync_started", "sync_time", "writers")

    def __init__(self) -> None:
        self.writers = 0  # writers expected in the next group
        self.sync_time = 0.0  # a moving average of the syncs' durations, seconds
        self._sync_started = 0.0

    def sync_started(self) -> None:
        self._sync_started = _clock()

    def sync_ended(self, answered: int, waiting: int) -> None:
        """A group's sync returned: `answered` jobs resume, `waiting` ones form the next group."""
        if self._sync_started:
            self.sync_time += (_clock() - self._sync_started - self.sync_time) / 8
            self._sync_started = 0.0
        self.writers = min(answered + waiting, WRITERS_AWAITED)

    def holds(self, loop: asyncio.AbstractEventLoop, jobs: int, work: float, opened: float) -> bool:
        """Whether a group of `jobs` (their own work `work` seconds, opened at `opened`) should
        wait one more loop iteration for more. The loop's other connections are served
        meanwhile."""
        if jobs >= self.writers or work >= SHORT_JOB * jobs:
            return False
        if _clock() - opened >= min(self.sync_time, HOLD_LONGEST) or not idle_poll.may_poll(loop):
            return False
        idle_poll.yield_core()  # another process ready on this core (a Worker in front) goes first
        return True
