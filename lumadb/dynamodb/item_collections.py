"""ItemCollectionMetrics (ReturnItemCollectionMetrics=SIZE): for a table with local secondary
indexes, the item collection a write touched (its partition key) and an estimate of its size in
GB: the items of that partition key plus their entries in every LSI, given as a 1 GB range
[lower, lower + 1] as DynamoDB gives it. Tables without an LSI have no item collections."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.attributes import normalize_value
from lumadb.dynamodb.indexes.model import indexes_of

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.keys import StorageKey
    from lumadb.dynamodb.service import DynamoService
    from lumadb.storage.sqlite import apsw

GB = 1 << 30

# A write whose collection is wanted: the table, the item's storage key, its key attributes
Touched = tuple["TableInfo", "StorageKey", dict]


def wanted(body: dict, table: TableInfo) -> bool:
    return body.get("ReturnItemCollectionMetrics") == "SIZE" and has_collections(table)


def has_collections(table: TableInfo) -> bool:
    return any(not index.is_global for index in indexes_of(table))


def _sizes(conn: apsw.Connection, partitions: list[tuple[TableInfo, int, bytes]]) -> list[int]:
    """The bytes of each (table, hash prefix, partition key): items plus LSI entries."""
    sizes = []
    for table, hash_prefix, pk in partitions:
        total = 0
        sources = [table.items] + [index.sql for index in indexes_of(table) if not index.is_global]
        for source in sources:
            row: Any = conn.execute(
                f"SELECT coalesce(sum(size), 0) FROM {source} WHERE hash_prefix = ? AND pk = ?",
                (hash_prefix, pk),
            ).fetchone()
            total += row[0]
        sizes.append(total)
    return sizes


def _metrics(table: TableInfo, key_attributes: dict, size: int) -> dict[str, Any]:
    lower = float(size // GB)
    value = normalize_value(key_attributes[table.hash_name])
    return {"ItemCollectionKey": {table.hash_name: value}, "SizeEstimateRangeGB": [lower, lower + 1.0]}


async def metrics(service: DynamoService, table: TableInfo, key: StorageKey, key_attributes: dict) -> dict:
    """The ItemCollectionMetrics of one write (PutItem, UpdateItem, DeleteItem)."""
    (size,) = await service.read(_sizes, [(table, key[0], key[1])])
    return _metrics(table, key_attributes, size)


async def metrics_by_table(service: DynamoService, touched: list[Touched]) -> dict[str, list[dict]]:
    """BatchWriteItem's and TransactWriteItems' ItemCollectionMetrics: per table with LSIs, one
    entry per item collection the request wrote to."""
    seen: dict[tuple[int, bytes], Touched] = {}
    for table, key, key_attributes in touched:
        if has_collections(table):
            seen.setdefault((table.id, key[1]), (table, key, key_attributes))
    if not seen:
        return {}
    entries = list(seen.values())
    sizes = await service.read(_sizes, [(table, key[0], key[1]) for table, key, _ in entries])
    out: dict[str, list[dict]] = {}
    for (table, _, key_attributes), size in zip(entries, sizes, strict=True):
        out.setdefault(table.name, []).append(_metrics(table, key_attributes, size))
    return out
