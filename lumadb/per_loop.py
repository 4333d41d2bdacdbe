"""One object per event loop (the idle poller, the outbox): made on first use."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def per_loop(registry: dict[asyncio.AbstractEventLoop, T], loop: asyncio.AbstractEventLoop, make: Callable[[], T]) -> T:
    """`registry`'s object for `loop`, made by `make()` the first time; entries of closed
    loops are dropped then (tests run many loops in one process)."""
    found = registry.get(loop)
    if found is None:
        for old in [old for old in registry if old.is_closed()]:
            del registry[old]
        found = registry[loop] = make()
    return found
