"""GetRecords (DynamoDB Streams): up to Limit records (1000, and at most 1 MB) from an iterator's
position, and the iterator for the next call; a closed shard read to its end has none."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.operations.describe_stream import stream_not_found
from lumadb.dynamodb.operations.get_shard_iterator import TRIMMED
from lumadb.dynamodb.streams import iterators, records, storage
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService
    from lumadb.storage.sqlite import apsw

DEFAULT_LIMIT = 1000
MAX_BYTES = 1024 * 1024


def _read(
    conn: apsw.Connection, arn: str, position: iterators.Position, limit: int, budget: int | None = None
) -> tuple[storage.Stream, list[tuple[int, bytes]]] | None:
    """The stream and its records from the position on, in one read transaction; None once
    more than `budget` bytes were read (on the event loop, where most polls find a few
    records or none: the caller reads them again on the reader pool, whose thread hop costs
    more CPU than such a read)."""
    conn.execute("BEGIN")
    try:
        stream = storage.by_id(conn, position.stream_id)
        if stream is None or stream.arn != arn:
            raise stream_not_found(arn)
        if position.next_seq <= stream.trimmed_seq:
            raise DynamoError.trimmed_data_access(TRIMMED)
        rows = storage.read_records(conn, stream.id, position.next_seq, limit, budget)
        return (stream, rows) if rows is not None else None
    finally:
        if conn.in_transaction:  # (an I/O error may have rolled it back already)
            conn.execute("COMMIT")


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    secret = service.server.secret
    arn, position = iterators.decode(secret, body["ShardIterator"])
    limit = body.get("Limit") or DEFAULT_LIMIT
    stream, rows = await service.read_bounded(_read, arn, position, limit)
    out: list[Any] = []
    size = 0
    next_seq = position.next_seq
    for seq, blob in rows:
        if out and size + len(blob) > MAX_BYTES:
            break
        size += len(blob)
        out.append(records.rendered(stream.id, seq, blob))
        next_seq = seq + 1
    result: dict[str, Any] = {"Records": out}
    # a closed shard read to its end has no next iterator
    read_to_end = len(out) == len(rows) and len(rows) < (body.get("Limit") or DEFAULT_LIMIT)
    if stream.enabled or not read_to_end:
        result["NextShardIterator"] = iterators.encode(secret, stream.arn, stream.id, next_seq)
    return result
