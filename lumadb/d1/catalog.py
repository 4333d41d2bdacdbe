"""The D1 catalog: which databases exist, by uuid and by name, in a small SQLite database
(`<data>/d1/_catalog.sqlite`) shared by every worker process.

A database's file is `<data>/d1/<uuid>.sqlite`, so a name from a request never becomes a
path. Lookups are served from memory while the catalog's `data_version()` is unchanged (a
write by any process changes it), so the binding's hot path costs one look at its WAL-index.
"""

from __future__ import annotations

import re
import time
import uuid as uuid_module
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from lumadb.d1.authorizer import setup_connection
from lumadb.d1.runner import DatabaseState
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import apsw

if TYPE_CHECKING:
    from lumadb.server import Server

CATALOG_NAME = "_catalog"
CHECK_SECONDS = 0.1
MAX_NAME_LENGTH = 64
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
INVALID_NAME = (
    "Invalid database name: use 1 to 64 letters, digits, '_' or '-', starting with a letter, digit or '_'"
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS databases (
    uuid TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    jurisdiction TEXT,
    primary_location_hint TEXT,
    read_replication TEXT NOT NULL DEFAULT 'disabled'
);
CREATE TABLE IF NOT EXISTS bookmarks (
    uuid TEXT NOT NULL,
    bookmark TEXT NOT NULL,
    taken_at REAL NOT NULL,
    PRIMARY KEY (uuid, bookmark)
);
"""
_COLUMNS = "uuid, name, created_at, jurisdiction, primary_location_hint, read_replication"


class InvalidName(ValueError):
    pass


class NameTaken(ValueError):
    pass


def valid_name(name: Any) -> bool:
    return isinstance(name, str) and bool(_NAME.fullmatch(name))


def is_uuid(text: str) -> bool:
    return bool(_UUID.fullmatch(text))


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True, slots=True)
class Entry:
    uuid: str
    name: str
    created_at: str
    jurisdiction: str | None
    primary_location_hint: str | None
    read_replication: str


@dataclass(slots=True)
class D1Handle:
    """An open D1 database: its catalog entry, its storage, and what D1 reports about it."""

    entry: Entry
    db: Database
    state: DatabaseState

    @property
    def uuid(self) -> str:
        return self.entry.uuid


class Catalog:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.store = server.databases.open("d1", CATALOG_NAME, pinned=True)
        self.store.write_blocking(lambda conn: conn.execute(_SCHEMA))
        self._handles: dict[str, D1Handle] = {}
        self._by_key: dict[str, D1Handle] = {}
        self._version: Hashable = None
        self._checked = 0.0

    # -- reads ----------------------------------------------------------------------------
    def _fresh(self) -> None:
        # Another process's catalog change shows within CHECK_SECONDS; this process's at once.
        now = time.monotonic()
        if now - self._checked < CHECK_SECONDS:
            return
        self._checked = now
        version = self.store.data_version()
        if version != self._version:
            self._by_key.clear()
            self._version = version

    def _fetch(self, conn: apsw.Connection, sql: str, *args: Any) -> list[Entry]:
        return [Entry(*row) for row in conn.execute(sql, args)]

    def find(self, key: str) -> D1Handle | None:
        """The database whose uuid, else name, is `key` (None when there is none)."""
        self._fresh()
        handle = self._by_key.get(key)
        if handle is not None and self._current(handle):
            return handle
        entries = self.store.read_now(
            self._fetch, f"SELECT {_COLUMNS} FROM databases WHERE uuid = ?1 OR name = ?1 "
            "ORDER BY uuid = ?1 DESC LIMIT 1", key,
        )
        if not entries:
            return None
        handle = self._handle(entries[0])
        if len(self._by_key) > 4096:
            self._by_key.clear()
        self._by_key[key] = handle
        return handle

    def _current(self, handle: D1Handle) -> bool:
        """False when another worker process deleted the database since this one opened it
        (--workers N; its catalog row went first): forgotten here, looked up afresh."""
        if self.server.databases.current("d1", handle.uuid, handle.db):
            return True
        self._handles.pop(handle.uuid, None)
        self._by_key.clear()
        return False

    def _handle(self, entry: Entry) -> D1Handle:
        handle = self._handles.get(entry.uuid)
        if handle is None or not self._current(handle):
            db = self.server.databases.open("d1", entry.uuid, setup=setup_connection)
            handle = self._handles[entry.uuid] = D1Handle(entry, db, DatabaseState())
        else:
            handle.entry = entry
        return handle

    def page(self, name_filter: str | None, offset: int, limit: int) -> list[D1Handle]:
        where, args = ("WHERE instr(lower(name), lower(?)) > 0", (name_filter,)) if name_filter else ("", ())
        entries = self.store.read_now(
            self._fetch, f"SELECT {_COLUMNS} FROM databases {where} ORDER BY created_at, uuid "
            f"LIMIT {int(limit)} OFFSET {int(offset)}", *args,
        )
        return [self._handle(e) for e in entries]

    def count(self, name_filter: str | None) -> int:
        where, args = ("WHERE instr(lower(name), lower(?)) > 0", (name_filter,)) if name_filter else ("", ())
        return self.store.read_now(lambda c: c.execute(f"SELECT count(*) FROM databases {where}", args).fetchone()[0])

    # -- writes ---------------------------------------------------------------------------
    async def create(self, name: str, *, jurisdiction: str | None = None, location_hint: str | None = None,
                     read_replication: str = "disabled", exist_ok: bool = False) -> D1Handle:
        if not valid_name(name):
            raise InvalidName(name)
        entry = Entry(str(uuid_module.uuid4()), name, now_iso(), jurisdiction, location_hint, read_replication)

        def insert(conn: apsw.Connection) -> list[Entry]:
            existing = self._fetch(conn, f"SELECT {_COLUMNS} FROM databases WHERE name = ?", name)
            if existing:
                return existing
            conn.execute(f"INSERT INTO databases ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                         (entry.uuid, entry.name, entry.created_at, entry.jurisdiction,
                          entry.primary_location_hint, entry.read_replication))
            return []

        existing = await self.store.write(insert)
        if existing:
            if not exist_ok:
                raise NameTaken(name)
            return self._handle(existing[0])
        handle = self._handle(entry)
        await handle.db.write(_create_cf_kv)  # (and the file)
        self._by_key.clear()
        return handle

    async def set_read_replication(self, handle: D1Handle, mode: str) -> D1Handle:
        await self.store.write(
            lambda conn: conn.execute("UPDATE databases SET read_replication = ? WHERE uuid = ?", (mode, handle.uuid))
        )
        self._by_key.clear()
        self._checked = 0.0
        found = self.find(handle.uuid)
        return found or handle

    async def delete(self, handle: D1Handle) -> None:
        uuid = handle.uuid
        await self.store.write(lambda conn: conn.execute(
            "DELETE FROM databases WHERE uuid = ?; DELETE FROM bookmarks WHERE uuid = ?", (uuid, uuid)))
        self._handles.pop(uuid, None)
        self._by_key.clear()
        self.server.cache.forget(handle.db)
        await self.server.databases.remove("d1", uuid)

    # -- bookmarks with a snapshot --------------------------------------------------------
    async def add_bookmark(self, uuid: str, bookmark: str) -> None:
        await self.store.write(lambda conn: conn.execute(
            "INSERT OR IGNORE INTO bookmarks (uuid, bookmark, taken_at) VALUES (?, ?, ?)",
            (uuid, bookmark, time.time())))

    def bookmarks(self, uuid: str) -> list[tuple[str, float]]:  # (bookmark, taken_at) oldest first
        return self.store.read_now(lambda c: c.execute(
            "SELECT bookmark, taken_at FROM bookmarks WHERE uuid = ? ORDER BY taken_at", (uuid,)).fetchall())


# The table every D1 database holds (`SELECT * FROM sqlite_master` of a new one lists it, in
# these words), kept from SQL by the authorizer. SQL that walks sqlite_master and looks into
# each table (kysely's migrator, better-auth's) fails on D1 because of it: so it does here.
_CF_KV = """CREATE TABLE IF NOT EXISTS _cf_KV (
        key TEXT PRIMARY KEY,
        value BLOB
      ) WITHOUT ROWID"""


def _create_cf_kv(conn: apsw.Connection) -> None:
    conn.execute(_CF_KV)
