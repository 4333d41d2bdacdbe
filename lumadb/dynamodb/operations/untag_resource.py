"""UntagResource: remove tags from a table by key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.tags import MAX_TAGS, change_tags, check_key, check_not_reserved, not_found, table_for
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> None:
    table = table_for(service, body.get("ResourceArn"), not_found(body.get("ResourceArn")))
    keys = set(body.get("TagKeys") or [])
    if not keys:
        raise DynamoError.validation("Atleast one Tag Key needs to be provided as Input.")
    if len(body["TagKeys"]) > MAX_TAGS:  # though it removes tags (live probes, 2026-10)
        raise DynamoError.validation("Number of Tags exceed the current limit for the provided ResourceArn")
    for key in body["TagKeys"]:  # in request order: the first invalid key is the one named
        if key is not None:
            check_key(key)
            check_not_reserved(key)
    await change_tags(service, table, lambda current: [tag for tag in current if tag["Key"] not in keys])
    return None  # an empty body
