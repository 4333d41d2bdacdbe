"""The event loop polls for a moment after a response, and learns when that is in vain
(lumadb/idle_poll.py). On a real event loop, with real time."""

from __future__ import annotations

import asyncio
import time

from lumadb import idle_poll
from lumadb.idle_poll import GROW_START, IdlePoll


def run(coro_fn):
    return asyncio.run(coro_fn())


async def settle(poll: IdlePoll) -> None:
    """Let the poll run out (a window is at most 200 µs)."""
    deadline = time.perf_counter() + 0.5
    while poll._polling and time.perf_counter() < deadline:
        await asyncio.sleep(0)
    assert not poll._polling


async def sleep_past(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        await asyncio.sleep(seconds / 4)


class CountedPoll(IdlePoll):
    polls = 0
    last = 0.0  # when the last turn polled

    def _poll(self) -> None:  # one call per turn of the loop while it polls
        self.polls += 1
        self.last = time.perf_counter()
        super()._poll()


def test_polls_after_an_answer_then_stops() -> None:
    async def main() -> None:
        poll = CountedPoll(asyncio.get_running_loop(), 200e-6)
        poll.answered()
        assert poll._polling
        await asyncio.sleep(0.1)  # nothing else to do: the loop would block in select
        assert not poll._polling
        # it kept turning, without blocking, until the window was over, and then stopped, long
        # before the sleep ended (the number of turns is no measure: a loaded machine, whose
        # core is taken away now and then, manages only two or three in 200 µs, and a turn
        # taken away can last 10 ms)
        assert 190e-6 <= poll.last - poll._answered_at < 0.05

    run(main)


def test_a_slow_client_turns_polling_off_and_a_quick_one_back_on() -> None:
    async def main() -> None:
        poll = IdlePoll(asyncio.get_running_loop(), 200e-6)
        windows = []
        for _ in range(3):  # the next request comes 5 ms after each answer: each window in vain
            poll.answered()
            await settle(poll)
            await sleep_past(0.005)
            poll.received()
            windows.append(poll.window)
        assert windows == [100e-6, 50e-6, 0.0]
        poll.answered()
        assert not poll._polling  # off: no polling at all
        # a quick client (a longest window of 50 ms, so that a loaded machine cannot miss it)
        poll = IdlePoll(asyncio.get_running_loop(), 50e-3)
        poll.window = 0.0
        poll.answered()
        assert not poll._polling
        poll.received()  # at once: a window would have caught it
        assert poll.window == GROW_START
        poll.answered()
        assert poll._polling
        poll.received()  # caught while polling: the window stays
        assert poll.window == GROW_START
        await settle(poll)
        poll.received()  # just after the window: the next one is longer
        assert poll.window == 2 * GROW_START

    run(main)


def test_no_polling_while_a_request_waits_or_a_checkpoint_runs() -> None:
    async def main() -> None:
        poll = IdlePoll(asyncio.get_running_loop(), 200e-6)
        poll.waiting = 1  # another connection's request waits for a commit or a thread
        poll.answered()
        assert not poll._polling
        poll.waiting = 0
        checkpoint = object()
        idle_poll.hold(checkpoint)  # its thread would wait behind the polling loop for the GIL
        try:
            poll.answered()
            assert not poll._polling
        finally:
            idle_poll.release(checkpoint)
        poll.answered()
        assert poll._polling
        poll.waiting = 1  # a request came and waits: polling stops at once
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert not poll._polling

    run(main)


def test_zero_turns_it_off() -> None:
    async def main() -> None:
        poll = IdlePoll(asyncio.get_running_loop(), 0)
        poll.answered()
        poll.received()
        poll.answered()
        assert not poll._polling and poll.window == 0

    run(main)


def test_one_per_loop() -> None:
    async def main() -> tuple[IdlePoll, IdlePoll]:
        loop = asyncio.get_running_loop()
        return IdlePoll.of(loop, 200), IdlePoll.of(loop, 200)

    first, second = run(main)
    assert first is second
    third, _ = run(main)
    assert third is not first
