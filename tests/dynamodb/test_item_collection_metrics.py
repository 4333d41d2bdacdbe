"""ReturnItemCollectionMetrics=SIZE: tables with a local secondary index report the item collection
each write touched (its partition key) with a size estimate range in GB, for PutItem, UpdateItem,
DeleteItem, BatchWriteItem (per table, per collection) and TransactWriteItems; tables without an LSI
report nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lumadb.dynamodb import item_collections
from lumadb.dynamodb.catalog import TableInfo
from tests.dynamodb.helpers import table_name

SMALL = [0.0, 1.0]


def S(text: str) -> dict:
    return {"S": text}


@pytest.fixture
def create(ddb: Any) -> Iterator[Callable[..., str]]:
    created: list[str] = []

    def make(hash_type: str = "S", *, lsi: bool = True) -> str:
        name = table_name()
        index = {
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "rank", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }  # fmt: skip
        extra: dict[str, Any] = (
            {"LocalSecondaryIndexes": [{"IndexName": "byRank", **index}]}
            if lsi
            else {"GlobalSecondaryIndexes": [{"IndexName": "byRank", **index}]}
        )
        ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": hash_type},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "rank", "AttributeType": "N"},
            ],
            **extra,
        )  # fmt: skip
        created.append(name)
        return name

    yield make
    for name in created:
        ddb.delete_table(TableName=name)


def metrics(key: dict) -> dict:
    return {"ItemCollectionKey": key, "SizeEstimateRangeGB": SMALL}


def test_single_item_writes_report_their_item_collection(ddb: Any, create: Any) -> None:
    table = create()
    item = {"pk": S("a"), "sk": S("1"), "rank": {"N": "3"}}
    put = ddb.put_item(TableName=table, Item=item, ReturnItemCollectionMetrics="SIZE")
    assert put["ItemCollectionMetrics"] == metrics({"pk": S("a")})
    key = {"pk": S("a"), "sk": S("1")}
    updated = ddb.update_item(
        TableName=table, Key=key, UpdateExpression="SET #r = :r", ExpressionAttributeNames={"#r": "rank"},
        ExpressionAttributeValues={":r": {"N": "4"}},
        ReturnItemCollectionMetrics="SIZE",
    )  # fmt: skip
    assert updated["ItemCollectionMetrics"] == metrics({"pk": S("a")})
    deleted = ddb.delete_item(TableName=table, Key=key, ReturnItemCollectionMetrics="SIZE")
    assert deleted["ItemCollectionMetrics"] == metrics({"pk": S("a")})
    assert "ItemCollectionMetrics" not in ddb.put_item(TableName=table, Item=item, ReturnItemCollectionMetrics="NONE")
    assert "ItemCollectionMetrics" not in ddb.put_item(TableName=table, Item=item)


def test_the_collection_key_is_in_canonical_form(ddb: Any, create: Any) -> None:
    table = create("N")
    response = ddb.update_item(
        TableName=table, Key={"pk": {"N": "1.50"}, "sk": S("x")}, UpdateExpression="SET a = :a",
        ExpressionAttributeValues={":a": S("v")}, ReturnItemCollectionMetrics="SIZE",
    )  # fmt: skip
    assert response["ItemCollectionMetrics"] == metrics({"pk": {"N": "1.5"}})


def test_tables_without_a_local_index_report_nothing(ddb: Any, create: Any) -> None:
    table = create(lsi=False)  # a GSI only
    item = {"pk": S("a"), "sk": S("1"), "rank": {"N": "3"}}
    assert "ItemCollectionMetrics" not in ddb.put_item(TableName=table, Item=item, ReturnItemCollectionMetrics="SIZE")
    batch = ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}}]}, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in batch
    transaction = ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": table, "Item": item}}], ReturnItemCollectionMetrics="SIZE"
    )
    assert "ItemCollectionMetrics" not in transaction


def test_batches_and_transactions_report_each_collection_per_table(ddb: Any, create: Any) -> None:
    table, plain = create(), create(lsi=False)
    batch = ddb.batch_write_item(
        RequestItems={
            table: [
                {"PutRequest": {"Item": {"pk": S("a"), "sk": S("1")}}},
                {"PutRequest": {"Item": {"pk": S("a"), "sk": S("2")}}},
                {"DeleteRequest": {"Key": {"pk": S("b"), "sk": S("1")}}},
            ],
            plain: [{"PutRequest": {"Item": {"pk": S("a"), "sk": S("1")}}}],
        },
        ReturnItemCollectionMetrics="SIZE",
    )
    assert batch["ItemCollectionMetrics"] == {table: [metrics({"pk": S("a")}), metrics({"pk": S("b")})]}
    transaction = ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": S("c"), "sk": S("1")}}},
            {"Update": {"TableName": table, "Key": {"pk": S("a"), "sk": S("1")}, "UpdateExpression": "SET n = :n",
                        "ExpressionAttributeValues": {":n": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": table, "Key": {"pk": S("d"), "sk": S("1")},
                                "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Delete": {"TableName": plain, "Key": {"pk": S("a"), "sk": S("1")}}},
        ],
        ReturnItemCollectionMetrics="SIZE",
    )  # fmt: skip
    assert transaction["ItemCollectionMetrics"] == {table: [metrics({"pk": S("c")}), metrics({"pk": S("a")})]}


def test_the_estimate_is_a_one_gigabyte_range() -> None:
    table = TableInfo(1, "t", {
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    })  # fmt: skip
    three_gb = 3 * item_collections.GB + 5
    assert item_collections._metrics(table, {"pk": S("a")}, three_gb)["SizeEstimateRangeGB"] == [3.0, 4.0]
    assert item_collections._metrics(table, {"pk": S("a")}, 10)["SizeEstimateRangeGB"] == SMALL
