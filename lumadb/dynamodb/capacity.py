"""The capacity units DynamoDB charges, and the ConsumedCapacity shape it reports.

Reads: one unit per started 4 KB, half of that when eventually consistent; a read that finds
nothing still costs the minimum. Writes: one unit per started 1 KB (an update charges the larger
of the old and the new item). Transactions cost twice as much.
"""

from __future__ import annotations

from typing import Any

READ_UNIT = 4096
WRITE_UNIT = 1024


def read_units(size: int, consistent: bool) -> float:
    units = max(1, -(-size // READ_UNIT))
    return float(units) if consistent else units / 2


def write_units(size: int) -> float:
    return float(max(1, -(-size // WRITE_UNIT)))


def wanted(body: dict) -> str | None:
    """'TOTAL' or 'INDEXES' when the request asks for ConsumedCapacity, else None."""
    mode = body.get("ReturnConsumedCapacity")
    return mode if mode == "TOTAL" or mode == "INDEXES" else None


def consumed(
    mode: str, table_name: str, units: float, *, read: float | None = None, write: float | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"TableName": table_name, "CapacityUnits": units}
    if read is not None:
        out["ReadCapacityUnits"] = read
    if write is not None:
        out["WriteCapacityUnits"] = write
    if mode == "INDEXES":
        table: dict[str, Any] = {"CapacityUnits": units}
        if read is not None:
            table["ReadCapacityUnits"] = read
        if write is not None:
            table["WriteCapacityUnits"] = write
        out["Table"] = table
    return out


class Tally:
    """Units per table, in first-use order (BatchGetItem, BatchWriteItem, transactions)."""

    def __init__(self) -> None:
        self.units: dict[str, list[float]] = {}  # table -> [read, write]

    def add(self, table_name: str, *, read: float = 0.0, write: float = 0.0) -> None:
        entry = self.units.setdefault(table_name, [0.0, 0.0])
        entry[0] += read
        entry[1] += write

    def report(self, mode: str, *, split: bool = False) -> list[dict[str, Any]]:
        out = []
        for name, (read, write) in self.units.items():
            if split:
                out.append(consumed(mode, name, read + write, read=read or None, write=write or None))
            else:
                out.append(consumed(mode, name, read + write))
        return out
