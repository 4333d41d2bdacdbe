"""Keeping indexes in step with their table: a write observer that moves an item's index rows
in the write's own transaction, the catalog hook that creates and drops index tables, and the
backfill that indexes a table's existing items when UpdateTable adds a global secondary index."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb.capacity import IndexWrites
from lumadb.dynamodb.indexes import storage
from lumadb.dynamodb.indexes.model import IndexInfo, indexes_in_check_order, indexes_of

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo, WriteObserver
    from lumadb.dynamodb.service import DynamoService
    from lumadb.storage.sqlite import apsw

log = logging.getLogger("lumadb.dynamodb")
BACKFILL_BATCH = 500


def index_observers(table: TableInfo) -> list[WriteObserver]:
    """The observer factory: a table with secondary indexes gets one index maintainer."""
    # in check order: the first index whose key an item gets wrong is the one the error names
    indexes = indexes_in_check_order(table)
    if not indexes:
        return []
    writers = [(index, storage.Writer(table.id, index.name, index.sql)) for index in indexes]

    def maintain_indexes(
        conn: apsw.Connection, table: TableInfo, old: dict | None, new: dict | None
    ) -> IndexWrites:
        # check every index before touching any (a wrong key type refuses the whole write)
        changed = [
            (index, writer)
            for index, writer in writers
            if old is None or new is None or not index.unchanged(old, new)
        ]
        new_rows = [index.row(new, strict=True) if new is not None else None for index, _ in changed]
        charged: IndexWrites = []
        for (index, writer), new_row in zip(changed, new_rows, strict=True):
            old_row = index.row(old, strict=False) if old is not None else None
            if old_row is not None or new_row is not None:
                charged.append((index.name, index.is_global, writer.apply(conn, old_row, new_row)))
        return charged

    return [maintain_indexes]


def _names(meta: dict[str, Any] | None) -> set[str]:
    if meta is None:
        return set()
    return {
        d["IndexName"]
        for kind in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes")
        for d in meta.get(kind) or []
    }


def on_meta_change(
    conn: apsw.Connection, table_id: int, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> None:
    """The catalog hook: index tables appear and disappear with their indexes."""
    before, after = _names(old), _names(new)
    for name in before - after:
        storage.drop(conn, table_id, name)
    for name in after - before:
        storage.create(conn, table_id, name)


# -- backfill -----------------------------------------------------------------------------

Position = tuple[int, bytes, bytes]


def backfill_step(
    conn: apsw.Connection, table: TableInfo, index: IndexInfo, after: Position | None
) -> Position | None:
    """Index the next batch of existing items; where to go on, or None when done. Items whose
    key attributes have the wrong type are left out, as DynamoDB's backfill leaves them."""
    if not storage.exists(conn, table.id, index.name):  # deleted since the step was queued
        return None
    writer = storage.Writer(table.id, index.name, index.sql)
    columns = "hash_prefix, pk, sk, item"
    if after is None:
        rows = conn.execute(
            f"SELECT {columns} FROM {table.items} ORDER BY hash_prefix, pk, sk LIMIT ?", (BACKFILL_BATCH,)
        ).fetchall()
    else:
        rows = conn.execute(
            f"SELECT {columns} FROM {table.items} WHERE (hash_prefix, pk, sk) > (?, ?, ?) "
            "ORDER BY hash_prefix, pk, sk LIMIT ?",
            (*after, BACKFILL_BATCH),
        ).fetchall()
    for _, _, _, blob in rows:
        row = index.row(orjson.loads(blob), strict=False)  # type: ignore[arg-type]
        if row is not None:
            writer.store(conn, row)
    if len(rows) < BACKFILL_BATCH:
        return None
    last: Any = rows[-1]
    return last[0], last[1], last[2]


def _activate(name: str) -> Any:
    def change(meta: dict[str, Any]) -> None:
        for definition in meta.get("GlobalSecondaryIndexes") or []:
            if definition["IndexName"] == name and definition.get("IndexStatus") == "CREATING":
                definition["IndexStatus"] = "ACTIVE"
                definition.pop("Backfilling", None)

    return change


async def backfill(service: DynamoService, table_name: str, index_name: str) -> None:
    """Index the existing items, then mark the index ACTIVE (the observer has kept it current
    for every write since the index was created)."""
    after: Position | None = None
    while True:
        table = service.catalog.get(table_name)
        index = next((i for i in indexes_of(table) if i.name == index_name), None) if table else None
        if table is None or index is None or index.status != "CREATING":
            return  # the table or the index went away meanwhile
        after = await service.write_in_background(backfill_step, table, index, after)
        if after is None:
            break
        await asyncio.sleep(0)
    await service.change_table(table_name, _activate(index_name), None)  # (None: the table went away)


_tasks: set[asyncio.Task] = set()


def start_backfill(service: DynamoService, table_name: str, index_name: str) -> None:
    task = asyncio.get_running_loop().create_task(backfill(service, table_name, index_name))
    _tasks.add(task)
    task.add_done_callback(_finished)


def _finished(task: asyncio.Task) -> None:
    _tasks.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("index backfill failed", exc_info=task.exception())


def resume_backfills(service: DynamoService) -> None:
    """Start the backfill of every index still CREATING (after a restart)."""
    for name in service.catalog.names():
        table = service.catalog.get(name)
        for index in indexes_of(table) if table else []:
            if index.status == "CREATING":
                start_backfill(service, name, index.name)
