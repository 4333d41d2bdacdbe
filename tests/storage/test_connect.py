"""Opening and closing connections (lumadb/storage/sqlite.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from lumadb.storage.sqlite import close_connection, connect


def test_connections_opening_a_new_file_at_once_all_enter_wal(tmp_path: Path) -> None:
    """`--workers N` opens a new data directory from N processes at once: SQLite refused one of
    them "database is locked" at once (no busy wait) while switching the file to WAL, and that
    worker failed to start (1 run in 8 of tests/test_workers_writes.py). Threads race the same
    way, and more often: 6 runs in 60 failed before the retry."""
    failed: list[str] = []
    for run in range(60):
        path = tmp_path / f"new-{run}.sqlite"
        barrier = threading.Barrier(4)
        modes: list[str] = []

        def open_it(path: Path = path, barrier: threading.Barrier = barrier, modes: list[str] = modes) -> None:
            barrier.wait()
            try:
                conn, _ = connect(path)
                modes.append(conn.pragma("journal_mode"))
                conn.execute("CREATE TABLE IF NOT EXISTS t(x)")
                conn.close()
            except Exception as exc:  # any failure fails the test below
                failed.append(repr(exc))

        threads = [threading.Thread(target=open_it) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failed == [], f"run {run}: {failed}"
        assert modes == ["wal"] * 4


class _Watched:
    """A connection whose close() notes the database file's size first."""

    def __init__(self, conn, path: Path) -> None:
        self.conn, self.path, self.sizes = conn, path, []

    def __getattr__(self, name: str):
        return getattr(self.conn, name)

    def close(self) -> None:
        self.sizes.append(self.path.stat().st_size)
        self.conn.close()


def test_the_last_connection_checkpoints_before_close(tmp_path: Path) -> None:
    """apsw holds the GIL through close(), where SQLite checkpoints the WAL of a database's
    last connection: that work is done before, as a statement, which lets go of it."""
    path = tmp_path / "x.sqlite"
    conn, _ = connect(path)
    conn.pragma("wal_autocheckpoint", 0)
    conn.execute("CREATE TABLE t(v)")
    conn.execute(
        "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 2000) INSERT INTO t SELECT randomblob(1000) FROM s"
    )
    assert path.stat().st_size < 100_000  # the rows are in the WAL
    watched = _Watched(conn, path)
    close_connection(watched)  # type: ignore[arg-type]
    assert watched.sizes[0] > 2_000_000  # close() found them copied
    assert not (tmp_path / "x.sqlite-wal").exists()
    again, _ = connect(path)
    assert again.execute("SELECT count(*) FROM t").fetchone() == (2000,)
    again.close()


def test_a_connection_closes_while_another_reads(tmp_path: Path) -> None:
    """Not the last one: the checkpoint neither waits for the reader nor disturbs it."""
    writer, _ = connect(tmp_path / "x.sqlite")
    writer.execute("CREATE TABLE t(v)")
    writer.execute("INSERT INTO t VALUES (1)")
    reader, _ = connect(tmp_path / "x.sqlite")
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (1,)  # a snapshot held
    writer.execute("INSERT INTO t VALUES (2)")
    writer.set_busy_timeout(5000)
    started = time.monotonic()
    close_connection(writer)
    assert time.monotonic() - started < 1
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (1,)
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (2,)
    reader.close()
