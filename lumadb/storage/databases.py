"""Maps database names from requests to SQLite files under the data directory.

A name from a request never becomes a path without `validate_name`: no separators, no
`..`, no control characters, bounded length. Files live at
`<data>/dynamodb.sqlite`, `<data>/d1/<uuid>.sqlite` and `<data>/libsql/<name>.sqlite`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

from lumadb.config import Config
from lumadb.storage import process_lock
from lumadb.storage.cache import QueryCache
from lumadb.storage.closings import run as closings_run
from lumadb.storage.executor import ConnectionSetup, Database

log = logging.getLogger("lumadb.storage")

KINDS = ("dynamodb", "d1", "libsql")
SWEEP_SLICE = 16
MAX_NAME_LENGTH = 128
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


class InvalidDatabaseName(ValueError):
    """The name cannot name a database file (it would escape the data directory)."""


def validate_name(name: str) -> str:
    if not isinstance(name, str) or not name:
        raise InvalidDatabaseName("database name must be a non-empty string")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidDatabaseName(f"database name is longer than {MAX_NAME_LENGTH} characters")
    if ".." in name or not _NAME.fullmatch(name):
        raise InvalidDatabaseName(
            "database name may hold only letters, digits, '_', '-' and '.', and must not contain '..'"
        )
    return name


class DatabaseRegistry:
    """Opens each database file once per process and hands out its `Database`."""

    def __init__(self, config: Config, cache: QueryCache | None = None) -> None:
        self.config = config
        self.cache = cache
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if config.memory:
            # An ephemeral server: files in a temporary directory removed at shutdown.
            self._tmp = tempfile.TemporaryDirectory(prefix="lumadb-memory-")
            self.root = Path(self._tmp.name)
        else:
            self.root = Path(config.data_dir).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._open: dict[tuple[str, str], Database] = {}
        self._pinned: set[tuple[str, str]] = {("dynamodb", "")}  # never let go while idle
        self._untouched: dict[tuple[str, str], int] = {}  # sweeps in a row that found it unused
        # databases whose files a `remove` is still closing and unlinking on its thread
        self._removing: dict[tuple[str, str], threading.Event] = {}
        # (st_dev, st_ino) of each open database's file, with --workers N (`_replaced`)
        self._identities: dict[tuple[str, str], tuple[int, int]] = {}
        self._lock = threading.Lock()

    def path_for(self, kind: str, name: str) -> Path:
        if kind not in KINDS:
            raise ValueError(f"unknown database kind {kind!r}")
        if kind == "dynamodb":
            return self.root / "dynamodb.sqlite"
        path = (self.root / kind / f"{validate_name(name)}.sqlite").resolve()
        if path.parent != (self.root / kind).resolve():  # belt and braces: never outside
            raise InvalidDatabaseName("database name escapes the data directory")
        return path

    def exists(self, kind: str, name: str) -> bool:
        key = (kind, name)
        db = self._open.get(key)
        if db is not None and self._replaced(key, db):
            db = None
        return db is not None or (key not in self._removing and self.path_for(kind, name).exists())

    def current(self, kind: str, name: str, db: Database) -> bool:
        """Whether `db`, held by a caller since it opened it, still is this name's database
        (with --workers N another process may have deleted it: then it is let go here)."""
        return self._open.get((kind, name)) is db and not self._replaced((kind, name), db)

    def _replaced(self, key: tuple[str, str], db: Database) -> bool:
        """With --workers N: whether another process deleted the file `db` has open (and maybe
        made a new one at its path); if so the database is let go here. Its connections would
        otherwise go on reading and writing the deleted file, or create a new one by path: a
        write acknowledged there would be lost. One `stat` per use, only with several workers."""
        if not db.cross_process or key[0] == "dynamodb":  # (DynamoDB's one file is never deleted)
            return False
        try:
            identity = os.stat(db.path)
        except FileNotFoundError:
            identity = None
        known = self._identities.get(key)
        if identity is not None and (known is None or known == (identity.st_dev, identity.st_ino)):
            self._identities[key] = (identity.st_dev, identity.st_ino)
            return False
        if identity is None and known is None and not db.holds_connections:
            return False  # not created yet: its first connection makes the file
        with self._lock:
            if self._open.get(key) is db:
                del self._open[key]
            self._untouched.pop(key, None)
            self._identities.pop(key, None)
        if self.cache is not None:
            self.cache.forget(db)
        to_close = db.detach()
        threading.Thread(target=closings_run, args=(to_close, "a deleted database"), name="lumadb-let-go", daemon=True).start()
        log.info("%s database %r was deleted by another worker process: let go", *key)
        return True

    def names(self, kind: str) -> list[str]:
        folder = self.root / kind
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.sqlite"))

    def open(
        self, kind: str, name: str = "", *, setup: ConnectionSetup | None = None, pinned: bool = False
    ) -> Database:
        """The database, creating its file when missing. A `pinned` one keeps its connections
        open while idle (see `sweep`)."""
        key = (kind, name)
        if pinned:
            self._pinned.add(key)
        db = self._open.get(key)
        if db is not None and not self._replaced(key, db):
            return db
        removing = self._removing.get(key)
        if removing is not None:
            # Opened again under the name a `remove` is still unlinking: its new files must not
            # be the ones unlinked. Creations wait in `removed` first; this is for the rest (a
            # libSQL namespace auto-created by a request), a rare case.
            removing.wait()
        with self._lock:
            db = self._open.get(key)
            if db is None:
                path = self.path_for(kind, name)
                path.parent.mkdir(parents=True, exist_ok=True)
                cfg = self.config
                db = Database(
                    path,
                    durability="off" if cfg.memory else cfg.durability,
                    busy_timeout_ms=cfg.busy_timeout_ms,
                    statement_timeout_ms=cfg.statement_timeout_ms,
                    log_sql=cfg.debug,
                    setup=setup,
                    cross_process=cfg.workers > 1,
                )
                db.cache = self.cache
                self._open[key] = db
                if db.cross_process:
                    try:
                        identity = os.stat(path)
                        self._identities[key] = (identity.st_dev, identity.st_ino)
                    except FileNotFoundError:
                        pass  # its first connection makes it: `_replaced` notes it then
        return db

    async def sweep(self, sweeps_idle: int = 2) -> int:
        """Let go of the databases no request has used in the last `sweeps_idle` sweeps (their
        connections and writer thread: `Database.release_idle`); the `Database` objects stay,
        and open again on their next use. Runs on the event loop, SWEEP_SLICE databases per
        iteration: letting one go costs the loop ~0.1 ms, and a server may have thousands.
        Returns how many it let go."""
        due = []
        for key, db in list(self._open.items()):
            if key in self._pinned:
                continue
            if db.touched:
                db.touched = False
                self._untouched[key] = 0
                continue
            count = self._untouched[key] = self._untouched.get(key, 0) + 1
            if count >= sweeps_idle and db.holds_connections:
                due.append((key, db))
        released = 0
        for start in range(0, len(due), SWEEP_SLICE):
            if start:
                await asyncio.sleep(0)  # requests go on between slices
            for key, db in due[start : start + SWEEP_SLICE]:
                # used since the sweep began (the next one finds it touched), or deleted
                if not db.touched and self._open.get(key) is db and db.release_idle():
                    released += 1
        return released

    def opened(self) -> list[Database]:
        """The databases this process has open."""
        return list(self._open.values())

    def delete(self, kind: str, name: str) -> bool:
        """Close and remove a database's files; False when it did not exist. For code off the
        event loop (the CLI); on the loop, `remove`."""
        db = self._forget(kind, name)
        if db is not None:
            db.close()
        return self._remove_files(kind, name)

    async def remove(self, kind: str, name: str) -> bool:
        """`delete` from the event loop: what belongs to the loop is done on it (the database's
        pending writes committed, its callers answered), the closings and the unlinks on a
        thread (closing the last connection checkpoints the WAL: ~30 ms for 10 MB)."""
        key = (kind, name)
        db = self._forget(kind, name)
        later = db.detach() if db is not None else []
        earlier = self._removing.get(key)
        done = self._removing[key] = threading.Event()

        def finish() -> bool:
            try:
                if earlier is not None:  # a remove of the same name still under way goes first
                    earlier.wait()
                closings_run(later, "a deleted database")  # the files go all the same
                return self._remove_files(kind, name)
            finally:
                with self._lock:
                    if self._removing.get(key) is done:
                        del self._removing[key]
                done.set()

        return await asyncio.to_thread(finish)

    async def removed(self, kind: str, name: str) -> None:
        """Wait, without holding up the event loop, until no `remove` of this database is still
        closing and unlinking (before creating it again: `open` would wait on the loop)."""
        removing = self._removing.get((kind, name))
        if removing is not None:
            await asyncio.to_thread(removing.wait)

    def _forget(self, kind: str, name: str) -> Database | None:
        with self._lock:
            self._untouched.pop((kind, name), None)
            self._identities.pop((kind, name), None)
            return self._open.pop((kind, name), None)

    def _remove_files(self, kind: str, name: str) -> bool:
        path = self.path_for(kind, name)
        found = False
        for suffix in ("", "-wal", "-shm", "-journal", *process_lock.SUFFIXES):
            try:
                path.with_name(path.name + suffix).unlink()
                found = True
            except FileNotFoundError:  # (or a concurrent delete's)
                pass
        return found

    def close_all(self) -> None:
        with self._lock:
            dbs = list(self._open.values())
            self._open.clear()
        for db in dbs:
            db.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp.name, ignore_errors=True)
