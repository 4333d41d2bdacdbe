"""The order in which CreateTable lists several constraint violations: DynamoDB's own model's
order, as dynalite's tests recorded it against the service (not botocore's member order)."""

from __future__ import annotations

from typing import Any

from tests.dynamodb.helpers import error_of, table_name

KEY = {"KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
       "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}]}  # fmt: skip
MIN = "failed to satisfy constraint: Member must have value greater than or equal to 1"


def test_throughput_comes_before_the_key_schema_and_the_indexes(ddb_unchecked: Any) -> None:
    units = {"ReadCapacityUnits": -1, "WriteCapacityUnits": -1}
    assert error_of(ddb_unchecked.create_table, TableName=table_name(), AttributeDefinitions=[], KeySchema=[],
                    ProvisionedThroughput=units) == ("ValidationException", (
        "3 validation errors detected: "
        f"Value '-1' at 'provisionedThroughput.writeCapacityUnits' {MIN}; "
        f"Value '-1' at 'provisionedThroughput.readCapacityUnits' {MIN}; "
        "Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1"))  # fmt: skip
    lsi = {"IndexName": "l0", "KeySchema": KEY["KeySchema"], "Projection": {"ProjectionType": "ALL"}}
    assert error_of(ddb_unchecked.create_table, TableName=table_name(), **KEY, LocalSecondaryIndexes=[lsi],
                    ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 0})[1] == (
        f"2 validation errors detected: Value '0' at 'provisionedThroughput.writeCapacityUnits' {MIN}; "
        "Value 'l0' at 'localSecondaryIndexes.1.member.indexName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3")  # fmt: skip


def test_an_empty_local_index_misses_its_projection_first(ddb_unchecked: Any) -> None:
    assert error_of(ddb_unchecked.create_table, TableName=table_name(), **KEY, LocalSecondaryIndexes=[{}],
                    BillingMode="PAY_PER_REQUEST")[1] == "3 validation errors detected: " + "; ".join(
        f"Value null at 'localSecondaryIndexes.1.member.{member}' failed to satisfy constraint: Member must not be null"
        for member in ("projection", "indexName", "keySchema"))  # fmt: skip


def test_a_global_index_before_a_local_one(ddb_unchecked: Any) -> None:
    """Whichever the request lists first (paritysuite's captures, eu-west-2 and us-east-1)."""
    key = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
           "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "lr", "gh")]}  # fmt: skip
    lsi = {"IndexName": "aa", "Projection": {"ProjectionType": "ALL"},
           "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "lr", "KeyType": "RANGE"}]}  # fmt: skip
    gsi = {"IndexName": "zz", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [{"AttributeName": "gh", "KeyType": "HASH"}]}
    short = "failed to satisfy constraint: Member must have length greater than or equal to 3"
    assert error_of(ddb_unchecked.create_table, TableName=table_name(), BillingMode="PAY_PER_REQUEST", **key,
                    LocalSecondaryIndexes=[lsi], GlobalSecondaryIndexes=[gsi])[1] == (
        f"2 validation errors detected: Value 'zz' at 'globalSecondaryIndexes.1.member.indexName' {short}; "
        f"Value 'aa' at 'localSecondaryIndexes.1.member.indexName' {short}")  # fmt: skip
