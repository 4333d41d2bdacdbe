"""A request handler waiting for a future is resumed by the future's callback, without a Task
(lumadb/http_protocol.py `_wait`). The connection's protocol holds the waiting handler: nothing
else may (a StreamReader's waiter, say, is only weakly reachable from its transport), and the
garbage collector would destroy the handler, leaving its request unanswered. Found with
`--workers 2`, whose requests passed to another worker read the answer from a Unix socket."""

from __future__ import annotations

import asyncio
import gc
import weakref
from types import SimpleNamespace
from typing import Any

from lumadb.http_protocol import LumaHttpProtocol


def test_a_handler_waiting_on_a_future_nothing_else_holds_survives_a_collection() -> None:
    loop = asyncio.new_event_loop()
    try:
        protocol = LumaHttpProtocol.__new__(LumaHttpProtocol)  # only what _wait and _step use
        protocol.loop = loop
        protocol.idle_poll = SimpleNamespace(waiting=0)  # type: ignore[assignment]
        protocol.waiting = None
        written: list[Any] = []

        def write(_incoming: Any, response: Any) -> bool:
            written.append(response)
            return False  # the connection is done: nothing more to answer

        protocol._write = write  # type: ignore[method-assign,assignment]
        awaited: list[weakref.ref] = []

        async def handler() -> str:
            future = loop.create_future()
            awaited.append(weakref.ref(future))
            return str(await future)

        coro = handler()
        step = coro.send(None)
        protocol._wait(None, coro, step)  # type: ignore[arg-type]
        del coro, step
        gc.collect()
        future = awaited[0]()
        assert future is not None, "the waiting handler was collected"
        future.set_result("answer")
        loop.run_until_complete(asyncio.sleep(0))
        assert written == ["answer"]
        assert protocol.waiting is None and protocol.idle_poll.waiting == 0
    finally:
        loop.close()
