"""What secondary indexes, Streams, TTL and backups add to the DynamoDB service: their tables, created at
start-up, the backfill of indexes a restart interrupted, and one background task that sweeps
expired items every `ttl_sweep_seconds` and, once a minute, trims stream records older than 24
hours and point-in-time history older than its table's recovery period. Importing this module registers their write observers and
catalog hooks, so it is imported before the catalog is first loaded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

from lumadb.dynamodb import backups, indexes, point_in_time, point_in_time_history, streams, ttl, vectors
from lumadb.dynamodb.indexes import maintain
from lumadb.dynamodb.indexes import storage as index_storage
from lumadb.dynamodb.streams import storage as stream_storage

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService
    from lumadb.storage.sqlite import apsw

log = logging.getLogger("lumadb.dynamodb")
TRIM_EVERY_SECONDS = 60.0

__all__ = ["Background", "indexes", "start", "streams", "vectors"]


def setup(conn: apsw.Connection) -> None:
    stream_storage.setup(conn)
    ttl.setup(conn)
    index_storage.setup(conn)
    backups.setup(conn)
    point_in_time_history.setup(conn)


class Background:
    """The periodic work of one server process (each worker process runs its own; the work is
    idempotent)."""

    def __init__(self, service: DynamoService) -> None:
        self.service = service
        self.period = service.server.config.ttl_sweep_seconds
        self.task: asyncio.Task | None = None
        self.last_trim = 0.0

    def start(self) -> None:
        if self.period > 0:
            self.task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period)
            try:
                await self.tick()
            except Exception:  # keep sweeping: one failed round must not stop expiry for good
                log.exception("DynamoDB background work failed")

    async def tick(self) -> None:
        await ttl.sweep(self.service)
        now = time.time()
        if now - self.last_trim >= TRIM_EVERY_SECONDS:
            self.last_trim = now
            await self.service.write_in_background(stream_storage.trim, now)
            starts = self._recovery_starts(now)
            if starts:
                await self.service.write_in_background(point_in_time_history.trim, starts)

    def _recovery_starts(self, now: float) -> list[tuple[int, float]]:
        """(table id, start of its recovery window) of each table with point-in-time recovery on."""
        starts = []
        for name in self.service.catalog.names():
            table = self.service.catalog.get(name)
            if table is not None and point_in_time.enabled(table.meta):
                starts.append((table.id, point_in_time.window(table.meta, now)[0]))
        return starts


async def start(service: DynamoService) -> Background:
    """Create the tables and start the background task (called once the catalog is loaded)."""
    await service.write(setup)
    maintain.resume_backfills(service)
    background = Background(service)
    background.start()
    return background
