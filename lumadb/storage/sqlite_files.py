"""SQLite's own open files, reached through its public VFS interface (`SQLITE_FCNTL_FILE_POINTER`
gives a connection's `sqlite3_file`, whose `sqlite3_io_methods` are SQLite's documented API):
to sync a database file, and to read its WAL-index, without opening either file again.

A file must not be opened a second time in this process: closing that second descriptor
drops every POSIX lock the process holds on the file (POSIX ties them to the process, not to
the descriptor). In WAL mode each connection keeps a SHARED lock on the database file and one
on the `-shm` file's DMS byte for as long as it is open; with them gone, another program that
closes its connection believes it is the last, checkpoints and deletes the `-wal` file under
this process's feet (its later commits then go to a deleted file: lost), and a process that
opens the database re-initialises the WAL-index while this one reads it (SQLITE_PROTOCOL).

The WAL-index header: every connection that commits to a WAL database, in any process,
rewrites the header at the start of the `-shm` file's first region
(https://sqlite.org/walformat.html): the last frame, a running checksum, a transaction
counter; a checkpoint that starts the WAL over changes its salt. Its 48 bytes are a marker
that moves on with every commit and never comes back, what `PRAGMA data_version` tells, for
~0.1 µs instead of ~2.5 (a statement and a read transaction). SQLite writes the header's
second copy first, then the first, which is read here: a read that overlaps that write sees
old and new bytes mixed, which differs from the old marker (a miss, never a stale hit), or
only old ones, and then that commit has not finished, so it was acknowledged to no one.
"""

from __future__ import annotations

import ctypes

from lumadb.storage.sqlite import apsw

HEADER_BYTES = 48  # one copy of the WalIndexHdr
_WALINDEX_PAGE_BYTES = 32768  # SQLite's WALINDEX_PGSZ: the -shm file's regions
_SYNC_NORMAL = 2  # SQLITE_SYNC_NORMAL: fdatasync on Linux


class _IoMethods(ctypes.Structure):
    """`sqlite3_io_methods`, up to the version 3 members."""

    _fields_ = [("iVersion", ctypes.c_int)] + [
        (name, ctypes.c_void_p) for name in (
            "xClose", "xRead", "xWrite", "xTruncate", "xSync", "xFileSize", "xLock", "xUnlock",
            "xCheckReservedLock", "xFileControl", "xSectorSize", "xDeviceCharacteristics",
            "xShmMap", "xShmLock", "xShmBarrier", "xShmUnmap", "xFetch", "xUnfetch",
        )
    ]


_XSync = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
_XFileSize = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int64))
_XWrite = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int64)
_XShmMap = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                            ctypes.POINTER(ctypes.c_void_p))


def _database_file(conn: apsw.Connection) -> tuple[int, _IoMethods] | None:
    slot = ctypes.c_void_p()
    if not conn.file_control("main", apsw.SQLITE_FCNTL_FILE_POINTER, ctypes.addressof(slot)) or not slot.value:
        return None
    methods = ctypes.cast(slot.value, ctypes.POINTER(ctypes.POINTER(_IoMethods)))[0]
    if not methods:  # (a file SQLite has closed)
        return None
    return slot.value, methods.contents


def _wal_file(conn: apsw.Connection) -> tuple[int, _IoMethods] | None:
    slot = ctypes.c_void_p()
    if not conn.file_control("main", apsw.SQLITE_FCNTL_JOURNAL_POINTER, ctypes.addressof(slot)) or not slot.value:
        return None
    methods = ctypes.cast(slot.value, ctypes.POINTER(ctypes.POINTER(_IoMethods)))[0]
    if not methods:  # (not open yet)
        return None
    return slot.value, methods.contents


def wal_size(conn: apsw.Connection) -> int | None:
    """The size of `conn`'s WAL file, None when it has none open (OSError if that fails)."""
    found = _wal_file(conn)
    if found is None:
        return None
    size = ctypes.c_int64()
    if _XFileSize(found[1].xFileSize)(found[0], ctypes.byref(size)) != 0:
        raise OSError("reading the WAL file's size failed")
    return size.value


def extend_wal(conn: apsw.Connection, piece: bytes, count: int) -> int | None:
    """Write `piece` (at most 128 KB: SQLite's unix VFS writes no more at once) `count` times
    after the end of `conn`'s WAL file, through SQLite's own descriptor: the file's new size, or
    None when it has none open (OSError if a write fails)."""
    found = _wal_file(conn)
    if found is None:
        return None
    file, methods = found
    size = ctypes.c_int64()
    if _XFileSize(methods.xFileSize)(file, ctypes.byref(size)) != 0:
        raise OSError("reading the WAL file's size failed")
    end = size.value
    for _ in range(count):
        rc = _XWrite(methods.xWrite)(file, piece, len(piece), end)
        if rc != 0:
            raise OSError(f"writing to the WAL file failed: SQLite error {rc}")
        end += len(piece)
    return end


def sync_database_file(conn: apsw.Connection) -> None:
    """fdatasync `conn`'s database file through SQLite's own descriptor (OSError if it fails)."""
    found = _database_file(conn)
    if found is None:
        raise OSError("the database file is not open")
    file, methods = found
    rc = _XSync(methods.xSync)(file, _SYNC_NORMAL)
    if rc != 0:
        raise OSError(f"syncing the database file failed: SQLite error {rc}")


class WalIndex:
    """The header of a database's WAL-index, in SQLite's own mapping of the `-shm` file. Valid
    while the connection it came from is open: its owner drops it before closing that one."""

    __slots__ = ("_backfilled", "_frames", "_header", "_page")

    def __init__(self, address: int) -> None:
        self._header = (ctypes.c_char * HEADER_BYTES).from_address(address)
        # WalIndexHdr.szPage and .mxFrame, WalCkptInfo.nBackfill (native byte order)
        self._page = ctypes.c_uint16.from_address(address + 14)
        self._frames = ctypes.c_uint32.from_address(address + 16)
        self._backfilled = ctypes.c_uint32.from_address(address + 2 * HEADER_BYTES)

    @classmethod
    def of(cls, conn: apsw.Connection) -> WalIndex | None:
        """The WAL-index `conn` maps; None when there is none (not in WAL mode, or a VFS
        without shared memory). The connection's first read maps it and writes the header."""
        if str(conn.pragma("journal_mode")).lower() != "wal":
            return None  # (xShmMap would make a -shm file for a database that has no use for it)
        conn.execute("PRAGMA data_version").fetchone()  # a read
        found = _database_file(conn)
        if found is None:
            return None
        file, methods = found
        if methods.iVersion < 2 or not methods.xShmMap:
            return None
        region = ctypes.c_void_p()
        # bExtend=0: only a region SQLite has mapped already (its address, no new mapping)
        rc = _XShmMap(methods.xShmMap)(file, 0, _WALINDEX_PAGE_BYTES, 0, ctypes.byref(region))
        if rc != 0 or not region.value:
            return None
        return cls(region.value)

    def marker(self) -> bytes:
        """The header as it is now: equal to an earlier marker only if nothing committed since."""
        return self._header.raw

    def frames(self) -> tuple[int, int, int]:
        """(frames in the WAL, page size, frames already copied into the database); exact for
        the holder of the WAL's write lock."""
        page = self._page.value
        return self._frames.value, 65536 if page == 1 else page, self._backfilled.value
