"""TagResource: add or replace tags on a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.tags import change_tags, check_count, check_tags, not_found, table_for
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> None:
    arn = body.get("ResourceArn")
    table = table_for(service, arn, not_found(arn))
    tags = body.get("Tags") or []
    if not tags:
        raise DynamoError.validation("Atleast one Tag needs to be provided as Input.")
    new = check_tags(tags)

    def merge(current: list[dict]) -> list[dict]:
        kept = [tag for tag in current if tag["Key"] not in new]
        check_count(len(kept) + len(new))  # in the write, so concurrent TagResource calls count too
        return kept + [{"Key": k, "Value": v} for k, v in new.items()]

    await change_tags(service, table, merge)
    return None  # an empty body
