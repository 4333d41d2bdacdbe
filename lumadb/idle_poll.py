"""Polling the event loop for a moment after a response, instead of going to sleep at once.

A client that sends its next request right after an answer (one connection, request after
request) finds the server asleep in `epoll_wait`: its core halted, and on a virtual machine
waking a halted vCPU is a trip through the hypervisor that costs more than a point read. For a
short while after each response the loop keeps polling its sockets without blocking (a
callback that schedules itself: the loop then polls with a zero timeout), so that the next
request is read without the halt and the wake-up. Linux does the same for KVM guests with the
`haltpoll` cpuidle governor, and this module follows its rules: a window of at most 200 µs
that grows (from 50 µs, doubling) when a request came just after a window ended in vain, and
halves when the loop then slept longer than the longest window, so that a client slower than
that between requests costs no polling after three of them. Measured side by side
(bench/README.md): GetItem at 1 connection x1.57-1.69 requests/s, with less server CPU per
request (97 -> 84 µs: the wake-up cost more than the polling).

It never polls while a request of the loop waits (for a commit and its fsync, a reader
thread) or a WAL checkpoint runs on its thread: the thread, which wants the GIL now and then,
or the kernel's fsync worker on the same core would wait behind the polling loop (measured:
PutItem x0.87 at 1 connection and x0.92 at 16 polling regardless; with these two rules PutItem
x1.13, UpdateItem x1.06 and BatchWriteItem x1.07 at 1 connection, 16 connections x1.01).
"""

from __future__ import annotations

import asyncio
import os
import time

from lumadb.per_loop import per_loop

GROW_START = 50e-6  # seconds: the first window after a miss

_clock = time.perf_counter
yield_core = getattr(os, "sched_yield", lambda: None)  # let another thread or process ready on this core run
_holders: set[object] = set()  # threads at work that no loop of the process should poll over


def hold(owner: object) -> None:
    """A thread starts work that needs the GIL now and then: no polling until `release`.
    From any thread (a set's add and discard are atomic)."""
    _holders.add(owner)


def release(owner: object) -> None:
    _holders.discard(owner)


def may_poll(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether a wait on `loop` may poll instead of sleeping: no thread of ours at work (see
    `hold`), and polling not turned off (`--idle-poll-us 0`) for the loop's connections."""
    poll = IdlePoll._by_loop.get(loop)
    return not _holders and (poll is None or poll.longest > 0)


class IdlePoll:
    """One per event loop: its connections tell it when they answer and when they read."""

    _by_loop: dict[asyncio.AbstractEventLoop, IdlePoll] = {}

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop, longest_us: float) -> IdlePoll:
        return per_loop(cls._by_loop, loop, lambda: cls(loop, longest_us / 1e6))

    def __init__(self, loop: asyncio.AbstractEventLoop, longest: float) -> None:
        self.loop = loop
        self.longest = longest
        self.window = longest
        self.waiting = 0  # requests of this loop's connections waiting for something
        self._answered_at = 0.0
        self._polling = False

    def answered(self) -> None:
        """A response was written: poll for the next request, if nothing else is going on."""
        if not self.longest or self.waiting:
            return
        self._answered_at = _clock()
        if self.window and not self._polling and not _holders:
            self._polling = True
            self.loop.call_soon(self._poll)

    def received(self) -> None:
        """Bytes arrived. After a window that ended in vain, learn from how long the loop slept."""
        if self._polling or not self._answered_at:
            return
        slept = _clock() - self._answered_at
        self._answered_at = 0.0
        if slept <= self.longest:  # a longer window would have caught this one
            self.window = min(self.longest, max(self.window * 2, GROW_START))
        elif self.window:
            self.window = self.window / 2 if self.window >= GROW_START * 2 else 0.0

    def _poll(self) -> None:
        now = _clock()
        if now - self._answered_at < self.window and not self.waiting and not _holders:
            yield_core()  # another process ready to run on this core (a Worker in front) goes first
            self.loop.call_soon(self._poll)
        else:
            self._polling = False
