"""The outbox (lumadb/outbox.py): when a response leaves, in what order, and what a broken or
closed connection does to the others. Transports here are recorders; the protocol around the
outbox is tested over real sockets in test_http_protocol.py."""

from __future__ import annotations

import asyncio

from lumadb.outbox import Outbox


class Recorder:
    def __init__(self, name: str, log: list, *, closing: bool = False, broken: bool = False) -> None:
        self.name, self.log, self.closing, self.broken = name, log, closing, broken

    def is_closing(self) -> bool:
        return self.closing

    def write(self, data: bytes) -> None:
        if self.broken:
            raise RuntimeError("broken transport")
        self.log.append((self.name, data))

    def close(self) -> None:
        self.log.append((self.name, "close"))


async def _next_iteration() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


def test_a_lone_answer_leaves_at_once_and_a_burst_leaves_together() -> None:
    async def main() -> list:
        log: list = []
        outbox = Outbox(asyncio.get_running_loop())
        a, b, c = (Recorder(n, log) for n in "abc")
        outbox.send(a, b"1", False)  # quiet before: written at once
        assert log == [("a", b"1")]
        outbox.send(b, b"2", False)  # a second in the same iteration: held
        outbox.send(c, b"3", True)
        assert log == [("a", b"1")]
        await _next_iteration()
        assert log == [("a", b"1"), ("b", b"2"), ("c", b"3"), ("c", "close")]
        outbox.send(a, b"4", False)  # the last iteration was a burst: even the first waits
        assert log[-1] == ("c", "close")
        await _next_iteration()
        assert log[-1] == ("a", b"4")
        outbox.send(a, b"5", False)  # that iteration had one answer: at once again
        assert log[-1] == ("a", b"5")
        return log

    asyncio.run(main())


def test_closed_and_broken_connections_do_not_keep_the_others_answers() -> None:
    async def main() -> list:
        log: list = []
        outbox = Outbox(asyncio.get_running_loop())
        first, gone, broken, last = (
            Recorder("first", log),
            Recorder("gone", log, closing=True),
            Recorder("broken", log, broken=True),
            Recorder("last", log),
        )
        for transport in (first, gone, broken, last):
            outbox.send(transport, b"x", False)
        await _next_iteration()
        return log

    assert asyncio.run(main()) == [("first", b"x"), ("last", b"x")]


def test_flush_writes_what_is_held_at_once() -> None:
    async def main() -> list:
        log: list = []
        outbox = Outbox(asyncio.get_running_loop())
        a, b = Recorder("a", log), Recorder("b", log)
        outbox.send(a, b"1", False)
        outbox.send(b, b"2", False)
        outbox.flush()  # before a direct write or a close on the connection
        assert log == [("a", b"1"), ("b", b"2")]
        await _next_iteration()
        return log

    assert asyncio.run(main()) == [("a", b"1"), ("b", b"2")]
