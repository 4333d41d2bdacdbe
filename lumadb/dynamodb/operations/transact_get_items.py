"""TransactGetItems: up to 100 items by key, read from one snapshot of the database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb import capacity, inputs, items, key_checks, transaction_keys, transaction_limits
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.keys import StorageKey
from lumadb.dynamodb.request_expressions import check_mixing, compile_request
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.expressions import Projection
    from lumadb.dynamodb.service import DynamoService
    from lumadb.storage.sqlite import apsw



def _read_snapshot(
    conn: apsw.Connection, wanted: list[tuple[TableInfo, StorageKey]], budget: int | None = None
) -> list[Any] | None:
    """Every wanted row, in one read transaction; None once more than `budget` bytes were
    read (on the event loop: the caller reads them all again on the reader pool, a thread hop
    costing more CPU than a few dozen point reads, 4 MB of items holding up the loop too long)."""
    conn.execute("BEGIN")
    try:
        rows = []
        read = 0
        for table, key in wanted:
            row = items.read_row(conn, table, key)
            rows.append(row)
            if row is not None and budget is not None:
                read += row[0]
                if read > budget:
                    return None
        return rows
    finally:
        if conn.in_transaction:  # (an I/O error may have rolled it back already)
            conn.execute("COMMIT")


def _wanted(
    service: DynamoService, entries: list[dict]
) -> tuple[list[tuple[TableInfo, StorageKey]], list[Projection | None]]:
    """(table, key) and projection of every Get: each Get's own checks and expressions first, then
    the tables, then each key against its table (DynamoDB's order, as TransactWriteItems)."""
    gets: list[dict] = []
    projections: list[Projection | None] = []
    for entry in entries:
        get = entry.get("Get")
        if get is None:
            raise DynamoError.validation("TransactItems can only contain one of Get")
        check_mixing(get, "Get")
        inputs.check_key_values(get["Key"])
        projections.append(compile_request(get, "Get").projection)
        gets.append(get)
    tables = [service.catalog.require(get["TableName"]) for get in gets]
    for table, projection in zip(tables, projections, strict=True):
        key_checks.check_read_paths(table, projection)
    wanted: list[tuple[TableInfo, StorageKey]] = []
    for position, (get, table) in enumerate(zip(gets, tables, strict=True)):
        try:
            wanted.append((table, transaction_keys.storage_key(table, get["Key"])))
        except transaction_keys.ActionInvalid as problem:
            raise transaction_keys.cancelled(position, len(gets), problem.message) from None
    return wanted, projections


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    wanted, projections = _wanted(service, body["TransactItems"])
    seen: set[tuple[int, StorageKey]] = set()
    for table, key in wanted:
        if (table.id, key) in seen:
            raise DynamoError.validation("Transaction request cannot include multiple operations on one item")
        seen.add((table.id, key))
    rows = await service.read_bounded(_read_snapshot, wanted)
    transaction_limits.check_aggregate(sum(row[0] for row in rows if row is not None))
    responses: list[dict[str, Any]] = []
    tally = capacity.Tally()
    for (table, _), projection, row in zip(wanted, projections, rows, strict=True):
        tally.add(table.name, read=2 * capacity.read_units(row[0] if row else 0, True))
        if row is None:
            responses.append({})
        elif projection is None:
            responses.append({"Item": orjson.Fragment(row[1])})
        else:
            # a projection that keeps nothing of the item answers as a missing item does (nubo-db
            # dynamodb-conformance transactGet: "AWS omits Item rather than returning {}")
            item = projection.apply(orjson.loads(row[1]))
            responses.append({"Item": item} if item else {})
    out: dict[str, Any] = {"Responses": responses}
    mode = capacity.wanted(body)
    if mode:
        out["ConsumedCapacity"] = tally.report(mode, split=True)
    return out
