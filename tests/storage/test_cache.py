"""The query cache serves repeated reads and is never stale, whoever writes."""

from __future__ import annotations

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
