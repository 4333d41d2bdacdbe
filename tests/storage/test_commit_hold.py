"""Short writes are held back a moment for the writers the last sync answered (commit_hold.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from lumadb import idle_poll
from lumadb.storage import commit_hold, loop_writer
from lumadb.storage.commit_hold import HOLD_LONGEST, SHORT_JOB, STALE, CommitHold
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import apsw
from tests.storage.groups import insert


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(commit_hold, "_clock", fake)
    return fake


def _after_syncs(clock: FakeClock, answered: int, waiting: int, sync: float, job: float = SHORT_JOB / 10) -> CommitHold:
    hold = CommitHold()
    for _ in range(50):  # the moving average settles on the syncs' duration
        hold.sync_started()
        clock.now += sync
        hold.sync_ended(answered, waiting, answered * job)
    return hold


def _decisions(*checks: Callable[[asyncio.AbstractEventLoop], bool]) -> list[bool]:
    async def main() -> list[bool]:
        loop = asyncio.get_running_loop()
        return [check(loop) for check in checks]

    return asyncio.run(main())


def test_short_writes_wait_for_the_writers_the_last_sync_answered(clock: FakeClock) -> None:
    hold = _after_syncs(clock, answered=2, waiting=2, sync=200e-6)
    now = clock.now
    assert _decisions(
        lambda loop: hold.holds(loop, 2, now),  # two of the four expected
        lambda loop: hold.holds(loop, 4, now),  # all of them
        lambda loop: hold.holds(loop, 2, now - 200e-6),  # waited as long as a sync takes
    ) == [True, False, False]


def test_writes_after_long_jobs_do_not_wait(clock: FakeClock) -> None:
    # a 25-item batch: its sync grows with the group, and merging gains nothing
    hold = _after_syncs(clock, answered=2, waiting=2, sync=200e-6, job=2 * SHORT_JOB)
    assert _decisions(lambda loop: hold.holds(loop, 1, clock.now)) == [False]


def test_writes_wait_no_longer_than_the_syncs_take_nor_after_an_idle_spell(clock: FakeClock) -> None:
    hold = _after_syncs(clock, answered=2, waiting=2, sync=20e-6)
    now = clock.now
    assert _decisions(
        lambda loop: hold.holds(loop, 1, now - 10e-6),
        lambda loop: hold.holds(loop, 1, now - 30e-6),
    ) == [True, False]
    clock.now += STALE * 1.01
    assert _decisions(lambda loop: hold.holds(loop, 1, clock.now)) == [False]


def test_one_slow_sync_does_not_lengthen_the_wait_for_long(clock: FakeClock) -> None:
    hold = _after_syncs(clock, answered=2, waiting=2, sync=20e-6)
    hold.sync_started()
    clock.now += 0.1  # behind a checkpoint's database sync
    hold.sync_ended(2, 2, 0.0)
    assert hold.sync_time < 20e-6 + HOLD_LONGEST / 8 + 1e-9


def test_a_lone_writer_never_waits_nor_while_a_checkpoint_thread_works(clock: FakeClock) -> None:
    lone = _after_syncs(clock, answered=1, waiting=0, sync=200e-6)
    crowd = _after_syncs(clock, answered=4, waiting=4, sync=200e-6)
    assert crowd.writers == commit_hold.WRITERS_AWAITED
    now = clock.now

    def during_a_checkpoint(loop: asyncio.AbstractEventLoop) -> bool:
        idle_poll.hold("checkpoint")
        try:
            return crowd.holds(loop, 1, now)
        finally:
            idle_poll.release("checkpoint")

    assert _decisions(
        lambda loop: lone.holds(loop, 1, now), lambda loop: crowd.holds(loop, 1, now), during_a_checkpoint
    ) == [False, True, False]
    crowd.forget()  # the write lock went elsewhere, or the connection was let go
    assert _decisions(lambda loop: crowd.holds(loop, 1, now)) == [False]


@pytest.fixture
def long_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Holds that end when the writers expected have come, whatever this disk's sync time:
    the tests below check the loop writer's side, not the timing."""
    monkeypatch.setattr(commit_hold, "HOLD_LONGEST", 0.05)
    ended = CommitHold.sync_ended

    def sync_ended(self: CommitHold, answered: int, waiting: int, work: float) -> None:
        ended(self, answered, waiting, work)
        self.sync_time = 0.05

    monkeypatch.setattr(CommitHold, "sync_ended", sync_ended)


def _database(tmp_path: Path) -> Database:
    db = Database(tmp_path / "x.sqlite", durability="full")
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))
    return db


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
def test_writers_in_two_phases_share_each_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, long_holds: None, waits: bool
) -> None:
    if not waits:
        monkeypatch.setattr(commit_hold, "WRITERS_AWAITED", 0)
    db = _database(tmp_path)
    try:
        group = _writers_in_two_phases(db)
        rows = db.read_now(lambda c: c.execute("SELECT count(*) FROM t").fetchone()[0])
    finally:
        db.close()
    assert rows == 4 * 60
    if waits:
        assert group > 3.5
    else:
        assert group < 2.5  # the two phases this wait is for


def test_held_back_writes_leave_the_write_lock_free(tmp_path: Path, long_holds: None) -> None:
    """Another connection (a libSQL transaction, the writer thread) can take the write lock
    while writes are held back: they have not begun a transaction yet."""
    db = _database(tmp_path)
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
        _writers_in_two_phases(db, probe=probe)
    finally:
        other.close()
        db.close()
    assert took and all(took), took


def test_a_held_back_write_that_cannot_start_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Held-back writes run from a loop callback: one that fails before its job runs (opening
    the connection, BEGIN) gets that error, and the others still run; none is left waiting."""
    db = _database(tmp_path)
    real_run = loop_writer.LoopWriter._run

    def broken(conn: apsw.Connection) -> None:
        raise AssertionError("never runs")

    def run(self: loop_writer.LoopWriter, loop: asyncio.AbstractEventLoop, fn, args, future, budget_ms=None) -> None:
        if fn is broken:
            raise OSError(24, "Too many open files")
        real_run(self, loop, fn, args, future, budget_ms)

    monkeypatch.setattr(loop_writer.LoopWriter, "_run", run)

    async def main() -> list:
        writer = db._loop_writer
        writer._hold.sync_ended(8, 0, 0.0)  # eight short writers just answered
        writer._hold.sync_time = HOLD_LONGEST
        writes = [db.write_short(broken), db.write_short(insert, 1)]
        assert writer._gathering is not None  # held back
        return await asyncio.wait_for(asyncio.gather(*writes, return_exceptions=True), 10)

    try:
        results = asyncio.run(main())
    finally:
        db.close()
    assert isinstance(results[0], OSError) and results[1] == 1
