"""Running a SELECT: query each partition the WHERE names (in the order it names them) or scan
the whole table or index, with the WHERE as the filter, paged by Limit and 1 MB; NextToken
carries where the next page starts and is refused for another statement. A SELECT of exactly
the table's full key is a point read instead (GetItem's) that answers
as that range read would."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb import capacity, reads
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.indexes.queries import INVALID, WHOLE_ROW, index_capacity, table_items
from lumadb.dynamodb.indexes.sources import Source, Statement, source_for
from lumadb.dynamodb.keys import key_attributes, key_of_key
from lumadb.dynamodb.operations import get_item

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.indexes.model import IndexInfo
    from lumadb.dynamodb.partiql.statements import Read
    from lumadb.dynamodb.service import DynamoService
    from lumadb.storage.sqlite import apsw


def statement_digest(text: str, parameters: list[dict] | None) -> str:
    return hashlib.sha256(text.encode() + orjson.dumps(parameters or [])).hexdigest()[:16]


def _digest(body: dict) -> str:
    return statement_digest(body["Statement"], body.get("Parameters"))


def _token(digest: str, partition: int, last_key: dict | None) -> str:
    payload = orjson.dumps({"h": digest, "p": partition, "k": last_key})
    return base64.urlsafe_b64encode(payload).decode()


def _resume(token: str | None, digest: str) -> tuple[int, dict | None]:
    if token is None:
        return 0, None
    try:
        state = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        partition, last_key, issued_for = int(state["p"]), state["k"], state["h"]
    except (ValueError, KeyError, TypeError):
        raise DynamoError.validation("Invalid NextToken") from None
    if issued_for != digest:
        raise DynamoError.validation("NextToken does not match request")
    return partition, last_key


async def run_select(service: DynamoService, read: Read, body: dict) -> dict:
    token = body.get("NextToken")
    if read.key is not None and token is None:  # (read.key: on the table, never an index)
        answer = _key_select(service, read, read.key, body)
        if answer is not None:
            return answer
    source = source_for(read.table, read.index_name)
    if body.get("ConsistentRead") and source.is_global:
        raise DynamoError.validation("Strongly consistent read is not supported on Global Secondary Indexes")
    source.check_readable()
    fetch = source.index is not None and _fetches_from_table(source.index, read)
    # the digest only matters to a NextToken, checked or issued: not a sha256 per request
    digest = "" if token is None else _digest(body)
    first, last_key = _resume(token, digest)
    partitions: list[Any] = read.partitions if read.partitions is not None else [None]
    limit = body.get("Limit")
    consistent = bool(body.get("ConsistentRead"))
    fetched_units = 0.0
    items: list[Any] = []
    scanned = bytes_read = 0
    out: dict[str, Any] = {}
    for number in range(first, len(partitions)):
        remaining = None if limit is None else limit - scanned
        plan = _plan(source, read, partitions[number], remaining, fetch)
        if plan is not None:
            if last_key is not None and number == first:
                plan.last = source.position(last_key)
            await reads.read_page(service, plan)
            if fetch:
                found, units = await service.read(_fetch, source.table, plan.items, read, consistent)
                items.extend(found)
                fetched_units += units
            else:
                items.extend(plan.items)
            scanned += plan.scanned
            bytes_read += plan.bytes_read
            if plan.truncated and plan.last_blob is not None:
                lek = source.last_key(orjson.loads(plan.last_blob))
                out["NextToken"] = _token(digest or _digest(body), number, lek)
                out["LastEvaluatedKey"] = lek
                break
        if limit is not None and scanned >= limit and number + 1 < len(partitions):
            out["NextToken"] = _token(digest or _digest(body), number + 1, None)
            break
    result: dict[str, Any] = {"Items": [read.shaped(item) for item in items], **out}
    mode = capacity.wanted(body)
    if mode:
        units = capacity.read_units(bytes_read, consistent)
        result["ConsumedCapacity"] = capacity.consumed(mode, read.table.name, units)
        if source.index is not None:  # the index's rows to the index, the items fetched to the table
            result["ConsumedCapacity"] = index_capacity(result["ConsumedCapacity"], source.index, fetched_units)
    return result


def _key_select(service: DynamoService, read: Read, key: dict, body: dict) -> dict | None:
    """A SELECT of exactly the table's full key, as a point read (GetItem's); None for a key
    the table cannot hold (wrong type, empty, too long), left to the range read, which finds
    nothing there. Answers as the range read would: the WHERE as the filter, one read unit
    minimum, and a page that reads its one item with Limit 1 is truncated there (NextToken)."""
    table = read.table
    try:
        storage_key = key_of_key(table, key)
    except (DynamoError, ValueError):
        return None
    row = get_item.stored_row(service, table, storage_key)
    out: dict[str, Any] = {"Items": []}
    if row is not None:
        item = orjson.loads(row[1])
        if read.filter is None or read.filter.evaluate(item):
            projection = read.projection
            out["Items"].append(read.shaped(projection.apply(item)) if projection else orjson.Fragment(row[1]))
        if body.get("Limit") == 1:  # (Limit is at least 1: the request's validation)
            lek = key_attributes(table, item)
            out["NextToken"] = _token(_digest(body), 0, lek)
            out["LastEvaluatedKey"] = lek
    mode = capacity.wanted(body)
    if mode:
        units = capacity.read_units(row[0] if row else 0, bool(body.get("ConsistentRead")))
        out["ConsumedCapacity"] = capacity.consumed(mode, table.name, units)
    return out


def _fetches_from_table(index: IndexInfo, read: Read) -> bool:
    """DynamoDB's rules for a SELECT on an index that does not project everything
    (nubo-db/dynamodb-conformance, indexQualifier, run against DynamoDB): a read keyed on the
    index may not filter on what it does not project (one whose OR branches each pin a
    partition may: it is not keyed so); a column it does not project is refused by a GSI and
    fetched from the table by an LSI. SELECT * is the index's own projection."""
    if index.projection_type == "ALL":
        return False
    if read.filter is not None and read.keyed:
        missing = sorted(read.filter.attributes - index.projected_names)
        if missing:
            raise DynamoError.validation(
                INVALID + f"Secondary index {index.name} does not project one or more filter "
                f"attributes: [{', '.join(missing)}]"
            )
    if read.projection is None:
        return False
    absent = list(dict.fromkeys(p[0] for p in read.projection.paths if p[0] not in index.projected_names))
    if absent and index.is_global:
        raise DynamoError.validation(
            INVALID + f"Global secondary index {index.name} does not project [{', '.join(absent)}]"
        )
    return bool(absent)


def _fetch(
    conn: apsw.Connection, table: TableInfo, rows: list[dict], read: Read, consistent: bool
) -> tuple[list[dict], float]:
    """The table's items for an LSI's rows, filtered on the rows and projected; charged for
    every row read, kept or not (as DynamoDB charges the fetch)."""
    condition, projection = read.filter, read.projection
    assert projection is not None
    fetched = table_items(conn, table, rows, consistent, condition.evaluate if condition else None)
    assert fetched is not None  # (no budget)
    found, units = fetched
    return [projection.apply(item) for item in found], units


def _plan(
    source: Source, read: Read, partition: dict | None, limit: int | None, fetch: bool
) -> reads.ReadPlan | None:
    """The page plan for one partition (or the whole source); None when nothing can match.
    With `fetch`, whole index rows: filtered and projected once their items are fetched."""
    statement: Statement | None = source.scan_statement(0, 1)
    if partition is not None:
        statement = source.query_statement(partition, read.sort, read.forward)
        if statement is None:
            return None
    if fetch:
        return reads.ReadPlan(source.table, statement, limit, None, WHOLE_ROW, False)  # type: ignore[arg-type]
    return reads.ReadPlan(source.table, statement, limit, read.filter, read.projection, False)
