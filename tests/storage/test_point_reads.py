"""Point reads on the event loop share one read transaction per loop iteration, and still see
every write acknowledged before they run (that the WAL still starts over: test_executor)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lumadb.storage.executor import Database
from lumadb.storage.sqlite import apsw


def value(conn: apsw.Connection) -> str | None:
    row = conn.execute("SELECT v FROM t WHERE k = 1").fetchone()
    return row[0] if row else None


def set_value(conn: apsw.Connection, v: str) -> None:
    conn.execute("INSERT OR REPLACE INTO t VALUES (1, ?)", (v,))


@pytest.fixture(params=["normal", "full"])
def db(tmp_path: Path, request: pytest.FixtureRequest):
    database = Database(tmp_path / "x.sqlite", durability=request.param)
    database.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))
    database.write_blocking(set_value, "first")
    yield database
    database.close()


def outside_write(db: Database, v: str) -> None:
    """A commit this Database object does not make (another process, say)."""
    conn = apsw.Connection(str(db.path))
    try:
        set_value(conn, v)
    finally:
        conn.close()


def test_the_reads_of_one_iteration_share_a_snapshot_and_the_next_iteration_takes_a_new_one(db: Database) -> None:
    async def main() -> list:
        seen = [db.read_point(value)]  # the first of an iteration reads alone
        outside_write(db, "second")
        seen.append(db.read_point(value))  # the second begins the shared snapshot
        outside_write(db, "third")
        seen.append(db.read_point(value))  # same iteration: the same snapshot
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        seen.append(db.read_point(value))
        return seen

    assert asyncio.run(main()) == ["first", "second", "second", "third"]


def test_a_read_after_an_acknowledged_write_sees_it_in_the_same_iteration(db: Database) -> None:
    async def main() -> list:
        seen = [db.read_point(value)]
        await db.write_short(set_value, "short")  # the loop writer
        seen.append(db.read_point(value))
        await db.write(set_value, "thread")  # the writer thread
        seen.append(db.read_point(value))
        return seen

    assert asyncio.run(main()) == ["first", "short", "thread"]


def test_reads_that_need_a_transaction_of_their_own_end_the_shared_one(db: Database) -> None:
    def own_transaction(conn: apsw.Connection) -> str | None:
        conn.execute("BEGIN")
        try:
            return value(conn)
        finally:
            conn.execute("COMMIT")

    async def main() -> list:
        seen = [db.read_point(value), db.read_point(value)]
        outside_write(db, "second")
        seen.append(db.read_now(own_transaction))
        seen.append(db.read_point(value))  # a new snapshot
        return seen

    assert asyncio.run(main()) == ["first", "first", "second", "second"]


def test_across_processes_every_point_read_has_its_own_transaction(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite", cross_process=True)
    try:
        db.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))
        db.write_blocking(set_value, "first")

        async def main() -> list:
            seen = [db.read_point(value), db.read_point(value)]
            outside_write(db, "second")
            seen.append(db.read_point(value))
            return seen

        assert asyncio.run(main()) == ["first", "first", "second"]
    finally:
        db.close()
