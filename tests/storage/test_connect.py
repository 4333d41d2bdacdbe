"""Opening connections (lumadb/storage/sqlite.py)."""

from __future__ import annotations

import threading
from pathlib import Path

from lumadb.storage.sqlite import connect


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
