"""Database names never become paths outside the data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumadb.config import Config
from lumadb.storage.databases import DatabaseRegistry, InvalidDatabaseName, validate_name


@pytest.mark.parametrize(
    "name",
    ["", "..", "../../etc/passwd", "a/b", "a\\b", "a\x00b", "a\nb", "tab\there", ".hidden", "x" * 129, "a..b"],
)
def test_unsafe_names_are_rejected(name: str) -> None:
    with pytest.raises(InvalidDatabaseName):
        validate_name(name)


@pytest.mark.parametrize("name", ["default", "my-db", "my_db.v2", "A1", "x" * 128])
def test_ordinary_names_are_accepted(name: str) -> None:
    assert validate_name(name) == name


def test_files_stay_under_the_data_dir(tmp_path: Path) -> None:
    registry = DatabaseRegistry(Config(data_dir=tmp_path / "data"))
    assert registry.path_for("libsql", "main") == (tmp_path / "data" / "libsql" / "main.sqlite").resolve()
    assert registry.path_for("dynamodb", "") == (tmp_path / "data" / "dynamodb.sqlite").resolve()
    with pytest.raises(InvalidDatabaseName):
        registry.open("libsql", "../../escape")
    assert not (tmp_path / "escape.sqlite").exists()
    registry.close_all()


def test_delete_removes_the_files(tmp_path: Path) -> None:
    registry = DatabaseRegistry(Config(data_dir=tmp_path))
    db = registry.open("libsql", "gone")
    db.write_blocking(lambda conn: conn.execute("CREATE TABLE t(x)"))
    assert registry.names("libsql") == ["gone"]
    assert registry.delete("libsql", "gone")
    assert registry.names("libsql") == []
    assert not registry.delete("libsql", "gone")
    registry.close_all()


def test_removing_from_the_event_loop_answers_pending_writes_on_the_loop(tmp_path: Path) -> None:
    """`remove` commits the writes of the open group on the loop (their futures are the loop's),
    and only the closings and the unlinks go to a thread."""
    import asyncio
    import threading

    committers: list[str] = []

    def setup(conn) -> None:
        conn.set_commit_hook(lambda: committers.append(threading.current_thread().name) or False)

    registry = DatabaseRegistry(Config(data_dir=tmp_path))
    db = registry.open("libsql", "busy", setup=setup)
    db.write_blocking(lambda conn: conn.execute("CREATE TABLE t(x)"))

    async def run() -> tuple[list, bool]:
        writes = [db.write_short(lambda conn, k=k: conn.execute("INSERT INTO t VALUES (?)", (k,)) and k) for k in range(3)]
        committers.clear()
        removed = await registry.remove("libsql", "busy")  # in the same iteration: the group is open
        return await asyncio.gather(*writes, return_exceptions=True), removed

    results, removed = asyncio.run(run())
    assert removed
    assert all(not isinstance(r, BaseException) for r in results), results
    assert committers == ["MainThread"]  # the open group's COMMIT, on the loop
    assert registry.names("libsql") == []
    assert not (tmp_path / "libsql" / "busy.sqlite-wal").exists()
    registry.close_all()


def test_a_database_opened_again_while_its_remove_unlinks_keeps_its_new_files(tmp_path: Path) -> None:
    """A namespace recreated at once under the name a DELETE is still unlinking on its thread:
    the new database's files are not the ones unlinked."""
    import asyncio
    import time

    registry = DatabaseRegistry(Config(data_dir=tmp_path))
    db = registry.open("libsql", "again")
    db.write_blocking(lambda conn: conn.execute("CREATE TABLE old(x)"))
    unlink = registry._remove_files

    def slow_unlink(kind: str, name: str) -> bool:
        time.sleep(0.3)  # the thread is still at work when the name is opened again
        return unlink(kind, name)

    registry._remove_files = slow_unlink  # type: ignore[method-assign]

    async def run() -> list:
        removal = asyncio.create_task(registry.remove("libsql", "again"))
        await asyncio.sleep(0.1)
        assert not registry.exists("libsql", "again")  # gone for the API from the DELETE on
        new = registry.open("libsql", "again")
        await new.write(lambda conn: conn.execute("CREATE TABLE new(x)"))
        await removal
        return await new.read(lambda conn: conn.execute("SELECT name FROM sqlite_schema").fetchall())

    assert asyncio.run(run()) == [("new",)]
    assert (tmp_path / "libsql" / "again.sqlite").exists()
    registry.close_all()


def test_waiting_for_a_remove_to_finish_leaves_the_loop_running(tmp_path: Path) -> None:
    """A namespace CREATE waits in `removed` for a DELETE of the same name still unlinking on
    its thread, and the loop answers other requests meanwhile."""
    import asyncio
    import time

    registry = DatabaseRegistry(Config(data_dir=tmp_path))
    registry.open("libsql", "again").write_blocking(lambda conn: conn.execute("CREATE TABLE old(x)"))
    unlink = registry._remove_files

    def slow_unlink(kind: str, name: str) -> bool:
        time.sleep(0.3)
        return unlink(kind, name)

    registry._remove_files = slow_unlink  # type: ignore[method-assign]

    async def run() -> int:
        removal = asyncio.create_task(registry.remove("libsql", "again"))
        await asyncio.sleep(0.05)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticking = asyncio.create_task(ticker())
        await registry.removed("libsql", "again")
        ticking.cancel()
        assert not (tmp_path / "libsql" / "again.sqlite").exists()
        await removal
        return ticks

    assert asyncio.run(run()) >= 5
    registry.close_all()


def test_a_request_that_found_a_deleted_database_does_not_open_it_again(tmp_path: Path) -> None:
    """A request holding the Database from before its DELETE: its reads and writes fail with
    DatabaseClosed (a protocol error), and no new empty file takes the deleted one's place."""
    import asyncio

    from lumadb.storage.executor import DatabaseClosed

    registry = DatabaseRegistry(Config(data_dir=tmp_path))
    db = registry.open("d1", "late")
    db.write_blocking(lambda conn: conn.execute("CREATE TABLE t(x)"))
    assert registry.delete("d1", "late")

    async def late() -> list[str]:
        failures = []
        for attempt in (lambda: db.read_now(lambda c: c.execute("SELECT 1").fetchall()),
                        lambda: db.read_point(lambda c: c.execute("SELECT 1").fetchall()),
                        lambda: db.read(lambda c: c.execute("SELECT 1").fetchall()),
                        lambda: db.write(lambda c: c.execute("INSERT INTO t VALUES (1)")),
                        lambda: db.write_short(lambda c: c.execute("INSERT INTO t VALUES (1)"))):
            try:
                outcome = attempt()
                if asyncio.isfuture(outcome) or asyncio.iscoroutine(outcome):
                    await outcome
            except DatabaseClosed:
                failures.append("closed")
        return failures

    assert asyncio.run(late()) == ["closed"] * 5
    assert registry.names("d1") == []
    assert not any((tmp_path / "d1").iterdir())
    registry.close_all()


def test_memory_mode_uses_a_temporary_directory_removed_at_close(tmp_path: Path) -> None:
    registry = DatabaseRegistry(Config(memory=True, data_dir=tmp_path / "unused"))
    root = registry.root
    registry.open("libsql", "x").write_blocking(lambda conn: conn.execute("CREATE TABLE t(x)"))
    assert root.exists() and not (tmp_path / "unused").exists()
    registry.close_all()
    assert not root.exists()


def test_data_version_never_repeats_across_an_idle_release(tmp_path: Path) -> None:
    """A released database's next connection starts PRAGMA data_version over; the versions it
    reports must not repeat one reported before (D1 time travel compares them to decide whether
    anything changed since its last bookmark)."""
    import asyncio

    import apsw

    registry = DatabaseRegistry(Config(data_dir=tmp_path))
    db = registry.open("d1", "versions")
    db.write_blocking(lambda conn: conn.execute("CREATE TABLE t (x)"))

    async def run() -> list[int]:
        seen = [db.data_version()]
        for round_ in range(3):
            assert db.release_idle()
            with apsw.Connection(str(db.path)) as other:  # another process's commit meanwhile
                # (the released connections close, and the last one checkpoints, on a thread:
                # another process waits for its lock as SQLite's busy handler lets it)
                other.set_busy_timeout(5000)
                other.execute("INSERT INTO t VALUES (?)", (round_,))
            version = db.data_version()
            assert version not in seen, (version, seen)
            seen.append(version)
        return seen

    asyncio.run(run())
    registry.close_all()


def test_a_sweep_lets_go_of_many_databases_a_slice_per_loop_iteration(tmp_path: Path) -> None:
    """Letting a database go costs the event loop ~0.1 ms: thousands at once held every
    request up. Other tasks run between slices; a database used meanwhile stays open."""
    import asyncio

    from lumadb.storage.databases import SWEEP_SLICE

    registry = DatabaseRegistry(Config(data_dir=tmp_path))
    count = SWEEP_SLICE * 3 + 1
    dbs = [registry.open("d1", f"tenant-{i}") for i in range(count)]

    async def run() -> tuple[int, int, int]:
        for db in dbs:
            await db.write_short(lambda conn: conn.execute("CREATE TABLE t (x)"))
            db.touched = False
        assert await registry.sweep() == 0  # once untouched: not yet
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0)
                ticks += 1
                if ticks == 1:
                    dbs[-1].touched = True  # a request for the last one, while the sweep goes on

        ticker = asyncio.ensure_future(tick())
        await asyncio.sleep(0)
        ticks = 0
        released = await registry.sweep()
        during = ticks
        ticker.cancel()
        return released, during, sum(db.holds_connections for db in dbs)

    released, during, still_open = asyncio.run(run())
    assert released == count - 1
    assert during >= 3  # a tick between each two slices
    assert still_open == 1
    registry.close_all()
