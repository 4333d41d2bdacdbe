"""UntagResource: remove tags from a table by key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.tags import change_tags, check_key, table_for
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> None:
    table = table_for(service, body.get("ResourceArn"), "Requested resource not found")
    keys = set(body.get("TagKeys") or [])
    if not keys:
        raise DynamoError.validation("Atleast one Tag Key needs to be provided as Input.")
    for key in body["TagKeys"]:  # in request order: the first invalid key is the one named
        if key is not None:
            check_key(key)
    await change_tags(service, table, lambda current: [tag for tag in current if tag["Key"] not in keys])
    return None  # an empty body
