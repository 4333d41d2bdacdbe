"""Table tags, addressed by the table's ARN (TagResource, UntagResource, ListTagsOfResource)."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.schema import INVALID
from lumadb.dynamodb.validation.nodes import utf16_length

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService

_TABLE_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:dynamodb:[^:]+:\d+:table/([^/]{2}[^/]+)\Z")
_KIND = re.compile(r"arn:aws(?:-[a-z]+)*:dynamodb:[^:]+:\d+:table/[^/]+/")  # a table's backup, index...
MAX_TAGS = 50
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256
# AWS's tag character set: Unicode letters (L*), digits (N*), white space (Z*) and these.
_SPECIAL = frozenset("+-=._:/@")


def _valid(text: str, max_length: int) -> bool:
    length = len(text) if text.isascii() else utf16_length(text)  # Java counts UTF-16 units
    return length <= max_length and all(c in _SPECIAL or unicodedata.category(c)[0] in "LNZ" for c in text)


def check_key(key: str | None) -> str:
    if not key or not _valid(key, MAX_KEY_LENGTH):
        shown = "null" if key is None else key
        raise DynamoError.validation(f"The Tag Key provided is invalid, Key: {shown}")
    return key


def check_tags(tags: list[dict[str, Any]]) -> dict[str, str]:
    """The tags a request gives (TagResource, CreateTable) as key -> value, after DynamoDB's
    checks; the spec leaves keys and values unconstrained so that these texts answer."""
    given: dict[str, str] = {}
    for tag in tags:
        if tag is None:  # a null list member is no tag
            continue
        key, value = check_key(tag.get("Key")), tag.get("Value")
        if value is None or not _valid(value, MAX_VALUE_LENGTH):
            shown = "null" if value is None else value
            raise DynamoError.validation(f"The Tag Value provided is invalid, Value: {shown}")
        check_not_reserved(key)
        if key in given:
            raise DynamoError.validation(f"Duplicate Tag Keys provided as input: Duplicate Tag Key found {key}")
        given[key] = value
    return given


def check_not_reserved(key: str) -> None:
    """AWS's own prefix, in any case, on TagResource and UntagResource alike (live probes of
    DynamoDB, 2026-10: `AWS:foo` refused, `myaws:foo` taken)."""
    if key[:4].lower() == "aws:":
        raise DynamoError.validation(f"Tag Key cannot be prefixed with aws:, Key: {key}")


def not_found(arn: str | None) -> str:
    """The tag APIs' ResourceNotFoundException text (spelled so since 2026; older captures of
    DynamoDB had `ResourcArn`)."""
    return f"Requested resource not found: ResourceArn: {arn} not found"


def check_count(count: int) -> None:
    """A table holds at most 50 tags, counted after merging keys."""
    if count > MAX_TAGS:
        raise DynamoError.validation("Number of Tags exceed the current limit for the provided ResourceArn")


def table_for(service: DynamoService, arn: str | None, not_found: str) -> TableInfo:
    if not arn:
        raise DynamoError.validation("Invalid TableArn")
    if not arn.startswith("arn:"):
        raise DynamoError.validation(INVALID + f"ARNs must start with 'arn:': {arn}")
    match = _TABLE_ARN.match(arn)
    if match is None:
        if _KIND.match(arn) and "/backup/" in arn:
            raise DynamoError.validation(INVALID + f"Provided Arn is not a DynamoDB resource arn: {arn}")
        if _KIND.match(arn) and "/index/" in arn:
            raise DynamoError.validation(
                INVALID + f"Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {arn}"
            )
        raise DynamoError.validation(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    table = service.catalog.get(match.group(1))
    if table is None:
        raise DynamoError.resource_not_found(not_found)
    return table


async def change_tags(service: DynamoService, table: TableInfo, change: Any) -> None:
    def apply(meta: dict[str, Any]) -> None:
        meta["Tags"] = change(meta.get("Tags") or [])

    await service.change_table(table.name, apply, DynamoError.resource_not_found())
