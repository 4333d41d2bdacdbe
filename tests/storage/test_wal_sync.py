"""Commits synced by the kernel (wal_sync.py): callers resume only once the WAL is on disk."""

from __future__ import annotations

import asyncio
import ctypes
import errno
import os
import threading
import time
from pathlib import Path

import pytest

from lumadb.storage.executor import Database
from lumadb.storage.wal_sync import WalSync
from tests.kernel_sync import kernel_syncs_asynchronously
from tests.storage.groups import a_group_then_another, insert


@pytest.fixture
def needs_aio(tmp_path: Path) -> None:
    if not kernel_syncs_asynchronously(tmp_path):
        pytest.skip("this kernel has no asynchronous fsync (Linux AIO)")


def _database(tmp_path: Path, committers: list[str] | None = None) -> Database:
    def setup(conn) -> None:
        if committers is not None:
            conn.set_commit_hook(lambda: committers.append(threading.current_thread().name) or False)

    db = Database(tmp_path / "x.sqlite", durability="full", setup=setup)
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))
    return db


def test_wal_sync_reports_each_sync_on_the_loop(tmp_path: Path, needs_aio: None) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"data")

    async def main() -> list:
        loop = asyncio.get_running_loop()
        sync = WalSync.open(loop, str(path))
        assert sync is not None
        outcomes = []
        for _ in range(3):
            done: asyncio.Future = loop.create_future()
            sync.start(done.set_result)
            outcomes.append(await asyncio.wait_for(done, 10))
        sync.close()
        return outcomes

    assert asyncio.run(main()) == [None, None, None]


def test_closing_waits_for_the_sync_in_flight_and_returns_its_outcome(tmp_path: Path, needs_aio: None) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"data")
    called: list = []

    async def main() -> object:
        sync = WalSync.open(asyncio.get_running_loop(), str(path))
        assert sync is not None
        sync.start(called.append)
        return sync.close()

    assert asyncio.run(main()) is None
    assert called == []  # the loop may be gone: the caller finishes the work itself


def test_a_missing_file_gets_no_wal_sync(tmp_path: Path) -> None:
    async def main() -> object:
        return WalSync.open(asyncio.get_running_loop(), str(tmp_path / "missing"))

    assert asyncio.run(main()) is None


def test_a_crowd_commits_on_the_loop_and_resumes_only_after_the_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, needs_aio: None
) -> None:
    """Every sync is held back 0.2 s: no caller may resume before its group's sync is done."""
    real_start = WalSync.start
    synced: list[float] = []

    def slow_start(self: WalSync, done) -> None:
        def later() -> None:
            real_start(self, lambda error: (synced.append(time.monotonic()), done(error)))

        self.loop.call_later(0.2, later)

    monkeypatch.setattr(WalSync, "start", slow_start)
    committers: list[str] = []
    db = _database(tmp_path, committers)
    synchronous: list[int] = []

    def insert_and_look(conn, k: int) -> int:
        synchronous.append(conn.pragma("synchronous"))
        return insert(conn, k)

    async def main() -> list[float]:
        waited = []
        for first in (100, 110, 120):  # eight at a time
            started = time.monotonic()
            await asyncio.gather(*(db.write_short(insert_and_look, k) for k in range(first, first + 8)))
            waited.append(time.monotonic() - started)
        return waited

    try:
        committers.clear()
        waited = asyncio.run(main())
        assert all(seconds >= 0.2 for seconds in waited)
        assert synced  # the groups went through the kernel's sync
        assert committers and set(committers) == {"MainThread"}  # the COMMIT itself is on the loop
        assert set(synchronous) == {1}  # NORMAL: no fsync inside the COMMIT, the kernel's follows
        assert db.read_now(lambda c: c.execute("SELECT count(*) FROM t").fetchone()[0]) == 24
    finally:
        db.close()


def test_a_failed_sync_fails_its_group_and_later_writes_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, needs_aio: None
) -> None:
    real_start = WalSync.start
    failures = [OSError(errno.EIO, "fdatasync: Input/output error")]

    def failing_start(self: WalSync, done) -> None:
        if failures:
            self.loop.call_soon(done, failures.pop())
        else:
            real_start(self, done)

    monkeypatch.setattr(WalSync, "start", failing_start)
    db = _database(tmp_path)
    try:
        results = a_group_then_another(db)
        assert any(isinstance(r, OSError) and r.errno == errno.EIO for r in results[:8])
        assert results[8:] == list(range(10, 18))
    finally:
        db.close()



def test_a_sync_the_kernel_refuses_is_done_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, needs_aio: None
) -> None:
    """The group is already committed: a refused submission must not turn into failed writes."""
    path = tmp_path / "file"
    path.write_bytes(b"data")
    synced_in_place: list[bool] = []

    async def main() -> object:
        loop = asyncio.get_running_loop()
        sync = WalSync.open(loop, str(path))
        assert sync is not None
        real_sync_now = sync.sync_now
        monkeypatch.setattr(sync, "_submit", ctypes.c_long(-1))  # no such system call: ENOSYS
        monkeypatch.setattr(sync, "sync_now", lambda: synced_in_place.append(True) or real_sync_now())
        done: asyncio.Future = loop.create_future()
        sync.start(done.set_result)
        outcome = await asyncio.wait_for(done, 10)
        sync.close()
        return outcome

    assert asyncio.run(main()) is None
    assert synced_in_place == [True]


def test_a_lone_sync_polls_for_the_kernels_sync_unless_a_thread_of_ours_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, needs_aio: None
) -> None:
    """sync_now: the kernel syncs while the caller polls (its signal is consumed: the loop's
    reader does not wake for it); a plain fdatasync while a checkpoint thread holds, or with
    idle polling turned off."""
    from lumadb import idle_poll
    from lumadb.storage import wal_sync

    path = tmp_path / "file"
    path.write_bytes(b"data")
    in_place: list[int] = []
    real_fdatasync = wal_sync.os.fdatasync
    monkeypatch.setattr(wal_sync.os, "fdatasync", lambda fd: in_place.append(fd) or real_fdatasync(fd))

    async def main() -> list:
        sync = WalSync.open(asyncio.get_running_loop(), str(path))
        assert sync is not None
        outcomes = []
        try:
            for _ in range(3):
                path.write_bytes(b"more data")
                outcomes.append(sync.sync_now())
                with pytest.raises(BlockingIOError):
                    wal_sync.os.eventfd_read(sync._efd)
            assert in_place == []
            idle_poll.hold(sync)  # a checkpoint thread at work
            try:
                outcomes.append(sync.sync_now())
            finally:
                idle_poll.release(sync)
            assert len(in_place) == 1
            idle_poll.IdlePoll.of(asyncio.get_running_loop(), 0)  # --idle-poll-us 0
            outcomes.append(sync.sync_now())
            assert len(in_place) == 2
        finally:
            sync.close()
        return outcomes

    assert asyncio.run(main()) == [None] * 5


def test_closed_on_another_thread_the_loop_lets_go_of_its_reader(tmp_path: Path, needs_aio: None) -> None:
    """A database deleted on a worker thread (a libSQL namespace) closes its WalSync there; the
    loop's reader of the completion signal is the loop's to remove (uvloop's libuv handles are
    not thread-safe), and the descriptors close after that."""
    path = tmp_path / "file"
    path.write_bytes(b"data")
    removed_on: list[int] = []

    async def main() -> tuple[int, list[int]]:
        loop = asyncio.get_running_loop()
        sync = WalSync.open(loop, str(path))
        assert sync is not None
        done: asyncio.Future = loop.create_future()
        sync.start(done.set_result)  # the loop now reads the eventfd
        assert await asyncio.wait_for(done, 10) is None
        efd = sync._efd
        remove_reader = loop.remove_reader

        def recording(fd: int) -> bool:
            removed_on.append(threading.get_ident())
            return remove_reader(fd)

        loop.remove_reader = recording  # type: ignore[method-assign]
        await asyncio.to_thread(sync.close)
        for _ in range(200):  # the loop's turn, then the retiring thread's
            await asyncio.sleep(0.01)
            if removed_on and not _is_open(efd):
                break
        return threading.get_ident(), [efd] if _is_open(efd) else []

    loop_thread, still_open = asyncio.run(main())
    assert removed_on == [loop_thread]
    assert still_open == []


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def test_a_group_that_changed_nothing_is_not_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, needs_aio: None
) -> None:
    """A COMMIT that wrote no WAL frame (deletes of missing rows, failed conditions) has nothing
    to make durable: its callers are answered without a sync, alone or in a crowd; a group that
    wrote is synced as before."""
    syncs: list[str] = []
    real_start, real_now = WalSync.start, WalSync.sync_now
    monkeypatch.setattr(WalSync, "start", lambda self, done: (syncs.append("start"), real_start(self, done))[1])
    monkeypatch.setattr(WalSync, "sync_now", lambda self: (syncs.append("now"), real_now(self))[1])
    db = _database(tmp_path)

    def delete_missing(conn, k: int) -> int:
        conn.execute("DELETE FROM t WHERE k = ?", (-k,))
        return conn.changes()

    async def main() -> tuple[list, list, list]:
        alone = [await db.write_short(delete_missing, k) for k in range(5)]
        crowd = await asyncio.gather(*(db.write_short(delete_missing, k) for k in range(8)))
        synced_before = list(syncs)
        wrote = [await db.write_short(insert, k) for k in range(5)]
        return alone + list(crowd), synced_before, wrote

    try:
        nothing, synced_before, wrote = asyncio.run(main())
        assert nothing == [0] * 13
        assert synced_before == []
        assert wrote == list(range(5)) and len(syncs) == 5
    finally:
        db.close()


def test_with_other_processes_writing_a_group_that_changed_nothing_still_syncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, needs_aio: None
) -> None:
    """--workers N: another process may still be syncing a write this job read (a delete that
    found the item it deleted gone), and this process's sync of the shared WAL covers it."""
    syncs: list[str] = []
    real_start, real_now = WalSync.start, WalSync.sync_now
    monkeypatch.setattr(WalSync, "start", lambda self, done: (syncs.append("start"), real_start(self, done))[1])
    monkeypatch.setattr(WalSync, "sync_now", lambda self: (syncs.append("now"), real_now(self))[1])
    db = Database(tmp_path / "x.sqlite", durability="full", cross_process=True)
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))

    def delete_missing(conn, k: int) -> int:
        conn.execute("DELETE FROM t WHERE k = ?", (-k,))
        return conn.changes()

    async def main() -> list:
        return [await db.write_short(delete_missing, k) for k in range(4)]

    try:
        assert asyncio.run(main()) == [0] * 4
        assert len(syncs) == 4
    finally:
        db.close()
