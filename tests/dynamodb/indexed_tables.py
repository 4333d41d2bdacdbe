"""A table with a GSI and an LSI, filled with items, for the backup and restore tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import table_name

KEYS = {
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
        {"AttributeName": "g", "AttributeType": "S"},
        {"AttributeName": "l", "AttributeType": "N"},
    ],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "by_g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "LocalSecondaryIndexes": [
        {
            "IndexName": "by_l",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
}


@pytest.fixture
def restored(ddb: Any) -> Any:
    """Tables to delete at the end of the test."""
    names: list[str] = []
    yield names
    for name in names:
        try:
            ddb.delete_table(TableName=name)
        except ddb.exceptions.ClientError:
            pass


@pytest.fixture
def indexed(ddb: Any, restored: list[str]) -> str:
    """A table with a GSI and an LSI (PAY_PER_REQUEST)."""
    name = table_name()
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **KEYS)
    restored.append(name)
    return name


def fill(ddb: Any, name: str, count: int) -> None:
    for start in range(0, count, 25):
        ddb.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": {"pk": {"S": f"p{i % 7}"}, "sk": {"N": str(i)}, "g": {"S": f"g{i % 3}"},
                                             "l": {"N": str(-i)}, "blob": {"B": bytes([i % 256])}}}}  # fmt: skip
                    for i in range(start, min(count, start + 25))
                ]
            }
        )


def all_items(ddb: Any, name: str) -> list[dict]:
    items = ddb.get_paginator("scan").paginate(TableName=name, ConsistentRead=True).build_full_result()["Items"]
    return sorted(items, key=lambda item: (item["pk"]["S"], int(item["sk"]["N"])))
