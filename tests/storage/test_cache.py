"""The query cache serves repeated reads and is never stale, whoever writes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lumadb.storage.cache import QueryCache
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import apsw


def test_hits_until_any_connection_commits(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.sqlite")
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(v); INSERT INTO t VALUES (1)"))
    cache = QueryCache(16)
    calls = []

    def read() -> int:
        calls.append(1)
        return db.read_now(lambda c: c.execute("SELECT v FROM t").fetchone()[0])

    assert cache.read_through(db, "q", read) == 1  # the first time: only noted
    assert cache.read_through(db, "q", read) == 1  # the second: cached
    assert cache.read_through(db, "q", read) == 1
    assert len(calls) == 2 and cache.hits == 1

    # A write through our own writer invalidates.
    db.write_blocking(lambda c: c.execute("UPDATE t SET v = 2"))
    assert cache.read_through(db, "q", read) == 2
    assert cache.read_through(db, "q", read) == 2

    # So does a write from an unrelated connection (another process in production).
    other = apsw.Connection(str(tmp_path / "c.sqlite"))
    other.execute("UPDATE t SET v = 3")
    assert cache.read_through(db, "q", read) == 3
    assert len(calls) == 4 and cache.hits == 2
    db.close()


def test_a_read_done_once_costs_no_version_check(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.sqlite")
    checks = []
    version = db.data_version
    db.data_version = lambda: checks.append(1) or version()  # type: ignore[method-assign]
    cache = QueryCache(16)
    for key in ("a", "b", "c"):
        cache.read_through(db, key, lambda k=key: k)
    assert checks == [] and cache.misses == 3
    cache.read_through(db, "a", lambda: "a")
    assert len(checks) == 1
    db.close()


def test_least_recently_used_entries_are_evicted(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.sqlite")
    cache = QueryCache(2)
    for key in ("a", "b", "a", "b", "a", "c", "c"):
        cache.read_through(db, key, lambda k=key: k)
    # a, b noted; a, b stored; a hit; c noted; c stored, evicting b (used less recently than a)
    assert cache.misses == 6 and cache.hits == 1
    assert cache.read_through(db, "a", lambda: "a2") == "a"
    assert cache.read_through(db, "b", lambda: "b2") == "b2"
    db.close()


def test_the_version_is_the_wal_index_marker_and_moves_with_every_commit(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.sqlite")
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(v); INSERT INTO t VALUES (1)"))
    first = db.data_version()
    assert db.data_version() == first
    assert isinstance(first, tuple) and isinstance(first[1], bytes)  # read from the -shm file, no statement
    seen = {first}
    other = apsw.Connection(str(tmp_path / "c.sqlite"))
    for change in ("UPDATE t SET v = v + 1", "DELETE FROM t", "INSERT INTO t VALUES (9)"):
        other.execute(change)
        seen.add(db.data_version())
    db.write_blocking(lambda c: c.execute("UPDATE t SET v = 10"))
    seen.add(db.data_version())
    # a checkpoint that starts the WAL over, then a commit that writes its first frame again
    other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    other.execute("UPDATE t SET v = 11")
    seen.add(db.data_version())
    assert len(seen) == 6
    other.close()
    db.close()


def test_a_read_in_a_shared_snapshot_is_tagged_with_the_snapshot_not_a_later_commit(tmp_path: Path) -> None:
    """Point reads of one loop iteration share a read transaction (`read_point`); another
    process's commit during it must not give the snapshot's old value the newer tag."""
    db = Database(tmp_path / "c.sqlite")
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(v); INSERT INTO t VALUES ('old')"))
    cache = QueryCache(16)

    def read() -> str:
        return db.read_point(lambda c: c.execute("SELECT v FROM t").fetchone()[0])

    async def main() -> list[str]:
        cache.read_through(db, "q", read)  # noted; the iteration's first read, alone
        read()  # the second begins the shared snapshot
        outside = apsw.Connection(str(tmp_path / "c.sqlite"))
        outside.execute("UPDATE t SET v = 'new'")
        outside.close()
        seen = [cache.read_through(db, "q", read)]  # the snapshot's value, stored
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        seen.append(cache.read_through(db, "q", read))  # next iteration: not that entry
        seen.append(cache.read_through(db, "q", read))
        return seen

    assert asyncio.run(main()) == ["old", "new", "new"]
    assert cache.hits == 1
    db.close()


def test_a_database_let_go_and_opened_again_never_matches_an_earlier_version(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.sqlite")
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(v); INSERT INTO t VALUES (1)"))
    before = db.data_version()
    assert db.release_idle()
    # its connections close (the last deletes the -shm file); the next use opens them again
    after = db.data_version()
    assert after != before and isinstance(after[1], bytes)
    assert db.data_version() == after
    apsw.Connection(str(tmp_path / "c.sqlite")).execute("UPDATE t SET v = 2")
    assert db.data_version() != after
    db.close()
