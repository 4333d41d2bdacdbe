"""Keeping vector indexes current: a write observer that checks each written item's vector (a
bad one refuses the write, with DynamoDB's message naming the index) and stores or removes the
item's entry in every vector index, in the write's transaction; and the catalog hook that makes
and drops an index's storage, filling a new one from the table's items.

As in DynamoDB, an item without the vector attribute, or without the index's HASH attribute, is
left out of the index; one without an inline-filter attribute is indexed."""

from __future__ import annotations

import math
import weakref
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb import catalog
from lumadb.dynamodb.attributes import item_size, value_size
from lumadb.dynamodb.capacity import BILLED, MIN_VECTOR_BYTES, VECTOR, IndexWrites
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.indexes.model import bad_key
from lumadb.dynamodb.keys import key_of_item
from lumadb.dynamodb.vectors import definitions, storage

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo, WriteObserver
    from lumadb.storage.sqlite import apsw

INVALID = "One or more parameter values were invalid. "


@dataclass(frozen=True, eq=False)
class VectorIndex:
    name: str
    attribute: str
    dimensions: int
    distance: str
    hash_name: str | None
    hash_type: str | None
    filters: tuple[str, ...]
    projection_type: str
    non_key: frozenset[str]
    key_names: tuple[str, ...]  # the table's
    sql: str

    def vector_of(self, value: dict) -> array:
        """The item's vector at 32-bit precision, or DynamoDB's refusal."""
        elements = value.get("L")
        if type(elements) is not list:
            raise DynamoError.validation(
                INVALID + f"Invalid type for parameter {self.attribute}, Expected: 32-bit floating point number list "
                f"IndexName: {self.name}"
            )
        try:  # one pass for the common case; the element at fault is looked for only on failure
            vector = array("f", [float(element["N"]) for element in elements])
            valid = all(map(math.isfinite, vector))
        except (KeyError, TypeError):
            valid = False
        if not valid:
            for position, element in enumerate(elements):
                number = element.get("N")
                if number is None or not math.isfinite(array("f", (float(number),))[0]):
                    raise DynamoError.validation(
                        INVALID + f"Invalid type for parameter {self.attribute}[{position}], Expected: 32-bit floating "
                        f"point number, Actual: {next(iter(element), '')}. IndexName: {self.name}"
                    )
        if len(elements) != self.dimensions:
            raise DynamoError.validation(
                INVALID + f"Invalid size for parameter {self.attribute}, Expected: {self.dimensions}, "
                f"Actual: {len(elements)} IndexName: {self.name}"
            )
        return vector

    def changed(self, old: dict, new: dict) -> bool:
        """Whether the index's entry for the item may differ between the two."""
        if self.projection_type == "ALL":
            return old != new
        names = (self.attribute, *self.key_names, *self.filters, *self.non_key)
        if self.hash_name is not None:
            names = (*names, self.hash_name)
        return any(old.get(name) != new.get(name) for name in names)

    def entry(self, item: dict) -> tuple[bytes, array, dict] | None:
        """(HASH value's JSON, vector, projected attributes) of an item the index holds; None for
        one it leaves out."""
        value = item.get(self.attribute)
        if value is None:
            return None
        vector = self.vector_of(value)
        part = b""
        if self.hash_name is not None:
            hash_value = item.get(self.hash_name)
            if hash_value is None:
                return None
            if hash_value.get(self.hash_type) in (None, ""):
                raise bad_key(self.name, self.hash_name, self.hash_type, hash_value)  # type: ignore[arg-type]
            part = orjson.dumps(hash_value)
        if self.projection_type == "ALL":
            projected = {name: v for name, v in item.items() if name != self.attribute}
        else:
            wanted = {*self.key_names, *self.filters, *self.non_key}
            if self.hash_name is not None:
                wanted.add(self.hash_name)
            projected = {name: v for name, v in item.items() if name in wanted}
        return part, vector, projected


_parsed: weakref.WeakKeyDictionary[TableInfo, list[VectorIndex]] = weakref.WeakKeyDictionary()


def vector_indexes(table: TableInfo) -> list[VectorIndex]:
    found = _parsed.get(table)
    if found is None:
        found = _parsed[table] = [_parse(table, index) for index in table.meta.get("VectorIndexes") or []]
    return found


def _parse(table: TableInfo, index: dict[str, Any]) -> VectorIndex:
    hash_name = definitions.hash_attribute(index)
    projection = index["Projection"]
    return VectorIndex(
        name=index["IndexName"],
        attribute=index["VectorAttribute"]["AttributeName"],
        dimensions=index["Dimensions"],
        distance=index["DistanceFunction"],
        hash_name=hash_name,
        hash_type=table.attribute_types.get(hash_name) if hash_name else None,
        filters=tuple(e["AttributeName"] for e in index.get("SearchSchema") or []
                      if e["SearchSchemaElementType"] == "INLINE_FILTER"),  # fmt: skip
        projection_type=projection.get("ProjectionType", "ALL"),
        non_key=frozenset(projection.get("NonKeyAttributes") or ()),
        key_names=table.key_names,
        sql=storage.table_name(table.id, index["IndexName"]),
    )


def vector_observers(table: TableInfo) -> list[WriteObserver]:
    """The observer factory: tables with vector indexes keep them current."""
    if not table.meta.get("VectorIndexes"):
        return []

    def maintain(conn: apsw.Connection, table: TableInfo, old: dict | None, new: dict | None) -> IndexWrites | None:
        indexes = vector_indexes(table)
        written: IndexWrites = [("", BILLED, float(max(_billed_size(indexes, old), _billed_size(indexes, new))))]
        if old is not None and new is not None:
            # a write that changes nothing an index holds leaves it alone (its vector is not
            # read again: an update of another attribute of an item with a large vector)
            indexes = [index for index in indexes if index.changed(old, new)]
        entries = [index.entry(new) if new is not None else None for index in indexes]  # (may refuse the write)
        key = key_of_item(table, new if new is not None else old)  # type: ignore[arg-type]
        for index, entry in zip(indexes, entries, strict=True):
            if entry is None:
                if old is not None and storage.remove(conn, index.sql, key):
                    written.append((index.name, VECTOR, MIN_VECTOR_BYTES))
                continue
            size = _store(conn, index, key, entry)
            written.append((index.name, VECTOR, max(MIN_VECTOR_BYTES, float(size))))
        return written

    return [maintain]


def _billed_size(indexes: list[VectorIndex], item: dict | None) -> int:
    """The item's size as a write is billed: each vector an index reads at its name plus 4 bytes
    per dimension instead of its numbers (paritysuite vectorSearch consumedCapacity, eu-west-2
    and us-east-1, 2026-10)."""
    if item is None:
        return 0
    size = item_size(item)
    for attribute, dimensions in {(index.attribute, index.dimensions) for index in indexes}:
        value = item.get(attribute)
        if value is None:
            continue
        elements = value.get("L")
        if type(elements) is list and len(elements) == dimensions and all("N" in e for e in elements):
            size += 4 * dimensions - value_size(value)
    return size


def on_meta_change(
    conn: apsw.Connection, table_id: int, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> None:
    """The catalog hook: an index's storage appears and disappears with it; a new index on a
    table with items is filled from them (items it cannot hold are left out, as a backfill does)."""
    before = {index["IndexName"] for index in (old or {}).get("VectorIndexes") or []}
    after = {index["IndexName"] for index in (new or {}).get("VectorIndexes") or []}
    for name in before - after:
        storage.drop(conn, table_id, name)
    added = after - before
    if not added or new is None:
        return
    for name in added:
        storage.create(conn, table_id, name)
    fill(conn, catalog.TableInfo(table_id, new["TableName"], new), added)


def fill(conn: apsw.Connection, table: TableInfo, names: set[str] | None = None) -> None:
    """Index the table's items in its vector indexes (those named), as a backfill does: items an
    index cannot hold are left out of it."""
    indexes = [index for index in vector_indexes(table) if names is None or index.name in names]
    if not indexes:
        return
    for (blob,) in conn.execute(f"SELECT item FROM {table.items}").fetchall():
        item = orjson.loads(blob)  # type: ignore[arg-type]
        for index in indexes:
            try:
                entry = index.entry(item)
            except DynamoError:
                continue
            if entry is not None:
                _store(conn, index, key_of_item(table, item), entry)


def _store(conn: apsw.Connection, index: VectorIndex, key: tuple, entry: tuple[bytes, array, dict]) -> int:
    """Store the entry; its size."""
    part, vector, projected = entry
    # the vector counts its name and 4 bytes per dimension (paritysuite, eu-west-2 2026-08)
    attribute = index.attribute
    size = item_size(projected) + len(attribute.encode("utf-8")) + 4 * index.dimensions
    storage.store(conn, index.sql, key, part, vector, size, orjson.dumps(projected))
    return size
