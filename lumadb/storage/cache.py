"""An LRU of read results that is never stale.

Entries are keyed by (database, statement, parameters) and tagged with the database's
`PRAGMA data_version` read *before* the query ran. That pragma changes whenever any other
connection commits, in this process or another (`--workers N`), so an entry is served
only while no commit has happened since it was computed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from lumadb.storage.executor import Database

MISSING: Any = object()


class QueryCache:
    def __init__(self, capacity: int = 2048) -> None:
        self.capacity = capacity
        self.enabled = capacity > 0  # callers skip the cache (and its version check) when off
        self._entries: OrderedDict[tuple[int, Hashable], tuple[int, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def lookup(self, db: Database, key: Hashable) -> tuple[Any, int]:
        """Return (value or MISSING, current version); pass the version to `store`."""
        version = db.data_version()
        full_key = (id(db), key)
        entry = self._entries.get(full_key)
        if entry is not None:
            if entry[0] == version:
                self._entries.move_to_end(full_key)
                self.hits += 1
                return entry[1], version
            del self._entries[full_key]
        self.misses += 1
        return MISSING, version

    def store(self, db: Database, key: Hashable, version: int, value: Any) -> None:
        if self.capacity <= 0:
            return
        full_key = (id(db), key)
        self._entries[full_key] = (version, value)
        self._entries.move_to_end(full_key)
        if len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def read_through(self, db: Database, key: Hashable, compute: Callable[[], Any]) -> Any:
        """Serve `key` from the cache or compute it on the calling thread and remember it."""
        value, version = self.lookup(db, key)
        if value is MISSING:
            value = compute()
            self.store(db, key, version, value)
        return value

    def forget(self, db: Database) -> None:
        """Drop a database's entries (when it is deleted)."""
        ident = id(db)
        for key in [k for k in self._entries if k[0] == ident]:
            del self._entries[key]
