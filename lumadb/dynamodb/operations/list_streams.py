"""ListStreams (DynamoDB Streams): the server's streams, enabled and recently disabled, oldest
first, optionally of one table, paged by Limit and ExclusiveStartStreamArn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb.streams import storage
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService

DEFAULT_LIMIT = 100


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    table_name = body.get("TableName")
    if table_name is not None and table_name.startswith("arn:"):
        table_name = table_name.split(":table/", 1)[-1].split("/", 1)[0]
    start = body.get("ExclusiveStartStreamArn")
    if start is not None:
        storage.check_arn(start)
    streams = service.read_now(storage.listed, table_name)
    if start is not None:
        ids = [stream.id for stream in streams if stream.arn == start]
        streams = [stream for stream in streams if ids and stream.id > ids[0]]
    limit = body.get("Limit") or DEFAULT_LIMIT
    page = streams[:limit]
    out: dict = {
        "Streams": [
            {"StreamArn": stream.arn, "TableName": stream.table_name, "StreamLabel": stream.label}
            for stream in page
        ]
    }
    if len(streams) > limit:
        out["LastEvaluatedStreamArn"] = page[-1].arn
    return out
