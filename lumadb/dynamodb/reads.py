"""The paging engine behind Query and Scan: walk the items table in key order, stop at Limit
items evaluated or 1 MB read (whichever comes first), apply the filter after that, project,
and say where the next page starts.

The first rows are read inline on the event loop (a thread hop costs more than a short read);
a page that needs more continues on the reader pool from where the inline step stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb import capacity
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.keys import key_attributes

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.expressions import Condition, Projection
    from lumadb.dynamodb.service import DynamoService
    from lumadb.storage.sqlite import apsw

PAGE_BYTES = 1024 * 1024
INLINE_ROWS = 128
INLINE_BYTES = 128 * 1024  # an inline step hands the rest of a page to the pool past this
POOL_ROWS = 1_000_000  # per step on the reader pool; a page ends at 1 MB long before that

_SELECT_PREFIX = "1 validation error detected: "  # Query's; Scan's come without it

# A position in the items table's order: (hash_prefix, pk, sk)
Position = tuple[int, bytes, bytes]


def check_select(body: dict, has_projection: bool, scan: bool = False) -> bool:
    """DynamoDB's rules for Select; True when only the count is wanted."""
    select = body.get("Select")
    if select is None:
        return False
    prefix = "" if scan else _SELECT_PREFIX
    if select == "SPECIFIC_ATTRIBUTES":
        if not has_projection:
            raise DynamoError.validation(
                prefix
                + "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
            )
        return False
    described = "only the Count" if select == "COUNT" else select
    if body.get("ProjectionExpression") is not None:
        raise DynamoError.validation(
            prefix + f"Cannot specify the ProjectionExpression when choosing to get {described}"
        )
    if body.get("AttributesToGet") is not None:
        raise DynamoError.validation(
            prefix + f"Cannot specify the AttributesToGet when choosing to get {described}"
        )
    if select == "ALL_PROJECTED_ATTRIBUTES" and body.get("IndexName") is None:
        raise DynamoError.validation(
            prefix + "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
        )
    return select == "COUNT"


@dataclass(eq=False)
class ReadPlan:
    """One page of a Query or Scan over a table's items. `statement(after, rows)` gives the SQL
    for the rows after a position (None: from the start), in read order."""

    table: TableInfo
    statement: Any  # Callable[[Position | None, int], tuple[str, tuple]]
    limit: int | None
    filter: Condition | None
    projection: Projection | None
    count_only: bool
    # the state of the page being read
    items: list[Any] = field(default_factory=list)
    count: int = 0
    scanned: int = 0
    bytes_read: int = 0
    last: Position | None = None
    last_blob: bytes | None = None
    truncated: bool = False

    def step(self, conn: apsw.Connection, rows: int, max_bytes: int = PAGE_BYTES) -> bool:
        """Read up to `rows` rows (and about `max_bytes`) from where the page stands; True when
        the page is complete."""
        sql, params = self.statement(self.last, rows)
        limit = self.limit
        filter_ = self.filter
        projection = self.projection
        fetched = 0
        for hash_prefix, pk, sk, size, blob in conn.execute(sql, params):
            if (limit is not None and self.scanned >= limit) or self.bytes_read >= PAGE_BYTES:
                self.truncated = True
                return True
            if self.bytes_read >= max_bytes:
                return False  # the rest of the page is read elsewhere, from `last` on
            fetched += 1
            self.scanned += 1
            self.bytes_read += size
            self.last = (hash_prefix, pk, sk)
            self.last_blob = blob
            item = None
            if filter_ is not None:
                item = orjson.loads(blob)
                if not filter_.evaluate(item):
                    continue
            self.count += 1
            if self.count_only:
                continue
            if projection is not None:
                self.items.append(projection.apply(item if item is not None else orjson.loads(blob)))
            else:
                self.items.append(orjson.Fragment(blob))
        if fetched < rows:
            # the range is exhausted; a page that used up its Limit still says where it ended
            self.truncated = limit is not None and self.scanned >= limit
            return True
        if (limit is not None and self.scanned >= limit) or self.bytes_read >= PAGE_BYTES:
            self.truncated = True
            return True
        return False

    def result(self, body: dict) -> dict:
        out: dict[str, Any] = {}
        if not self.count_only:
            out["Items"] = self.items
        out["Count"] = self.count
        out["ScannedCount"] = self.scanned
        if self.truncated and self.last_blob is not None:
            out["LastEvaluatedKey"] = key_attributes(self.table, orjson.loads(self.last_blob))
        mode = capacity.wanted(body)
        if mode:
            units = capacity.read_units(self.bytes_read, bool(body.get("ConsistentRead")))
            out["ConsumedCapacity"] = capacity.consumed(mode, self.table.name, units)
        return out


async def read_page(service: DynamoService, plan: ReadPlan) -> None:
    """Fill the plan's page: inline first, then on the reader pool if the page is long."""
    inline_rows = INLINE_ROWS if plan.limit is None else min(plan.limit, INLINE_ROWS)
    if service.read_point(plan.step, inline_rows, INLINE_BYTES):
        return
    await service.read(_finish, plan)


def _finish(conn: apsw.Connection, plan: ReadPlan) -> None:
    while not plan.step(conn, POOL_ROWS):
        pass
