"""Writers of different processes take turns at a database's write lock (process_lock.py).
`flock` excludes open files, so two ProcessLocks in one process stand for two processes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from lumadb.storage.process_lock import ProcessLock


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    a, b = ProcessLock(tmp_path / "x.sqlite"), ProcessLock(tmp_path / "x.sqlite")
    assert a.try_acquire()
    assert not b.try_acquire()
    a.release()
    assert b.try_acquire()
    b.release()


def test_a_waiting_writer_has_the_next_turn(tmp_path: Path) -> None:
    a, b, c = (ProcessLock(tmp_path / "x.sqlite") for _ in range(3))
    order: list[str] = []
    a.acquire()

    def waiter() -> None:
        b.acquire()
        order.append("b")
        time.sleep(0.05)
        b.release()

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.1)  # b waits in line now
    a.release()
    assert not c.try_acquire()  # taken, or someone waits for it: never jumps the line
    a.acquire()  # the writer that just had its turn queues behind the waiter
    order.append("a")
    a.release()
    thread.join()
    assert order == ["b", "a"]
