"""The D1 service's process-wide state: the catalog, where snapshots and transfer files
live, and the D1 object the REST API describes databases with."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lumadb.d1.catalog import Catalog, D1Handle, is_uuid
from lumadb.d1.results import REGIONS

if TYPE_CHECKING:
    from lumadb.server import Server

_TABLES_SQL = (
    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'"
)
_SIZE_SQL = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
D1_FIELDS = ("uuid", "name", "created_at", "version", "num_tables", "file_size", "jurisdiction",
             "running_in_region", "read_replication")


class D1Service:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.catalog = Catalog(server)
        root = Path(server.databases.root) / "d1"
        self.snapshot_root = root / "bookmarks"
        self.transfer_root = root / "transfers"
        self.transfer_root.mkdir(parents=True, exist_ok=True)

    def snapshot_dir(self, uuid: str) -> Path:
        assert is_uuid(uuid)
        return self.snapshot_root / uuid

    async def d1_object(self, handle: D1Handle, fields: list[str] | None = None) -> dict[str, Any]:
        """D1's description of a database; `fields` limits it (in D1's order)."""
        def stats(conn: Any) -> tuple[int, int]:
            return conn.execute(_TABLES_SQL).fetchone()[0], conn.execute(_SIZE_SQL).fetchone()[0]

        num_tables, file_size = await handle.db.read(stats)
        entry = handle.entry
        full: dict[str, Any] = {
            "uuid": entry.uuid,
            "name": entry.name,
            "created_at": entry.created_at,
            "version": "production",
            "num_tables": num_tables,
            "file_size": file_size,
            "jurisdiction": entry.jurisdiction,
            "running_in_region": REGIONS.get(entry.primary_location_hint or "", "WNAM"),
            "read_replication": {"mode": entry.read_replication},
        }
        if not fields:
            return full
        return {name: full[name] for name in D1_FIELDS if name in fields}

    async def delete(self, handle: D1Handle) -> None:
        await self.catalog.delete(handle)
        await asyncio.to_thread(shutil.rmtree, self.snapshot_dir(handle.uuid), ignore_errors=True)
