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


def test_unused_definitions_are_listed_as_sent(ddb: Any) -> None:
    """The definitions as sent, the keys as the key schemas use them (a CloudFormation log of 2020,
    live probes of DynamoDB, 2026-10)."""
    definitions = [{"AttributeName": name, "AttributeType": "S"} for name in ("sk", "a", "b", "pk", "c")]
    assert error_of(ddb.create_table, TableName=table_name(), BillingMode="PAY_PER_REQUEST", AttributeDefinitions=definitions,
                    KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                    GlobalSecondaryIndexes=[{"IndexName": "byPk", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                             "Projection": {"ProjectionType": "ALL"}}]) == (  # fmt: skip
        "ValidationException",
        "One or more parameter values were invalid: Some AttributeDefinitions are not used. "
        "AttributeDefinitions: [sk, a, b, pk, c], keys used: [a, sk, pk]",
    )


def test_definitions_and_projected_attributes_are_described_in_name_order(ddb: Any) -> None:
    """Live probes of DynamoDB, 2026-10: [z, a, m, sk, pk] is described [a, m, pk, sk, z], and an
    INCLUDE projection's [zz, aa, mm, sk] as [aa, mm, sk, zz]; the indexes keep their order."""
    name = table_name()
    definitions = [{"AttributeName": n, "AttributeType": "S"} for n in ("z", "a", "m", "sk", "pk")]
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=definitions,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "g-z", "KeySchema": [{"AttributeName": "z", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["zz", "aa", "mm", "sk"]}},
            {"IndexName": "g-a", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "m", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"}},
        ],
    )  # fmt: skip
    try:
        table = ddb.describe_table(TableName=name)["Table"]
        assert [d["AttributeName"] for d in table["AttributeDefinitions"]] == ["a", "m", "pk", "sk", "z"]
        assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["g-z", "g-a"]
        assert table["GlobalSecondaryIndexes"][0]["Projection"]["NonKeyAttributes"] == ["aa", "mm", "sk", "zz"]
    finally:
        ddb.delete_table(TableName=name)
