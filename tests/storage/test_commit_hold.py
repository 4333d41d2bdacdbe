"""Short writes are held back a moment for the writers the last sync answered (commit_hold.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from lumadb import idle_poll
from lumadb.storage import commit_hold
from lumadb.storage.commit_hold import HOLD_LONGEST, SHORT_JOB, CommitHold
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import apsw
from tests.storage.groups import insert


def _hold_after_a_sync(answered: int, waiting: int, sync_seconds: float, job_seconds: float = 0.0) -> CommitHold:
    hold = CommitHold()
    for _ in range(50):  # the moving average settles on the syncs' duration
        hold.sync_started()
        if sync_seconds:
            time.sleep(sync_seconds)
        hold.sync_ended(answered, waiting, answered * job_seconds)
    return hold


def test_short_writes_wait_for_the_writers_the_last_sync_answered() -> None:
    hold = _hold_after_a_sync(answered=2, waiting=2, sync_seconds=0.002, job_seconds=SHORT_JOB / 10)

    async def main() -> list[bool]:
        loop = asyncio.get_running_loop()
        now = time.perf_counter()
        return [
            hold.holds(loop, 2, now),  # two of the four expected
            hold.holds(loop, 4, now),  # all of them
            hold.holds(loop, 2, now - HOLD_LONGEST),  # waited long enough
        ]

    assert asyncio.run(main()) == [True, False, False]


def test_writes_after_long_jobs_do_not_wait() -> None:
    # a 25-item batch: its sync grows with the group, and merging gains nothing
    hold = _hold_after_a_sync(answered=2, waiting=2, sync_seconds=0.002, job_seconds=SHORT_JOB)

    async def main() -> bool:
        return hold.holds(asyncio.get_running_loop(), 1, time.perf_counter())

    assert not hold.expects_more(1)
    assert asyncio.run(main()) is False


def test_writes_wait_no_longer_than_the_syncs_take() -> None:
    hold = _hold_after_a_sync(answered=2, waiting=2, sync_seconds=0)

    async def main() -> bool:
        return hold.holds(asyncio.get_running_loop(), 1, time.perf_counter() - HOLD_LONGEST / 10)

    assert hold.sync_time < HOLD_LONGEST / 10
    assert asyncio.run(main()) is False


def test_a_lone_writer_never_waits_nor_while_a_checkpoint_thread_works() -> None:
    lone = _hold_after_a_sync(answered=1, waiting=0, sync_seconds=0.001)
    crowd = _hold_after_a_sync(answered=4, waiting=4, sync_seconds=0.001)
    assert crowd.writers == commit_hold.WRITERS_AWAITED

    async def main() -> list[bool]:
        loop = asyncio.get_running_loop()
        now = time.perf_counter()
        decisions = [lone.holds(loop, 1, now), crowd.holds(loop, 1, now)]
        idle_poll.hold("checkpoint")
        try:
            decisions.append(crowd.holds(loop, 1, now))
        finally:
            idle_poll.release("checkpoint")
        return decisions

    assert asyncio.run(main()) == [False, True, False]


def _writers_in_two_phases(
    db: Database, clients: int = 4, writes: int = 60, probe: Callable[[], Awaitable[None]] | None = None
) -> float:
    """Clients writing one write after another, half of them starting a moment later (so that
    without a wait they keep alternating between two groups), each taking a few loop
    iterations before its next write; the mean jobs per commit."""

    async def client(number: int) -> None:
        if number >= clients // 2:
            for _ in range(2):
                await asyncio.sleep(0)
        for k in range(writes):
            await db.write_short(insert, number * 1000 + k)
            for _ in range(3):
                await asyncio.sleep(0)

    async def main() -> None:
        prober = asyncio.ensure_future(probe()) if probe is not None else None
        await asyncio.wait_for(asyncio.gather(*(client(n) for n in range(clients))), 60)
        if prober is not None:
            prober.cancel()

    commits, jobs = db.commits, db.jobs
    asyncio.run(main())
    return (db.jobs - jobs) / (db.commits - commits)


@pytest.mark.parametrize("waits", [True, False])
def test_writers_in_two_phases_share_each_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, waits: bool) -> None:
    if not waits:
        monkeypatch.setattr(commit_hold, "WRITERS_AWAITED", 0)
    db = Database(tmp_path / "x.sqlite", durability="full")
    try:
        db.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))
        group = _writers_in_two_phases(db)
        sync_time = db._loop_writer._hold.sync_time
        rows = db.read_now(lambda c: c.execute("SELECT count(*) FROM t").fetchone()[0])
    finally:
        db.close()
    assert rows == 4 * 60
    if not waits:
        assert group < 2.5  # the two phases this wait is for
    elif sync_time < 20e-6:
        pytest.skip(f"this disk syncs in {sync_time * 1e6:.0f} µs: too fast to wait for")
    else:
        assert group > 3.5


def test_held_back_writes_leave_the_write_lock_free(tmp_path: Path) -> None:
    """Another connection (a libSQL transaction, the writer thread) can take the write lock
    while writes are held back: they have not begun a transaction yet."""
    db = Database(tmp_path / "x.sqlite", durability="full")
    other = apsw.Connection(str(tmp_path / "x.sqlite"))
    other.set_busy_timeout(0)
    took: list[bool] = []

    async def probe() -> None:
        while len(took) < 5:
            if db._loop_writer._gathering:
                try:
                    other.execute("BEGIN IMMEDIATE")
                    other.execute("ROLLBACK")
                    took.append(True)
                except apsw.BusyError:
                    took.append(False)
            await asyncio.sleep(0)

    try:
        db.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))
        _writers_in_two_phases(db, probe=probe)
    finally:
        other.close()
        db.close()
    if not took:
        pytest.skip("no write was held back (a disk too fast to wait for)")
    assert all(took), took
