"""Fixtures for the DynamoDB tests: boto3 clients pointed at the shared test server and a
factory for uniquely named tables (deleted at the end of the test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.dynamodb.helpers import client_for, delete_table, resource_for, table_name
from tests.dynamodb.index_shapes import create  # noqa: F401 (a fixture)
from tests.dynamodb.indexed_tables import indexed, restored  # noqa: F401 (fixtures)

KeySpec = tuple[str, str]  # (attribute name, type)


@pytest.fixture(scope="session")
def ddb(server: Any) -> Any:
    return client_for(server.url)


@pytest.fixture(scope="session")
def ddb_unchecked(server: Any) -> Any:
    """A client without botocore's own parameter checks, for requests botocore refuses to send."""
    return client_for(server.url, validate=False)


@pytest.fixture(scope="session")
def ddb_resource(server: Any) -> Any:
    return resource_for(server.url)


@pytest.fixture
def make_table(ddb: Any) -> Iterator[Callable[..., str]]:
    """make_table(("pk", "S"), ("sk", "N")) -> the new table's name."""
    created: list[str] = []

    def make(hash_key: KeySpec = ("pk", "S"), range_key: KeySpec | None = None, **extra: Any) -> str:
        name = extra.pop("TableName", None) or table_name()
        definitions = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
        schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
        if range_key is not None:
            definitions.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
            schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        extra.setdefault("BillingMode", "PAY_PER_REQUEST")
        ddb.create_table(TableName=name, AttributeDefinitions=definitions, KeySchema=schema, **extra)
        created.append(name)
        return name

    yield make
    for name in created:
        try:
            ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
            delete_table(ddb, name)
        except ddb.exceptions.ClientError:
            pass
