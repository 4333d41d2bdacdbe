"""The writer: group commit keeps each job atomic; readers see committed data only."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from lumadb.storage import checkpoints, loop_writer
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import apsw
from tests.storage.groups import a_group_then_another


@pytest.fixture
def db(tmp_path: Path):
    database = Database(tmp_path / "x.sqlite", statement_timeout_ms=500)
    database.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))
    yield database
    database.close()


def count(conn) -> int:
    return conn.execute("SELECT count(*) FROM t").fetchone()[0]


def first_row(conn) -> list:
    return conn.execute("SELECT k FROM t WHERE k = 0").fetchall()


def test_concurrent_writes_are_each_atomic(db: Database) -> None:
    def insert(conn, k: int) -> int:
        conn.execute("INSERT INTO t VALUES (?, 'a')", (k,))
        conn.execute("INSERT INTO t VALUES (?, 'b')", (k + 1000,))
        if k % 3 == 0:
            raise ValueError(f"job {k} fails after writing")
        return k

    async def main() -> list:
        return await asyncio.gather(*(db.write(insert, k) for k in range(60)), return_exceptions=True)

    results = asyncio.run(main())
    failed = [r for r in results if isinstance(r, ValueError)]
    assert len(failed) == 20
    # Failed jobs left nothing behind; successful ones left both rows.
    assert db.read_now(count) == 80
    assert db.read_now(lambda c: c.execute("SELECT count(*) FROM t WHERE k % 3 = 0 AND k < 1000").fetchone()[0]) == 0


def test_a_failing_single_job_rolls_back(db: Database) -> None:
    def bad(conn) -> None:
        conn.execute("INSERT INTO t VALUES (1, 'x')")
        conn.execute("INSERT INTO t VALUES (1, 'dup')")

    with pytest.raises(apsw.ConstraintError):
        db.write_blocking(bad)
    assert db.read_now(count) == 0


def test_the_writer_result_arrives_after_commit(db: Database, tmp_path: Path) -> None:
    db.write_blocking(lambda c: c.execute("INSERT INTO t VALUES (5, 'v')"))
    other = apsw.Connection(str(tmp_path / "x.sqlite"))
    assert other.execute("SELECT v FROM t WHERE k = 5").fetchone() == ("v",)


def test_statement_time_limit_interrupts_long_reads(db: Database) -> None:
    forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    started = time.monotonic()
    with pytest.raises(apsw.InterruptError):
        asyncio.run(db.read(lambda c: c.execute(forever).fetchall()))
    assert time.monotonic() - started < 5


def test_readers_run_while_a_write_is_open(db: Database) -> None:
    inside = threading.Event()
    release = threading.Event()

    def slow_write(conn) -> None:
        conn.execute("INSERT INTO t VALUES (7, 'pending')")
        inside.set()
        release.wait(5)

    async def main() -> int:
        writer = asyncio.ensure_future(db.write(slow_write))
        await asyncio.get_running_loop().run_in_executor(None, inside.wait, 5)
        seen = await db.read(count)  # WAL: the reader sees the last commit, not the open write
        release.set()
        await writer
        return seen

    assert asyncio.run(main()) == 0
    assert db.read_now(count) == 1


@pytest.fixture(params=["normal", "full"])
def loop_db(tmp_path: Path, request: pytest.FixtureRequest):
    # Short writes run on the loop; with "full" their COMMIT runs on the commit thread.
    database = Database(tmp_path / "x.sqlite", durability=request.param)
    database.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))
    yield database
    database.close()


def test_short_writes_of_one_loop_iteration_share_a_commit(loop_db: Database) -> None:
    db = loop_db
    def insert(conn, k: int) -> int:
        conn.execute("INSERT INTO t VALUES (?, 'a')", (k,))
        if k == 3:
            conn.execute("INSERT INTO t VALUES (?, 'dup')", (k,))  # fails after writing
        return k

    async def main() -> list:
        return await asyncio.gather(*(db.write_short(insert, k) for k in range(8)), return_exceptions=True)

    commits = db.commits
    results = asyncio.run(main())
    assert results[:3] == [0, 1, 2] and results[4:] == [4, 5, 6, 7]
    assert isinstance(results[3], apsw.ConstraintError)
    assert db.commits == commits + 1  # one commit for the eight of them
    assert db.read_now(lambda c: [k for (k,) in c.execute("SELECT k FROM t ORDER BY k")]) == [0, 1, 2, 4, 5, 6, 7]


def test_a_short_write_queues_while_the_writer_thread_holds_the_lock(loop_db: Database) -> None:
    db = loop_db
    started = threading.Event()

    def slow(conn) -> None:
        conn.execute("INSERT INTO t VALUES (100, 'slow')")
        started.set()
        time.sleep(0.3)

    async def main() -> int:
        slow_write = asyncio.ensure_future(db.write(slow))
        await asyncio.get_running_loop().run_in_executor(None, started.wait)
        # The loop's own connection cannot take the lock now: the job waits its turn on the
        # writer thread instead of failing or blocking the event loop.
        value = await db.write_short(lambda c: c.execute("INSERT INTO t VALUES (101, 'short')") and 101)
        await slow_write
        return value

    assert asyncio.run(main()) == 101
    assert db.read_now(count) == 2


def test_a_short_write_is_acknowledged_only_once_committed(loop_db: Database, tmp_path: Path) -> None:
    db = loop_db
    async def main() -> None:
        await db.write_short(lambda c: c.execute("INSERT INTO t VALUES (7, 'v')"))
        other = apsw.Connection(str(tmp_path / "x.sqlite"))
        assert other.execute("SELECT v FROM t WHERE k = 7").fetchone() == ("v",)
        other.close()

    asyncio.run(main())


def test_short_writes_arriving_during_a_commit_form_the_next_group(loop_db: Database) -> None:
    db = loop_db
    def insert(conn, k: int) -> int:
        conn.execute("INSERT INTO t VALUES (?, 'a')", (k,))
        return k

    async def main() -> list:
        first = [asyncio.ensure_future(db.write_short(insert, k)) for k in range(4)]
        await asyncio.sleep(0)  # the first group's COMMIT starts
        second = [asyncio.ensure_future(db.write_short(insert, k)) for k in range(4, 8)]
        second.append(asyncio.ensure_future(db.write_short(insert, 0)))  # a duplicate fails alone
        return await asyncio.gather(*first, *second, return_exceptions=True)

    commits = db.commits
    results = asyncio.run(main())
    assert results[:8] == list(range(8))
    assert isinstance(results[8], apsw.ConstraintError)
    assert db.commits == commits + 2
    assert db.read_now(count) == 8


def _open_files_under(folder: Path) -> list[str]:
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


def test_close_closes_the_reader_pool_connections(tmp_path: Path) -> None:
    # An open connection keeps a deleted database's disk space allocated.
    folder = tmp_path / "gone"
    folder.mkdir()
    db = Database(folder / "x.sqlite")
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(k)"))

    async def reads() -> list:
        return await asyncio.gather(*(db.read(lambda c: c.execute("SELECT count(*) FROM t").fetchall())
                                      for _ in range(8)))

    assert asyncio.run(reads()) == [[(0,)]] * 8
    assert _open_files_under(folder)
    db.close()
    assert _open_files_under(folder) == []


@pytest.mark.parametrize("point_reads", [False, True])
@pytest.mark.parametrize("durability", ["normal", "full"])
def test_the_wal_starts_over_while_short_writes_go_on(
    durability: str, point_reads: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loop writer checkpoints in two passes (lumadb/storage/checkpoints.py): the WAL must
    # still start over, or it would grow with every write. A snapshot held on would keep it
    # from starting over: the point reads' shared one (read_point) ends with its loop
    # iteration, and before the loop writer commits.
    monkeypatch.setattr(checkpoints, "PAGES", 1000)
    sizes: list[int] = []  # the WAL's frames after each commit of the loop writer
    hook = checkpoints.Checkpoints._hook

    def watched(self: checkpoints.Checkpoints, conn: object, name: str, pages: int) -> int:
        sizes.append(pages)
        return hook(self, conn, name, pages)

    monkeypatch.setattr(checkpoints.Checkpoints, "_hook", watched)
    db = Database(tmp_path / "x.sqlite", durability=durability)
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))
    blob = b"x" * 3000  # about a page per row

    async def main() -> None:
        for start in range(0, 12000, 20):
            writes = asyncio.gather(*(db.write_short(lambda c, k=k: c.execute(
                "INSERT INTO t VALUES (?, ?)", (k, blob))) for k in range(start, start + 20)))
            if point_reads:
                db.read_point(first_row)
                db.read_point(first_row)  # its snapshot is open when the group commits
            await writes

    asyncio.run(main())
    wal = tmp_path / "x.sqlite-wal"
    # 12,000 pages written, a checkpoint every 1,000: the WAL started over on the way (3 to 9
    # times, measured; how far it grows in between depends on how fast the disk syncs and how
    # busy the machine is, so its size is bounded only by what it would be without a restart)
    restarts = sum(1 for before, after in zip(sizes, sizes[1:], strict=False) if after < before)
    assert restarts >= 1, sizes[-20:]
    assert wal.stat().st_size < 12000 * 4120
    assert db.read_now(count) == 12000
    assert db.read_now(lambda c: c.execute("PRAGMA integrity_check").fetchone()[0]) == "ok"
    db.close()


def test_without_asynchronous_fsync_a_lone_writer_commits_on_the_loop_and_a_crowd_on_the_commit_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loop_writer.WalSync, "open", classmethod(lambda cls, loop, path: None))
    committers: list[str] = []
    synchronous: list[int] = []

    def committing() -> bool:
        committers.append(threading.current_thread().name)
        return False  # go on with the COMMIT

    def setup(conn) -> None:
        conn.set_commit_hook(committing)

    db = Database(tmp_path / "x.sqlite", durability="full", setup=setup)
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))

    def insert(conn, k: int) -> int:
        conn.execute("INSERT INTO t VALUES (?, 'a')", (k,))
        synchronous.append(conn.pragma("synchronous"))
        return k

    async def main() -> None:
        for k in range(5):  # one at a time
            await db.write_short(insert, k)
        lone = committers[-2:]
        committers.clear()
        for first in (100, 110, 120):  # eight at a time
            await asyncio.gather(*(db.write_short(insert, k) for k in range(first, first + 8)))
        assert lone == ["MainThread", "MainThread"]
        assert committers and all(name.startswith("lumadb-commit") for name in committers)
        assert set(synchronous) == {2}  # FULL: SQLite syncs inside the COMMIT

    try:
        asyncio.run(main())
        assert db.read_now(count) == 29
    finally:
        db.close()


def test_a_writer_that_cannot_open_the_database_fails_its_callers(tmp_path: Path) -> None:
    opened: list[int] = []

    def setup(conn) -> None:
        opened.append(1)
        if len(opened) == 1:
            raise apsw.FullError("database or disk is full")

    db = Database(tmp_path / "x.sqlite", setup=setup)
    try:
        with pytest.raises(apsw.FullError):  # an error, not a wait without end
            db.write_blocking(lambda c: c.execute("CREATE TABLE t(k)"))
        db.write_blocking(lambda c: c.execute("CREATE TABLE t(k)"))  # the next write opens it again
        assert db.read_now(lambda c: c.execute("SELECT count(*) FROM t").fetchone()[0]) == 0
    finally:
        db.close()


def test_a_commit_that_fails_unexpectedly_on_the_commit_thread_fails_its_group_and_later_writes_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loop_writer.WalSync, "open", classmethod(lambda cls, loop, path: None))
    db = Database(tmp_path / "x.sqlite", durability="full")
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))
    broken = [True]
    real = checkpoints.Checkpoints.after_commit

    def after_commit(self: checkpoints.Checkpoints, conn: apsw.Connection) -> None:
        if broken and threading.current_thread().name == "lumadb-commit":
            broken.clear()
            raise RuntimeError("a bug")
        real(self, conn)

    monkeypatch.setattr(checkpoints.Checkpoints, "after_commit", after_commit)
    try:
        results = a_group_then_another(db)
        assert any(isinstance(r, RuntimeError) for r in results[:8])
        assert results[8:] == list(range(10, 18))
    finally:
        db.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")
def test_the_checkpoint_thread_runs_nicer_than_the_rest_of_the_process() -> None:
    # On one core the checkpoint's copy shared it half and half with the event loop (the
    # BatchWriteItem p99); its thread yields more of it, the process's other threads do not.
    ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    passes = checkpoints.Checkpoints(lambda: (_ for _ in ()).throw(AssertionError("no connection needed")))
    try:
        theirs = passes._thread.submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())).result()
    finally:
        passes.close()
    assert theirs == min(19, ours + checkpoints.NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == ours


def test_borrowing_an_idle_connection_never_opens_one(db: Database) -> None:
    """A libSQL stream pinned on the event loop takes an idle connection or none (opening one
    is a thread's work)."""
    held = []
    while (entry := db.borrow_idle_connection()) is not None:
        held.append(entry)
    assert db.borrow_idle_connection() is None
    opened = db.borrow_connection()  # (a new one: none is idle)
    assert count(opened[0]) == 0
    assert db.give_back(opened)
    assert db.borrow_idle_connection() == opened
    for conn, _ in [*held, opened]:
        conn.close()
