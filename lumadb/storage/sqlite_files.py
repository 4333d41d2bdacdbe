"""SQLite's own open files, reached through its public VFS interface (`SQLITE_FCNTL_FILE_POINTER`
gives a connection's `sqlite3_file`, whose `sqlite3_io_methods` are SQLite's documented API):
to sync a database file without opening it again.

A file must not be opened a second time in this process: closing that second descriptor
drops every POSIX lock the process holds on the file (POSIX ties them to the process, not to
the descriptor). In WAL mode each connection keeps a SHARED lock on the database file and one
on the `-shm` file's DMS byte for as long as it is open; with them gone, another program that
closes its connection believes it is the last, checkpoints and deletes the `-wal` file under
this process's feet (its later commits then go to a deleted file: lost), and a process that
opens the database re-initialises the WAL-index while this one reads it (SQLITE_PROTOCOL).
"""

from __future__ import annotations

import ctypes

from lumadb.storage.sqlite import apsw

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


def _database_file(conn: apsw.Connection) -> tuple[int, _IoMethods] | None:
    slot = ctypes.c_void_p()
    if not conn.file_control("main", apsw.SQLITE_FCNTL_FILE_POINTER, ctypes.addressof(slot)) or not slot.value:
        return None
    methods = ctypes.cast(slot.value, ctypes.POINTER(ctypes.POINTER(_IoMethods)))[0]
    if not methods:  # (a file SQLite has closed)
        return None
    return slot.value, methods.contents


def sync_database_file(conn: apsw.Connection) -> None:
    """fdatasync `conn`'s database file through SQLite's own descriptor (OSError if it fails)."""
    found = _database_file(conn)
    if found is None:
        raise OSError("the database file is not open")
    file, methods = found
    rc = _XSync(methods.xSync)(file, _SYNC_NORMAL)
    if rc != 0:
        raise OSError(f"syncing the database file failed: SQLite error {rc}")
