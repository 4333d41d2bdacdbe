"""How long writes wait for the other writers expected before they run, so that one sync
makes all of them durable.

With an fsync per commit, a group commits as soon as the loop iteration that opened it ends,
and the writes that arrive during its sync form the next group. A few clients writing in turn
then split into two groups that alternate: the clients one sync answers send their next writes
while the other group is already committing, so each sync makes half of them durable (at 4
connections PutItem groups held 1.85 writes). Now, when a sync returns, the writes that waited
for it are held back a moment (not run yet, so the write lock stays free) until as many have
come as the sync answered plus those that waited, or the last syncs' time has passed (so a
write waits at most about one more sync), or HOLD_LONGEST; then they run as one group.

Only after groups of short jobs (single-item writes; a 25-item batch's sync grows with its
group, and merging gained nothing), for at most WRITERS_AWAITED writers (at 16 connections
groups of ~7 already share each sync; waiting for more left the core idle), never while a
thread of ours works (a checkpoint, see idle_poll.may_poll) nor with other processes writing.

Side by side with the commit before (bench/README.md): PutItem +34% at 4 connections and +14%
at 16, UpdateItem and libSQL INSERT +32% at 4; 1 connection and BatchWriteItem within the
noise.
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

    __slots__ = ("_sync_started", "short", "sync_time", "writers")

    def __init__(self) -> None:
        self.writers = 0  # writers expected in the next group
        self.short = False  # whether the last group's jobs were short
        self.sync_time = 0.0  # a moving average of the syncs' durations, seconds
        self._sync_started = 0.0

    def sync_started(self) -> None:
        self._sync_started = _clock()

    def sync_ended(self, answered: int, waiting: int, work: float) -> None:
        """A group's sync returned: `answered` jobs, which took `work` seconds, resume, and
        `waiting` ones would form the next group."""
        if self._sync_started:
            self.sync_time += (_clock() - self._sync_started - self.sync_time) / 8
            self._sync_started = 0.0
        self.writers = min(answered + waiting, WRITERS_AWAITED)
        self.short = work < SHORT_JOB * answered

    def expects_more(self, jobs: int) -> bool:
        """Whether a group of `jobs` short ones could wait for more writers."""
        return self.short and jobs < self.writers

    def holds(self, loop: asyncio.AbstractEventLoop, jobs: int, since: float) -> bool:
        """Whether `jobs`, held back since `since`, should wait one more loop iteration for
        more. The loop's other connections are served meanwhile."""
        if not self.expects_more(jobs) or not idle_poll.may_poll(loop):
            return False
        if _clock() - since >= min(self.sync_time, HOLD_LONGEST):
            return False
        idle_poll.yield_core()  # another process ready on this core (a Worker in front) goes first
        return True
