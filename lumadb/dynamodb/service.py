"""What every DynamoDB operation handler works with: the one `dynamodb` database, the table
catalog, and helpers that turn storage races (a table dropped under a request) into
DynamoDB's errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from lumadb.dynamodb import signing
from lumadb.dynamodb.catalog import Catalog, TableInfo, update_meta
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.reads import INLINE_BYTES
from lumadb.storage.sqlite import apsw

if TYPE_CHECKING:
    from lumadb.server import Server

T = TypeVar("T")


class DynamoService:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.db = server.databases.open("dynamodb", "")
        self.catalog = Catalog(self.db, shared=server.config.workers > 1)
        credentials = server.config.dynamodb_credentials
        self.credentials = signing.Credentials(credentials) if credentials else None  # None: not checked

    async def startup(self) -> None:
        await self.db.write(self.catalog.setup)
        self.catalog.load()

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """One write request = one job = one SQLite transaction (all or nothing). A request
        is bounded (400 KB items, at most 100 of them): it runs on the event loop."""
        try:
            return await self.db.write_short(fn, *args)
        except apsw.SQLError as exc:
            raise _storage_error(exc) from exc

    async def change_table(
        self, name: str, change: Callable[[dict[str, Any]], None], missing: DynamoError | None
    ) -> tuple[TableInfo, int, int] | None:
        """Apply `change` to the table's stored metadata (it may raise to refuse) and put the
        result in this process's catalog: (table, item count, size in bytes). A table gone
        meanwhile raises `missing`, or answers None when `missing` is None."""
        updated = await self.write(update_meta, name, change)
        if updated is None:
            if missing is not None:
                raise missing
            return None
        table, item_count, size_bytes, version = updated
        self.catalog.installed(table, name, version)
        return table, item_count, size_bytes

    async def write_in_background(self, fn: Callable[..., T], *args: Any) -> T:
        """A write of unbounded size (TTL sweeps, index backfills, stream trims): on the
        writer thread, so that the event loop keeps answering meanwhile."""
        try:
            return await self.db.write(fn, *args)
        except apsw.SQLError as exc:
            raise _storage_error(exc) from exc

    def read_now(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return self.db.read_now(fn, *args)
        except apsw.SQLError as exc:
            raise _storage_error(exc) from exc

    def read_point(self, fn: Callable[..., T], *args: Any) -> T:
        """A point read on the event loop, sharing its read transaction (executor.read_point)."""
        try:
            return self.db.read_point(fn, *args)
        except apsw.SQLError as exc:
            raise _storage_error(exc) from exc

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return await self.db.read(fn, *args)
        except apsw.SQLError as exc:
            raise _storage_error(exc) from exc

    async def read_bounded(self, fn: Callable[..., T | None], *args: Any, point: bool = False) -> T:
        """`fn(conn, *args, INLINE_BYTES)` on the event loop (`point`: in the loop's shared read
        transaction); when it gives up (None: it read more bytes than that), `fn(conn, *args)`
        again on the reader pool. A thread hop there costs more CPU than a short read (~80-125
        µs here), but megabytes read on the loop would hold up every other request."""
        inline = self.read_point if point else self.read_now
        result = inline(fn, *args, INLINE_BYTES)
        if result is None:
            result = await self.read(fn, *args)
        assert result is not None  # (no budget on the pool)
        return result


def _storage_error(exc: apsw.SQLError) -> Exception:
    # The table was deleted between the catalog lookup and the statement.
    if "no such table: ddb_items_" in str(exc):
        return DynamoError.resource_not_found()
    return exc
