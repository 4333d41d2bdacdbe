"""Zeros written ahead of the WAL's last frame (wal_room.py): with an fsync per commit the WAL
file has room past its last frame, SQLite's recovery stops there with every acknowledged
write, and without the fsync nothing is written ahead."""

from __future__ import annotations

import asyncio
import shutil
import struct
from pathlib import Path

import apsw
import pytest

from lumadb.storage.executor import Database
from lumadb.storage.wal_room import ROOM


def _writes(db: Database, count: int) -> None:
    def insert(conn: apsw.Connection, k: int) -> None:
        conn.execute("INSERT INTO t VALUES (?, ?)", (k, "v" * 300))

    async def main() -> None:
        for k in range(count):
            await db.write_short(insert, k)

    asyncio.run(main())


def _last_frame_end(wal: bytes) -> int:
    """Where the WAL's valid frames end, read as SQLite's recovery reads them (salts, page 0)."""
    page = struct.unpack(">I", wal[8:12])[0]
    salts = wal[16:24]
    end = offset = 32
    while offset + 24 + page <= len(wal):
        pgno, commit_size = struct.unpack(">II", wal[offset:offset + 8])
        if pgno == 0 or wal[offset + 8:offset + 16] != salts:
            break
        offset += 24 + page
        if commit_size:
            end = offset
    return end


@pytest.fixture
def full(tmp_path: Path):
    db = Database(tmp_path / "x.sqlite", durability="full")
    db.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))
    yield db
    db.close()


def test_the_wal_has_zeros_past_its_last_frame_and_recovers_every_write(full: Database, tmp_path: Path) -> None:
    _writes(full, 400)  # ~0.5 MB of frames
    wal = (tmp_path / "x.sqlite-wal").read_bytes()
    end = _last_frame_end(wal)
    assert end > 32
    assert 0 < len(wal) - end <= ROOM + ROOM // 2  # room ahead, not more than a step's worth
    assert wal[end:] == bytes(len(wal) - end)  # zeros (no frame of an earlier cycle yet)

    # the files as a crash would leave them (the server holds them open): every write is there
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for name in ("x.sqlite", "x.sqlite-wal"):
        shutil.copyfile(tmp_path / name, crashed / name)
    conn = apsw.Connection(str(crashed / "x.sqlite"))
    try:
        assert conn.execute("SELECT count(*), max(k) FROM t").fetchall() == [(400, 399)]
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def test_a_small_database_gets_little_room(full: Database, tmp_path: Path) -> None:
    _writes(full, 3)
    wal = (tmp_path / "x.sqlite-wal").read_bytes()
    assert 0 < len(wal) - _last_frame_end(wal) <= 1 << 16


def test_nothing_is_written_ahead_without_an_fsync_per_commit(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite", durability="normal")
    try:
        db.write_blocking(lambda c: c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"))
        _writes(db, 50)
        wal = (tmp_path / "x.sqlite-wal").read_bytes()
        assert len(wal) == _last_frame_end(wal)
    finally:
        db.close()
