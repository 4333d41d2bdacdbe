"""A job whose failure ends the whole transaction (ON CONFLICT ROLLBACK, RAISE(ROLLBACK) in a
trigger) fails alone: the other jobs of its group, undone with it, run again and succeed, on
the writer thread and on the event loop alike. And a job whose statement stops part-way
(a row whose text is not valid UTF-8) fails without holding up the group."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lumadb.sql.text import InvalidText, fetch_rows
from lumadb.storage.executor import Database
from lumadb.storage.jobs import changes_last
from lumadb.storage.sqlite import apsw

SCHEMA = """
CREATE TABLE ok (k INTEGER PRIMARY KEY);
CREATE TABLE u (a PRIMARY KEY ON CONFLICT ROLLBACK);
INSERT INTO u VALUES (1);
CREATE TABLE guarded (a);
CREATE TRIGGER no_sevens BEFORE INSERT ON guarded WHEN new.a = 7 BEGIN SELECT RAISE(ROLLBACK, 'no sevens'); END;
"""


@pytest.fixture(params=["normal", "full"])
def db(tmp_path: Path, request: pytest.FixtureRequest):
    database = Database(tmp_path / "x.sqlite", durability=request.param)
    database.write_blocking(lambda c: c.execute(SCHEMA))
    yield database
    database.close()


def insert_ok(conn, k: int) -> int:
    conn.execute("INSERT INTO ok VALUES (?)", (k,))
    return k


def duplicate(conn) -> None:
    conn.execute("INSERT INTO u VALUES (1)")


def seven(conn) -> None:
    conn.execute("INSERT INTO guarded VALUES (7)")


def bad_text(conn) -> list:
    return fetch_rows(conn.execute("INSERT INTO guarded VALUES (CAST(x'ff61' AS TEXT)) RETURNING a"))


def rows(db: Database) -> list[int]:
    return db.read_now(lambda c: [k for (k,) in c.execute("SELECT k FROM ok ORDER BY k")])


@pytest.mark.parametrize("short", [True, False], ids=["event-loop", "writer-thread"])
def test_a_transaction_wide_rollback_fails_only_its_own_job(db: Database, short: bool) -> None:
    write = db.write_short if short else db.write

    async def main() -> list:
        jobs = []
        for k in range(24):
            jobs.append(write(insert_ok, k))
            if k % 8 == 3:
                jobs.append(write(duplicate))
            if k % 8 == 6:
                jobs.append(write(seven))
        return await asyncio.wait_for(asyncio.gather(*jobs, return_exceptions=True), 20)

    results = asyncio.run(main())
    assert [r for r in results if isinstance(r, int)] == list(range(24))
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 6
    assert sum(isinstance(e, apsw.ConstraintError) and "u.a" in str(e) for e in errors) == 3
    assert sum("no sevens" in str(e) for e in errors) == 3
    assert rows(db) == list(range(24))  # every acknowledged write is there
    assert db.read_now(lambda c: c.execute("SELECT count(*) FROM guarded").fetchone()[0]) == 0


@pytest.mark.parametrize("short", [True, False], ids=["event-loop", "writer-thread"])
def test_invalid_text_in_returning_fails_its_job_and_nothing_hangs(db: Database, short: bool) -> None:
    write = db.write_short if short else db.write

    async def main() -> list:
        jobs = [write(insert_ok, k) if k % 3 else write(bad_text) for k in range(30)]
        return await asyncio.wait_for(asyncio.gather(*jobs, return_exceptions=True), 20)

    results = asyncio.run(main())
    assert all(isinstance(r, InvalidText) for r in results[::3])
    assert [r for r in results if isinstance(r, int)] == [k for k in range(30) if k % 3]
    assert rows(db) == [k for k in range(30) if k % 3]
    assert db.read_now(lambda c: c.execute("SELECT count(*) FROM guarded").fetchone()[0]) == 0


@changes_last
def insert_then_check(conn, k: int) -> int:
    """Fails before its change when k is odd, after it when k is a multiple of 4."""
    if k % 2:
        raise ValueError(f"refused {k}")
    conn.execute("INSERT INTO ok VALUES (?)", (k,))
    if k % 4 == 0:
        raise ValueError(f"too late {k}")
    return k


def test_a_job_without_a_savepoint_that_fails_late_fails_alone(db: Database) -> None:
    """`changes_last` jobs run without a SAVEPOINT: one that fails before its change leaves
    the group's transaction as it was; one that fails after its change has the group rolled
    back and the other jobs run again."""

    async def main() -> list:
        jobs = [db.write_short(insert_ok, 100 + k) if k % 5 == 0 else db.write_short(insert_then_check, k)
                for k in range(40)]
        return await asyncio.wait_for(asyncio.gather(*jobs, return_exceptions=True), 20)

    results = asyncio.run(main())
    kept = [k for k in range(40) if k % 5 and k % 2 == 0 and k % 4]
    added = [100 + k for k in range(40) if k % 5 == 0]
    assert [r for r in results if isinstance(r, int)] == sorted([*kept, *added], key=lambda v: v % 100)
    failures = [str(r) for r in results if isinstance(r, BaseException)]
    assert sum(f.startswith("refused") for f in failures) == 16
    assert sum(f.startswith("too late") for f in failures) == 8
    assert rows(db) == sorted([*kept, *added])  # no late failure's row, every acknowledged one
