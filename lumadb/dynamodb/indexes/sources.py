"""What Query, Scan and PartiQL read: a table or one of its indexes, behind one interface that
turns key conditions into ranges of the storage order, builds the page statements, and turns
a row back into a LastEvaluatedKey (and an ExclusiveStartKey into a position)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.attributes import normalize_item, normalize_number
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.indexes.model import IndexInfo, escape, escape_prefix, find_index
from lumadb.dynamodb.keys import (
    HASH_SPACE,
    Bound,
    encode_key_value,
    hash_prefix,
    key_attributes,
    key_of_key,
    prefix_successor,
    segment_bounds,
    sort_key_bounds,
)

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo

Statement = Callable[[Any, int], tuple[str, tuple]]
INVALID_START = "The provided starting key is invalid"


class TypeMismatch(Exception):
    """A key condition value whose type is not the key attribute's type."""


def _encode(type_name: str, value: dict) -> bytes:
    text = value.get(type_name)
    if type(text) is not str:
        raise TypeMismatch
    if type_name == "N":
        text = normalize_number(text)
    return encode_key_value(type_name, text)


@dataclass(eq=False)
class Source:
    table: TableInfo
    index: IndexInfo | None

    @property
    def sql(self) -> str:
        return self.index.sql if self.index is not None else self.table.items

    @property
    def is_global(self) -> bool:
        return self.index is not None and self.index.is_global

    @property
    def hash_keys(self) -> tuple[tuple[str, str], ...]:
        if self.index is not None:
            return self.index.hash_keys
        return ((self.table.hash_name, self.table.hash_type),)

    @property
    def range_keys(self) -> tuple[tuple[str, str], ...]:
        if self.index is not None:
            return self.index.range_keys
        if self.table.range_name is None:
            return ()
        return ((self.table.range_name, self.table.range_type or ""),)

    def check_readable(self) -> None:
        if self.index is not None and self.index.status == "CREATING":
            raise DynamoError.validation(
                f"Cannot read from backfilling global secondary index: {self.index.name}"
            )

    # -- key conditions -> ranges ---------------------------------------------------------
    def partition(self, values: list[dict]) -> tuple[int, bytes]:
        """(hash prefix, encoded partition key) for the partition-key values (in schema order)."""
        parts = [_encode(t, v) for (_, t), v in zip(self.hash_keys, values, strict=True)]
        pk = parts[0] if len(parts) == 1 else b"".join(escape(p) for p in parts)
        return hash_prefix(pk), pk

    def sort_range(self, equal: list[dict], condition: tuple[str, list[dict]] | None) -> tuple[Bound, Bound]:
        """The sort-column range for equalities on the first sort-key attributes and an optional
        condition (operator, values) on the next one."""
        types = [t for _, t in self.range_keys]
        if self.index is None:
            if condition is None:
                return None, None
            return _plain_bounds(types[0], condition)
        prefix = b"".join(escape(_encode(t, v)) for t, v in zip(types, equal, strict=False))
        if condition is None:
            return _prefix_range(prefix)
        op, values = condition
        type_name = types[len(equal)]
        if op == "begins_with":
            return _prefix_range(prefix + escape_prefix(_encode(type_name, values[0])))
        first = prefix + escape(_encode(type_name, values[0]))
        lower, upper = _prefix_range(prefix)
        after_first = _successor(first)
        if op == "=":
            return (first, True), after_first
        if op == "<":
            return lower, (first, False)
        if op == "<=":
            return lower, after_first
        if op == ">":
            return (after_first[0], True) if after_first else (first, False), upper
        if op == ">=":
            return (first, True), upper
        last = prefix + escape(_encode(type_name, values[1]))  # BETWEEN
        return (first, True), _successor(last)

    # -- statements ---------------------------------------------------------------------
    def query_statement(
        self, partition_values: Any, sort: tuple[str, list[dict]] | None, forward: bool
    ) -> Statement | None:
        """A partition's statement (PartiQL: one partition-key value, a condition on the first
        sort-key attribute); None when a value's type cannot match the key's."""
        try:
            hp, pk = self.partition(partition_values)
            lower, upper = self.sort_range([], sort)
        except TypeMismatch:
            return None
        return self.range_statement(hp, pk, lower, upper, forward)

    def range_statement(self, hp: int, pk: bytes, lower: Bound, upper: Bound, forward: bool) -> Statement:
        name = self.sql
        order = "" if forward else " DESC"

        def statement(after: Any, rows: int) -> tuple[str, tuple]:
            lo, hi = lower, upper
            if after is not None:
                if forward:
                    lo = (after[2], False)
                else:
                    hi = (after[2], False)
            where = "hash_prefix = ? AND pk = ?"
            params: list[Any] = [hp, pk]
            if lo is not None:
                where += " AND sk >= ?" if lo[1] else " AND sk > ?"
                params.append(lo[0])
            if hi is not None:
                where += " AND sk <= ?" if hi[1] else " AND sk < ?"
                params.append(hi[0])
            params.append(rows)
            sql = (
                f"SELECT hash_prefix, pk, sk, size, item FROM {name} WHERE {where} ORDER BY sk{order} LIMIT ?"
            )
            return sql, tuple(params)

        return statement

    def scan_statement(self, segment: int, total: int) -> Statement:
        start, end = segment_bounds(segment, total) if total > 1 else (0, HASH_SPACE)
        name = self.sql
        columns = "hash_prefix, pk, sk, size, item"
        order = "ORDER BY hash_prefix, pk, sk LIMIT ?"
        from_start = f"SELECT {columns} FROM {name} WHERE hash_prefix >= ? AND hash_prefix < ? {order}"
        after_key = f"SELECT {columns} FROM {name} WHERE (hash_prefix, pk, sk) > (?, ?, ?) AND hash_prefix < ? {order}"

        def statement(after: Any, rows: int) -> tuple[str, tuple]:
            if after is None:
                return from_start, (start, end, rows)
            return after_key, (*after, end, rows)

        return statement

    # -- keys of rows -------------------------------------------------------------------
    def last_key(self, item: dict) -> dict:
        if self.index is None:
            return key_attributes(self.table, item)
        return self.index.key_of(item)

    def position(self, start_key: dict) -> tuple[int, bytes, bytes]:
        """The storage position of an ExclusiveStartKey (the table's key, plus the index's)."""
        if self.index is None:
            try:
                return key_of_key(self.table, start_key)
            except DynamoError as error:
                raise DynamoError.validation(f"{INVALID_START}: {error.message}") from None
        names = set(self.index.key_names) | {n for n, _ in self.index.table_keys}
        if set(start_key) != names:
            raise DynamoError.validation(INVALID_START)
        for name, type_name in self.index.hash_keys + self.index.range_keys + self.index.table_keys:
            if type_name not in start_key[name]:
                raise DynamoError.validation(
                    f"{INVALID_START}: The provided key element does not match the schema"
                )
        try:  # the table's key attributes in it are checked as the table's start key would be
            key_of_key(self.table, {name: start_key[name] for name, _ in self.index.table_keys})
        except DynamoError as error:
            raise DynamoError.validation(f"{INVALID_START}: {error.message}") from None
        row = self.index.row(normalize_item(start_key), strict=True)
        assert row is not None
        return row.key


def _plain_bounds(type_name: str, condition: tuple[str, list[dict]]) -> tuple[Bound, Bound]:
    op, values = condition
    second = _encode(type_name, values[1]) if op == "BETWEEN" else None
    return sort_key_bounds(op, _encode(type_name, values[0]), second)


def _successor(prefix: bytes) -> Bound:
    successor = prefix_successor(prefix)
    return (successor, False) if successor is not None else None


def _prefix_range(prefix: bytes) -> tuple[Bound, Bound]:
    if not prefix:
        return None, None
    return (prefix, True), _successor(prefix)


def source_for(table: TableInfo, index_name: str | None, *, partiql: bool = True, operation: str = "Scan") -> Source:
    if index_name is None:
        return Source(table, None)
    index = find_index(table, index_name)
    if index is None and any(v["IndexName"] == index_name for v in table.meta.get("VectorIndexes") or []):
        raise DynamoError.validation(f"{operation} operation not supported on this index type.")
    if index is None:
        message = "The table does not have the specified index"
        raise DynamoError.validation(message if partiql else f"{message}: {index_name}")
    return Source(table, index)
