"""Table tags, addressed by the table's ARN (TagResource, UntagResource, ListTagsOfResource)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import catalog
from lumadb.dynamodb.errors import DynamoError

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService

_TABLE_ARN = re.compile(r"arn:aws:dynamodb:[^:]+:\d+:table/([^/]{2}[^/]+)\Z")


def table_for(service: DynamoService, arn: str | None, not_found: str) -> TableInfo:
    if not arn:
        raise DynamoError.validation("Invalid TableArn")
    match = _TABLE_ARN.match(arn)
    if match is None:
        raise DynamoError.validation(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    table = service.catalog.get(match.group(1))
    if table is None:
        raise DynamoError.resource_not_found(not_found)
    return table


async def change_tags(service: DynamoService, table: TableInfo, change: Any) -> None:
    def apply(meta: dict[str, Any]) -> None:
        meta["Tags"] = change(meta.get("Tags") or [])

    updated = await service.write(catalog.update_meta, table.name, apply)
    if updated is None:
        raise DynamoError.resource_not_found()
    new_table, _, _, version = updated
    service.catalog.installed(new_table, table.name, version)
