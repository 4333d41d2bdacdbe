"""Shapes for the secondary-index tests: attribute definitions, key schemas, index
definitions, a table factory that takes them, and a Query on an index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.dynamodb.helpers import table_name

S, N = "S", "N"


def attribute_definitions(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"AttributeName": name, "AttributeType": type_name} for name, type_name in pairs]


def key_schema(hash_key: str, *range_keys: str, hashes: tuple[str, ...] = ()) -> list[dict[str, str]]:
    out = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    out += [{"AttributeName": name, "KeyType": "HASH"} for name in hashes]
    return out + [{"AttributeName": name, "KeyType": "RANGE"} for name in range_keys]


def index_definition(
    name: str, hash_key: str, *range_keys: str, projection: str = "ALL", include: list[str] | None = None
) -> dict:
    out: dict[str, Any] = {
        "IndexName": name,
        "KeySchema": key_schema(hash_key, *range_keys),
        "Projection": {"ProjectionType": projection},
    }
    if include:
        out["Projection"]["NonKeyAttributes"] = include
    return out


@pytest.fixture
def create(ddb: Any) -> Iterator[Callable[..., str]]:
    """create(hash, range?, AttributeDefinitions=..., ...) -> a new table's name (deleted afterwards)."""
    created: list[str] = []

    def make(hash_key: tuple[str, str], range_key: tuple[str, str] | None = None, **extra: Any) -> str:
        name = table_name()
        extra.setdefault("AttributeDefinitions", attribute_definitions(hash_key, *([range_key] if range_key else [])))
        schema = key_schema(hash_key[0], *([range_key[0]] if range_key else []))
        ddb.create_table(TableName=name, KeySchema=schema, BillingMode="PAY_PER_REQUEST", **extra)
        created.append(name)
        return name

    yield make
    for name in created:
        ddb.delete_table(TableName=name)


def query_index(ddb: Any, table: str, index: str, condition: str, values: dict, **extra: Any) -> dict[str, Any]:
    return dict(
        ddb.query(
            TableName=table,
            IndexName=index,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            **extra,
        )
    )
