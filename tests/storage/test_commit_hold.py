"""A write group waits a moment for the writers the last sync answered (commit_hold.py)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from lumadb import idle_poll
from lumadb.storage import commit_hold
from lumadb.storage.commit_hold import HOLD_LONGEST, SHORT_JOB, CommitHold
from lumadb.storage.executor import Database
from tests.storage.groups import insert


def _hold_after_a_sync(answered: int, waiting: int, sync_seconds: float) -> CommitHold:
    hold = CommitHold()
    for _ in range(50):  # the moving average settles on the syncs' duration
        hold.sync_started()
        if sync_seconds:
            time.sleep(sync_seconds)
        hold.sync_ended(answered, waiting)
    return hold


def test_a_group_of_short_jobs_waits_for_the_writers_the_last_sync_answered() -> None:
    hold = _hold_after_a_sync(answered=2, waiting=2, sync_seconds=0.002)

    async def main() -> list[bool]:
        loop = asyncio.get_running_loop()
        now = time.perf_counter()
        short = SHORT_JOB / 10
        return [
            hold.holds(loop, 2, 2 * short, now),  # two of the four expected
            hold.holds(loop, 4, 4 * short, now),  # all of them
            hold.holds(loop, 2, 2 * SHORT_JOB, now),  # long jobs: a batch's sync grows with it
            hold.holds(loop, 2, 2 * short, now - HOLD_LONGEST),  # waited long enough
        ]

    assert asyncio.run(main()) == [True, False, False, False]


def test_a_group_waits_no_longer_than_the_syncs_take() -> None:
    hold = _hold_after_a_sync(answered=2, waiting=2, sync_seconds=0)

    async def main() -> bool:
        return hold.holds(asyncio.get_running_loop(), 1, 0.0, time.perf_counter() - HOLD_LONGEST / 10)

    assert hold.sync_time < HOLD_LONGEST / 10
    assert asyncio.run(main()) is False


def test_a_lone_writer_never_waits_nor_while_a_checkpoint_thread_works() -> None:
    lone = _hold_after_a_sync(answered=1, waiting=0, sync_seconds=0.001)
    crowd = _hold_after_a_sync(answered=4, waiting=4, sync_seconds=0.001)
    assert crowd.writers == commit_hold.WRITERS_AWAITED

    async def main() -> list[bool]:
        loop = asyncio.get_running_loop()
        now = time.perf_counter()
        decisions = [lone.holds(loop, 1, 0.0, now), crowd.holds(loop, 1, 0.0, now)]
        idle_poll.hold("checkpoint")
        try:
            decisions.append(crowd.holds(loop, 1, 0.0, now))
        finally:
            idle_poll.release("checkpoint")
        return decisions

    assert asyncio.run(main()) == [False, True, False]


def _writers_in_two_phases(db: Database, clients: int = 4, writes: int = 60) -> float:
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
        await asyncio.wait_for(asyncio.gather(*(client(n) for n in range(clients))), 60)

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
