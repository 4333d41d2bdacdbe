"""How long writes wait for the other writers expected before they run, so that one sync
makes all of them durable.

With an fsync per commit, a group commits as soon as the loop iteration that opened it ends,
and the writes that arrive during its sync form the next group. A few clients writing in turn
then split into two groups that alternate: the clients one sync answers send their next writes
while the other group is already committing, so each sync makes half of them durable (at 4
connections PutItem groups held 1.85 writes). Now, when a sync returns, the writes that waited
for it, or the first to arrive soon after, are held back a moment (not run yet, so the write
lock stays free) until as many have come as the sync answered plus those that waited, or the
last syncs' time has passed (so a write waits at most about one more sync), or HOLD_LONGEST;
then they run as one group.

Only after groups of short jobs (single-item writes; a 25-item batch's sync grows with its
group, and merging gained nothing), for at most WRITERS_AWAITED writers (at 16 connections
groups of ~7 already share each sync; waiting for more left the core idle), never while a
thread of ours works (a checkpoint, see idle_poll.may_poll), with other processes writing, or
once the last sync is STALE (an idle spell: the writers it answered are no guide any more).

Side by side with the commit before (bench/README.md): PutItem +34% at 4 connections and +14%
at 16, UpdateItem and libSQL INSERT +32% at 4; 1 connection and BatchWriteItem within the
noise.
"""

from __future__ import annotations

import asyncio
import time

from lumadb import idle_poll

HOLD_LONGEST = 250e-6  # seconds writes are held at most
WRITERS_AWAITED = 8
SHORT_JOB = 50e-6  # seconds of a job's own work, on average, below which a group waits

# the writers a sync answered are expected back within this long (a client's round trip: ~100-200
# µs here); a write later than that meets no hold on their account
STALE = 0.002

_clock = time.perf_counter


class CommitHold:
    """One per loop writer: what its last syncs saw."""

    __slots__ = ("_sync_ended", "_sync_started", "short", "sync_time", "writers")

    def __init__(self) -> None:
        self.writers = 0  # writers expected in the next group
        self.short = False  # whether the last group's jobs were short
        self.sync_time = 0.0  # a moving average of the syncs' durations (each at most HOLD_LONGEST)
        self._sync_started = 0.0
        self._sync_ended = 0.0

    def forget(self) -> None:
        """The writers seen so far are no guide to the next ones (idle, or the lock elsewhere)."""
        self.writers = 0

    def sync_started(self) -> None:
        self._sync_started = _clock()

    def sync_ended(self, answered: int, waiting: int, work: float) -> None:
        """A group's sync returned: `answered` jobs, which took `work` seconds, resume, and
        `waiting` ones would form the next group."""
        now = _clock()
        if self._sync_started:
            # (one slow sync, behind a checkpoint's, must not keep writes waiting long after it)
            self.sync_time += (min(now - self._sync_started, HOLD_LONGEST) - self.sync_time) / 8
            self._sync_started = 0.0
        self._sync_ended = now
        self.writers = min(answered + waiting, WRITERS_AWAITED)
        self.short = work < SHORT_JOB * answered

    def expects_more(self, loop: asyncio.AbstractEventLoop, jobs: int) -> bool:
        """Whether a group of `jobs` short ones could wait for more writers: the last sync's
        writers are recent (not before an idle spell), and the loop may poll."""
        return (
            self.short
            and jobs < self.writers
            and _clock() - self._sync_ended < STALE
            and idle_poll.may_poll(loop)
        )

    def holds(self, loop: asyncio.AbstractEventLoop, jobs: int, since: float) -> bool:
        """Whether `jobs`, held back since `since`, should wait one more loop iteration for
        more. The loop's other connections are served meanwhile."""
        if not self.expects_more(loop, jobs):
            return False
        if _clock() - since >= min(self.sync_time, HOLD_LONGEST):
            return False
        idle_poll.yield_core()  # another process ready on this core (a Worker in front) goes first
        return True
