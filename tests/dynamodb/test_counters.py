"""ItemCount and TableSizeBytes follow every kind of write exactly: each write path keeps them
in the same transaction as the item."""

from __future__ import annotations

from typing import Any

from tests.dynamodb.helpers import table_name


def counters(ddb: Any, table: str) -> tuple[int, int]:
    described = ddb.describe_table(TableName=table)["Table"]
    return described["ItemCount"], described["TableSizeBytes"]


def create(ddb: Any) -> str:
    name = table_name()
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )  # fmt: skip
    return name


def fresh_counters(ddb: Any, source: str) -> tuple[int, int]:
    """The counters of a new table holding the same items, each written once."""
    copy = create(ddb)
    for item in ddb.scan(TableName=source, ConsistentRead=True)["Items"]:
        ddb.put_item(TableName=copy, Item=item)
    return counters(ddb, copy)


def item(pk: str, sk: int, **extra: Any) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}, **{k: {"S": v} for k, v in extra.items()}}


def key(pk: str, sk: int) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}}


def test_counters_follow_every_kind_of_write(ddb: Any) -> None:
    table = create(ddb)
    ddb.put_item(TableName=table, Item=item("a", 1, v="x" * 50))
    ddb.put_item(TableName=table, Item=item("a", 1, v="y"))  # replaced by a smaller item
    ddb.put_item(TableName=table, Item=item("a", 2, v="z" * 10), ReturnValues="ALL_OLD")
    ddb.put_item(TableName=table, Item=item("a", 2, v="z" * 30), ReturnConsumedCapacity="TOTAL")
    ddb.batch_write_item(RequestItems={table: [
        {"PutRequest": {"Item": item("b", 1, v="b" * 20)}},
        {"PutRequest": {"Item": item("a", 1, v="bigger" * 5)}},  # over an existing item
        {"DeleteRequest": {"Key": key("a", 2)}},
        {"DeleteRequest": {"Key": key("nobody", 1)}},  # missing: counts nothing
    ]})  # fmt: skip
    ddb.batch_write_item(
        RequestItems={table: [{"PutRequest": {"Item": item("c", i, v="c")}} for i in range(5)]},
        ReturnConsumedCapacity="TOTAL",
    )
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": item("d", 1, v="d" * 7)}},
        {"Update": {"TableName": table, "Key": key("c", 0), "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"S": "longer value"}}}},
        {"Delete": {"TableName": table, "Key": key("c", 1)}},
    ])  # fmt: skip
    ddb.update_item(TableName=table, Key=key("e", 1), UpdateExpression="SET n = :n",
                    ExpressionAttributeValues={":n": {"N": "12345"}})  # fmt: skip
    ddb.update_item(TableName=table, Key=key("e", 1), UpdateExpression="SET n = :n",
                    ExpressionAttributeValues={":n": {"N": "54321"}})  # same size  # fmt: skip
    ddb.delete_item(TableName=table, Key=key("c", 2))
    ddb.delete_item(TableName=table, Key=key("c", 2))  # already gone
    ddb.delete_item(TableName=table, Key=key("c", 3), ReturnValues="ALL_OLD")
    ddb.execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'f', 'sk': 1, 'v': 'partiql'}}")
    ddb.execute_statement(Statement=f"DELETE FROM \"{table}\" WHERE pk = 'c' AND sk = 4")

    count, size = counters(ddb, table)
    assert count == ddb.scan(TableName=table, Select="COUNT")["Count"] == 6
    assert (count, size) == fresh_counters(ddb, table)


def test_a_list_of_numbers_is_sized_alike_on_both_paths(ddb: Any) -> None:
    """A list of canonical numbers (a vector) is checked and sized in one pass; one that is not
    canonical takes the general path. Both must charge the same bytes."""
    numbers = ["0", "1", "-1", "0.5", "-0.000123", "12.5", "1000000", "3.14159", "-120", "0.1"]
    canonical, other = create(ddb), create(ddb)
    ddb.put_item(TableName=canonical, Item={**key("p", 1), "v": {"L": [{"N": n} for n in numbers]}})
    padded = [n + ".0" if "." not in n else n + "0" for n in numbers]  # trailing zeros: not canonical
    ddb.put_item(TableName=other, Item={**key("p", 1), "v": {"L": [{"N": n} for n in padded]}})
    assert counters(ddb, canonical) == counters(ddb, other)
