"""Zeros written ahead of a WAL's last frame, so that a commit's fdatasync syncs data only.

While a WAL file grows, each commit appends to it, and its fdatasync must then also commit the
file's new size to the filesystem's journal: ~250 µs against ~150 for the same two frames
written over bytes the file already has (ext4 here, closed loop with 100 µs of work between
syncs; with 256 KB or 1 MB of room ahead, means of 155-177 µs). A WAL grows through its first
10,000 pages (~40 MB) after each opening: a new server, and a D1 or libSQL database opened
again after it was idle (closing its last connection deletes the WAL). As PostgreSQL
zero-fills its WAL segments, the loop writer keeps zeros written past the last frame, in steps
as large as the WAL already is (64 KB to ROOM): one journal commit per step instead of one per
commit. The commit after a step syncs its zeros too: steps of up to 1 MB raised the p99 of a
lone writer (0.97 -> 1.65 ms, UpdateItem on a fresh server), 256 KB did not (0.99 ms) and gained
as much (x1.28 and x1.30).

Safe for SQLite: zeros after the last frame read as an invalid frame (page number 0), where
recovery stops, as it stops at a previous cycle's frames after the WAL starts over. The zeros
are written by the connection that holds the WAL's write lock (inside its BEGIN IMMEDIATE,
before any statement of the group), after the file's end: no frame can be written there
meanwhile, by this process or another.
"""

from __future__ import annotations

import logging

from lumadb.storage.sqlite import apsw
from lumadb.storage.sqlite_files import WalIndex, extend_wal, wal_size

log = logging.getLogger("lumadb.storage")

ROOM = 1 << 18  # the most bytes of zeros written at a time
_PIECE = 1 << 16  # per write: SQLite's unix VFS writes at most 128 KB at once
_WAL_HEADER = 32
_FRAME_HEADER = 24
_ZEROS = bytes(_PIECE)


class WalRoom:
    """Keeps room ahead in one connection's WAL; valid while that connection is open."""

    __slots__ = ("_conn", "_index", "_size")

    def __init__(self, conn: apsw.Connection, index: WalIndex) -> None:
        self._conn = conn
        self._index = index
        self._size = 0  # the file's size when last looked at (it only grows while open)

    @classmethod
    def of(cls, conn: apsw.Connection) -> WalRoom | None:
        index = WalIndex.of(conn)
        return None if index is None else cls(conn, index)

    def keep(self) -> None:
        """With the write lock held, before the transaction writes: room for what comes next."""
        frames, page, copied = self._index.frames()
        if frames and copied >= frames:
            return  # every frame is in the database: this transaction starts the WAL over
        end = _WAL_HEADER + frames * (page + _FRAME_HEADER)
        # as much room as the WAL holds already, 64 KB to ROOM: a small database's stays small
        step = min(ROOM, max(_PIECE, end - end % _PIECE))
        if self._size - end >= step // 2:
            return
        try:
            size = wal_size(self._conn)  # (another process may have written it longer)
            if size is not None and size - end < step // 2:
                size = extend_wal(self._conn, _ZEROS, step // _PIECE)
        except OSError as exc:  # (a full disk: the frames would find it full too)
            log.debug("no room written ahead in the WAL: %s", exc)
            return
        self._size = size or 0
