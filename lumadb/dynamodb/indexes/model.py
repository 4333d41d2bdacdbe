"""A secondary index as the data plane needs it (parsed once per table from its metadata), and
the index row an item has in it: keys encoded so that SQLite's order is DynamoDB's order.

An index table has the items table's shape, `(hash_prefix, pk, sk, size, item)`. `pk` is the
index partition key; with several partition-key attributes (multi-attribute GSI keys) it is
their escaped encodings one after another. `sk` is the escaped encodings of the index sort-key
attributes, then of the table's partition key, then the table's sort key: unique per item, and
ordered by the index sort key first (escaping: 0x00 -> 0x00 0xFF, each part ends in 0x00 0x00,
so a part that is a prefix of another sorts first, as DynamoDB orders keys).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb.attributes import item_size
from lumadb.dynamodb.errors import DynamoError, KeyMismatch
from lumadb.dynamodb.keys import ENCODERS, MAX_HASH_KEY_BYTES, MAX_RANGE_KEY_BYTES, hash_prefix

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo

INVALID = "One or more parameter values were invalid: "
TERMINATOR = b"\x00\x00"


def escape(part: bytes) -> bytes:
    """One key part, escaped and terminated (order-preserving when parts are concatenated)."""
    return part.replace(b"\x00", b"\x00\xff") + TERMINATOR


def escape_prefix(part: bytes) -> bytes:
    """A part's escaped bytes without the terminator (what begins_with matches)."""
    return part.replace(b"\x00", b"\x00\xff")


def index_table_name(table_id: int, index_name: str) -> str:
    return f'"ddb_index_{table_id}_{index_name}"'


@dataclass(frozen=True, eq=False)
class IndexRow:
    hash_prefix: int
    pk: bytes
    sk: bytes
    item: dict

    @property
    def key(self) -> tuple[int, bytes, bytes]:
        return self.hash_prefix, self.pk, self.sk


@dataclass(eq=False)
class IndexInfo:
    name: str
    is_global: bool
    hash_keys: tuple[tuple[str, str], ...]  # (attribute, type) in key-schema order
    range_keys: tuple[tuple[str, str], ...]
    projection_type: str  # ALL | KEYS_ONLY | INCLUDE
    non_key: frozenset[str]
    status: str
    sql: str  # the index table, quoted
    table_keys: tuple[tuple[str, str], ...]
    arn: str

    def __post_init__(self) -> None:
        keys = self.hash_keys + self.range_keys
        self.key_names = tuple(name for name, _ in keys)
        self.projected_names = (
            frozenset(self.key_names) | frozenset(n for n, _ in self.table_keys) | self.non_key
        )
        hashes = len(self.hash_keys)
        # (attribute, type, size limit, encoder) per key attribute, in key-schema order
        self._parts = [
            (name, type_name, MAX_HASH_KEY_BYTES if i < hashes else MAX_RANGE_KEY_BYTES, ENCODERS[type_name])
            for i, (name, type_name) in enumerate(keys)
        ]
        self._table_parts = [(name, type_name, ENCODERS[type_name]) for name, type_name in self.table_keys]

    def unchanged(self, old: dict, new: dict) -> bool:
        """Whether a write leaves this index's row of the item as it was."""
        if self.projection_type == "ALL":
            return old == new
        return all(old.get(name) == new.get(name) for name in self.projected_names)

    def row(self, item: dict, *, strict: bool) -> IndexRow | None:
        """The item's row in this index; None when it lacks an index key attribute (sparse
        index). With `strict`, a key attribute of the wrong type or an empty one is an error
        (a write); otherwise such an item is left out (an item written before the index)."""
        parts: list[bytes] = []
        for name, type_name, limit, encode in self._parts:
            value = item.get(name)
            if value is None:
                return None
            text = value.get(type_name)
            if text is None or (text == "" and type_name != "N"):
                if strict:
                    raise bad_key(self.name, name, type_name, value)
                return None
            encoded = encode(text)
            if len(encoded) > limit and type_name != "N":
                if not strict:
                    return None
                raise DynamoError.validation(
                    INVALID
                    + f"Size of {'hashkey' if limit == MAX_HASH_KEY_BYTES else 'rangekey'} has exceeded "
                    f"the maximum size limit of{limit} bytes"
                )
            parts.append(encoded)
        hashes = len(self.hash_keys)
        pk = parts[0] if hashes == 1 else b"".join(escape(part) for part in parts[:hashes])
        sk = b"".join(escape(part) for part in parts[hashes:])
        table_parts = [encode(item[n][t]) for n, t, encode in self._table_parts]
        sk += escape(table_parts[0]) + (table_parts[1] if len(table_parts) > 1 else b"")
        return IndexRow(hash_prefix(pk), pk, sk, self.project(item))

    def project(self, item: dict) -> dict:
        if self.projection_type == "ALL":
            return item
        names = self.projected_names
        return {name: value for name, value in item.items() if name in names}

    def key_of(self, item: dict) -> dict:
        """The index and table key attributes of a projected item (LastEvaluatedKey)."""
        names = [n for n, _ in self.table_keys] + [
            n for n in self.key_names if n not in dict(self.table_keys)
        ]
        return {name: item[name] for name in names if name in item}


def bad_key(index: str, name: str, type_name: str, value: dict) -> DynamoError:
    if value.get(type_name) is None:  # (an empty value is a request error in a transaction too)
        return KeyMismatch.validation(
            INVALID + f"Type mismatch for Index Key {name} Expected: {type_name} "
            f"Actual: {next(iter(value), '')} IndexName: {index}"
        )
    return DynamoError.validation(
        "One or more parameter values are not valid. A value specified for a secondary index key "
        "is not supported. The AttributeValue for a key attribute cannot contain an empty "
        f"{'string' if type_name == 'S' else 'binary'} value. IndexName: {index}, IndexKey: {name}"
    )


# The last two items a write sized or encoded, with their size and JSON (None: not encoded):
# one write's observers (the stream record, an ALL index) ask about the same old and new items,
# and the table write has already sized and encoded them. The items are held, so their ids stay
# unique while remembered.
_known: list[tuple[Any, int, bytes | None]] = [(None, 0, None), (None, 0, None)]


def remember(item: dict, size: int, blob: bytes | None) -> None:
    """Note an item's size (and its JSON) that the caller has already computed."""
    _known[1] = _known[0]
    _known[0] = (item, size, blob)


def size_of(item: dict) -> int:
    """item_size, remembered (above)."""
    for known, size, _ in _known:
        if known is item:
            return size
    size = item_size(item)
    remember(item, size, None)
    return size


def json_of(item: dict) -> bytes:
    """orjson.dumps(item), remembered (above)."""
    for known, _, blob in _known:
        if known is item and blob is not None:
            return blob
    return orjson.dumps(item)


def encoded_row(row: IndexRow) -> tuple[int, bytes, bytes, int, bytes]:
    return row.hash_prefix, row.pk, row.sk, size_of(row.item), json_of(row.item)


def _parse(table: TableInfo, definition: dict[str, Any], is_global: bool) -> IndexInfo:
    types = table.attribute_types
    schema = definition["KeySchema"]
    projection = definition.get("Projection") or {}
    table_keys: tuple[tuple[str, str], ...] = ((table.hash_name, table.hash_type),)
    if table.range_name is not None:
        table_keys += ((table.range_name, table.range_type or ""),)
    return IndexInfo(
        name=definition["IndexName"],
        is_global=is_global,
        hash_keys=tuple(
            (e["AttributeName"], types[e["AttributeName"]]) for e in schema if e["KeyType"] == "HASH"
        ),
        range_keys=tuple(
            (e["AttributeName"], types[e["AttributeName"]]) for e in schema if e["KeyType"] == "RANGE"
        ),
        projection_type=projection.get("ProjectionType", "ALL"),
        non_key=frozenset(projection.get("NonKeyAttributes") or ()),
        status=definition.get("IndexStatus", "ACTIVE"),
        sql=index_table_name(table.id, definition["IndexName"]),
        table_keys=table_keys,
        arn=definition.get("IndexArn", ""),
    )


_cache: weakref.WeakKeyDictionary[TableInfo, list[IndexInfo]] = weakref.WeakKeyDictionary()


def indexes_of(table: TableInfo) -> list[IndexInfo]:
    """The table's secondary indexes (LSIs first), parsed once per metadata version."""
    found = _cache.get(table)
    if found is None:
        found = [_parse(table, d, False) for d in table.meta.get("LocalSecondaryIndexes") or []]
        found += [_parse(table, d, True) for d in table.meta.get("GlobalSecondaryIndexes") or []]
        _cache[table] = found
    return found


_checked: weakref.WeakKeyDictionary[TableInfo, list[IndexInfo]] = weakref.WeakKeyDictionary()


def indexes_in_check_order(table: TableInfo) -> list[IndexInfo]:
    """The table's secondary indexes in the order DynamoDB checks an item's keys against them,
    GSIs first: for an attribute that keys both kinds, its error names the GSI
    (nubo-db/dynamodb-conformance, captured from the service; dynalite checks in this order)."""
    found = _checked.get(table)
    if found is None:
        indexes = indexes_of(table)
        found = [i for i in indexes if i.is_global] + [i for i in indexes if not i.is_global]
        _checked[table] = found
    return found


def find_index(table: TableInfo, name: str) -> IndexInfo | None:
    for index in indexes_of(table):
        if index.name == name:
            return index
    return None
