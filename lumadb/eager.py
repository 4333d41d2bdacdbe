"""Coroutines run eagerly: synchronously up to their first real suspension, and only then, if
they suspend at all, in a Task (a Task per request cost ~5% of a point read's CPU)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any


class Resumed:
    """Continues a coroutine that already ran up to its first suspension, inside a Task."""

    __slots__ = ("coro", "step")

    def __init__(self, coro: Coroutine[Any, Any, Any], step: Any) -> None:
        self.coro = coro
        self.step = step

    def __await__(self) -> Generator[Any, None, Any]:
        coro, step = self.coro, self.step
        while True:
            try:
                yield step  # the Task waits for what the coroutine waits for
            except BaseException as exc:  # the awaited future failed, or the Task was cancelled
                try:
                    step = coro.throw(exc)
                except StopIteration as done:
                    return done.value
                continue
            try:
                step = coro.send(None)
            except StopIteration as done:
                return done.value


def start(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], tasks: set[asyncio.Task]) -> None:
    """Run `coro` now; if it suspends, the rest runs in a Task kept in `tasks` until it ends."""
    try:
        step = coro.send(None)
    except StopIteration:
        return
    task = loop.create_task(_rest(coro, step))
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def _rest(coro: Coroutine[Any, Any, Any], step: Any) -> Any:
    return await Resumed(coro, step)
