"""The capacity units DynamoDB charges, and the ConsumedCapacity shape it reports.

Reads: one unit per started 4 KB, half of that when eventually consistent; a read that finds
nothing still costs the minimum. Writes: one unit per started 1 KB (an update charges the larger
of the old and the new item). Transactions cost twice as much on the table.

A write also costs units on each secondary index whose entry for the item it changes, sized on
the index entry (the projected item): a new or a removed entry costs its size, an entry changed
in place the larger of its two sizes, an entry that moves (its index key changed) a delete plus
a put. An index the write leaves alone costs nothing and is not reported. TOTAL adds the index
units to the table's; INDEXES reports them per index (`GlobalSecondaryIndexes`,
`LocalSecondaryIndexes`) beside the table's own (`Table`). Index writes inside a transaction are
not doubled.

A vector index is metered in bytes, not units: INDEXES reports `VectorIndexes` with each
changed index's `VectorWriteRequestBytes` (at least 1 KB; the entry's size above that); TOTAL
reports nothing of them, as DynamoDB does. On a table with vector indexes a write is billed with
each indexed vector at its name plus 4 bytes per dimension, whatever its numbers (a read and the
400 KB limit size it by its numbers): the index observer reports that size as a `BILLED` entry.
"""

from __future__ import annotations

from typing import Any

READ_UNIT = 4096
WRITE_UNIT = 1024

# What one write cost on secondary indexes: (index name, is global, write units); a vector
# index's entry has None for "is global" and bytes for units, and BILLED (no index name) the
# size the table's own write is billed at, where it differs from the item's
IndexWrites = list[tuple[str, "bool | str | None", float]]
VECTOR = None
BILLED = "billed"
MIN_VECTOR_BYTES = 1024.0


def billed_size(size: int, index_writes: IndexWrites | None) -> int:
    """The size a table's write is billed at: `size` (the larger of its item's images), unless
    the write reported another."""
    for _, kind, value in index_writes or ():
        if kind == BILLED:
            return int(value)
    return size


def read_units(size: int, consistent: bool) -> float:
    units = max(1, -(-size // READ_UNIT))
    return float(units) if consistent else units / 2


def write_units(size: int) -> float:
    return float(max(1, -(-size // WRITE_UNIT)))


def wanted(body: dict) -> str | None:
    """'TOTAL' or 'INDEXES' when the request asks for ConsumedCapacity, else None."""
    mode = body.get("ReturnConsumedCapacity")
    return mode if mode == "TOTAL" or mode == "INDEXES" else None


def _units(total: float, read: float | None, write: float | None) -> dict[str, Any]:
    out: dict[str, Any] = {"CapacityUnits": total}
    if read is not None:
        out["ReadCapacityUnits"] = read
    if write is not None:
        out["WriteCapacityUnits"] = write
    return out


def consumed(
    mode: str,
    table_name: str,
    units: float,
    *,
    read: float | None = None,
    write: float | None = None,
    indexes: IndexWrites | None = None,
) -> dict[str, Any]:
    """One table's ConsumedCapacity: `units` on the table itself (`read`/`write` split it, for
    the operations that report the split), plus the write units of `indexes`. With `write`
    given, index arms carry WriteCapacityUnits too."""
    split = read is not None or write is not None
    arms: dict[str, dict[str, float]] = {}
    vectors: dict[str, float] = {}
    index_total = 0.0
    for name, is_global, index_units in indexes or ():
        if is_global == BILLED:
            continue
        if is_global is VECTOR:
            vectors[name] = vectors.get(name, 0.0) + index_units
            continue
        kind = arms.setdefault("GlobalSecondaryIndexes" if is_global else "LocalSecondaryIndexes", {})
        kind[name] = kind.get(name, 0.0) + index_units
        index_total += index_units
    total_write = (write or 0.0) + index_total if split and (write is not None or index_total) else None
    out: dict[str, Any] = {"TableName": table_name, **_units(units + index_total, read, total_write)}
    if mode == "INDEXES":
        out["Table"] = _units(units, read, write)
        for arm, by_name in arms.items():
            out[arm] = {
                name: _units(value, None, value if split else None) for name, value in by_name.items()
            }
        if vectors:
            out["VectorIndexes"] = {name: {"VectorWriteRequestBytes": value} for name, value in vectors.items()}
    return out


class Tally:
    """Units per table, in first-use order (BatchGetItem, BatchWriteItem, transactions)."""

    def __init__(self) -> None:
        self.units: dict[str, list[float]] = {}  # table -> [read, write]
        self.indexes: dict[str, IndexWrites] = {}

    def add(
        self, table_name: str, *, read: float = 0.0, write: float = 0.0, indexes: IndexWrites | None = None
    ) -> None:
        entry = self.units.setdefault(table_name, [0.0, 0.0])
        entry[0] += read
        entry[1] += write
        if indexes:
            self.indexes.setdefault(table_name, []).extend(indexes)

    def report(self, mode: str, *, split: bool = False) -> list[dict[str, Any]]:
        out = []
        for name, (read, write) in self.units.items():
            indexes = self.indexes.get(name)
            if split:
                split_units = {"read": read or None, "write": write or None}
                out.append(consumed(mode, name, read + write, indexes=indexes, **split_units))
            else:
                out.append(consumed(mode, name, read + write, indexes=indexes))
        return out
