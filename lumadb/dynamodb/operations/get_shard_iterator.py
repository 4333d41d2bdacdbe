"""GetShardIterator (DynamoDB Streams): where reading a shard starts: TRIM_HORIZON (the oldest
record kept), LATEST (just after the newest), AT_ or AFTER_SEQUENCE_NUMBER."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.operations.describe_stream import stream_not_found
from lumadb.dynamodb.streams import iterators, storage
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService
    from lumadb.storage.sqlite import apsw

TRIMMED = "The operation attempted to read past the oldest stream record in a shard."


def _start(conn: apsw.Connection, body: dict) -> tuple[storage.Stream, int]:
    arn = body["StreamArn"]
    storage.check_arn(arn)
    stream = storage.by_arn(conn, arn)
    if stream is None:
        raise stream_not_found(arn)
    if body["ShardId"] != stream.shard_id:
        raise DynamoError.resource_not_found(
            f"Requested resource not found: Shard does not exist: {body['ShardId']}"
        )
    kind = body["ShardIteratorType"]
    if kind in ("TRIM_HORIZON", "LATEST") and body.get("SequenceNumber") is not None:
        raise DynamoError.validation("SequenceNumber should not be passed for this iterator type")
    oldest = max(stream.start_seq, stream.trimmed_seq + 1)
    if kind == "TRIM_HORIZON":
        return stream, oldest
    if kind == "LATEST":
        last = stream.end_seq if stream.end_seq is not None else storage.last_sequence(conn)
        return stream, max(last + 1, stream.start_seq)
    text = body.get("SequenceNumber")
    if text is None:
        raise DynamoError.validation(f"SequenceNumber must be specified for ShardIteratorType {kind}")
    seq = storage.parse_sequence(text)
    last = stream.end_seq if stream.end_seq is not None else storage.last_sequence(conn)
    if seq is None or seq < stream.start_seq or seq > max(last, stream.start_seq):  # none issued yet
        raise DynamoError.validation(
            f"Invalid SequenceNumber {text} for shard {stream.shard_id} of stream {stream.arn}"
        )
    if seq < oldest:
        raise DynamoError.trimmed_data_access(TRIMMED)
    return stream, seq + 1 if kind == "AFTER_SEQUENCE_NUMBER" else seq


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    stream, next_seq = service.read_now(_start, body)
    return {"ShardIterator": iterators.encode(service.server.secret, stream.arn, stream.id, next_seq)}
