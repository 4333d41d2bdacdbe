"""SQLite's files reached through SQLite itself (lumadb/storage/sqlite_files.py). LumaDB never
drops the POSIX locks SQLite holds on a database's files: closing any second descriptor of a
file drops them all, then another program closing its connection deletes the `-wal` file under
the server, and writes are lost."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lumadb.storage import checkpoints
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import apsw
from lumadb.storage.sqlite_files import WalIndex


def locked_inodes() -> set[int]:
    """The inodes this process holds POSIX locks on (Linux's /proc/locks)."""
    inodes = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if fields[1] == "POSIX" and fields[4] == str(os.getpid()):
            inodes.add(int(fields[5].split(":")[2]))
    return inodes


# Python's own sqlite3 module, as another program: an SQLite that, closing the last connection
# it sees, takes the file's EXCLUSIVE lock, checkpoints and deletes the -wal file
EXTERNAL_READ = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM t').fetchone(); c.close()"
EXTERNAL_COUNT = "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM t').fetchone()[0])"


def test_a_checkpoint_and_the_cache_marker_keep_the_locks_and_another_program_cannot_take_the_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "PAGES", 200)
    passes = threading.Event()
    first_pass = checkpoints.Checkpoints._first_pass

    def watched(self: checkpoints.Checkpoints) -> None:
        first_pass(self)
        passes.set()

    monkeypatch.setattr(checkpoints.Checkpoints, "_first_pass", watched)
    path = tmp_path / "x.sqlite"
    db = Database(path, durability="full")
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)"))
    blob = b"x" * 3000  # about a page per row

    async def write(keys: range) -> None:
        await asyncio.gather(*(db.write_short(lambda c, k=k: c.execute("INSERT INTO t VALUES (?, ?)", (k, blob)))
                               for k in keys))

    async def main() -> None:
        for start in range(0, 400, 20):
            await write(range(start, start + 20))
        assert passes.wait(10)  # a checkpoint synced the database file
        db.data_version()  # the query cache's marker, from the WAL-index
        held = locked_inodes()
        assert path.stat().st_ino in held and Path(f"{path}-shm").stat().st_ino in held
        subprocess.run([sys.executable, "-c", EXTERNAL_READ, str(path)], check=True)
        assert Path(f"{path}-wal").exists()
        await write(range(400, 410))  # acknowledged: in the WAL another program reads too
        seen = subprocess.run([sys.executable, "-c", EXTERNAL_COUNT, str(path)], check=True,
                              capture_output=True, text=True).stdout
        assert int(seen) == 410

    asyncio.run(main())
    db.close()


def test_a_database_not_in_wal_mode_has_no_wal_index_and_gets_no_shm_file(tmp_path: Path) -> None:
    path = tmp_path / "rollback.sqlite"
    conn = apsw.Connection(str(path))
    conn.execute("CREATE TABLE t(v); INSERT INTO t VALUES (1)")
    assert WalIndex.of(conn) is None
    assert not Path(f"{path}-shm").exists()
    conn.pragma("journal_mode", "wal")
    index = WalIndex.of(conn)
    assert index is not None and Path(f"{path}-shm").exists()
    before = index.marker()
    conn.execute("INSERT INTO t VALUES (2)")
    assert index.marker() != before
    conn.close()
