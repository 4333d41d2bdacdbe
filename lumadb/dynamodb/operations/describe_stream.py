"""DescribeStream (DynamoDB Streams): a stream's status, view type, key schema and its shard
with the shard's sequence-number range (closed shards have an ending number)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.streams import storage
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


def stream_not_found(arn: str) -> DynamoError:
    return DynamoError.resource_not_found(f"Requested resource not found: Stream: {arn} not found")


def describe_shard(stream: storage.Stream) -> dict[str, Any]:
    numbers = {"StartingSequenceNumber": storage.format_sequence(stream.start_seq)}
    if stream.end_seq is not None:
        numbers["EndingSequenceNumber"] = storage.format_sequence(max(stream.end_seq, stream.start_seq))
    return {"ShardId": stream.shard_id, "SequenceNumberRange": numbers}


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    arn = body["StreamArn"]
    storage.check_arn(arn)
    stream = service.read_now(storage.by_arn, arn)
    if stream is None:
        raise stream_not_found(arn)
    shards = [describe_shard(stream)]
    after = body.get("ExclusiveStartShardId")
    if after is not None and not stream.shard_id > after:  # shards are listed in id order
        shards = []
    return {
        "StreamDescription": {
            "StreamArn": stream.arn,
            "StreamLabel": stream.label,
            "StreamStatus": "ENABLED" if stream.enabled else "DISABLED",
            "StreamViewType": stream.view_type,
            "CreationRequestDateTime": round(stream.created, 3),
            "TableName": stream.table_name,
            "KeySchema": stream.key_schema,
            "Shards": shards,
        }
    }
