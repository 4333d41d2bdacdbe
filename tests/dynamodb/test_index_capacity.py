"""ConsumedCapacity with secondary indexes: what a write costs on each index (AWS's rules for
index write costs) in TOTAL, and the per-table / per-index breakdown of INDEXES. The figures are
the ones DynamoDB reports for the same writes on the same table shapes: a table keyed pk/sk with a
GSI `gsi-inc` on gsiPk projecting INCLUDE [proj] and an LSI on pk/lsiSk projecting ALL (`lsi-all`)
or INCLUDE [proj] (`lsi-inc`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.dynamodb.helpers import table_name

GSI, LSI = "GlobalSecondaryIndexes", "LocalSecondaryIndexes"


def S(text: str) -> dict:
    return {"S": text}


def pad(n: int) -> dict:
    return S("x" * n)


@pytest.fixture
def create(ddb: Any) -> Iterator[Callable[[str], str]]:
    created: list[str] = []

    def make(lsi_projection: str) -> str:
        name = table_name()
        lsi = "lsi-all" if lsi_projection == "ALL" else "lsi-inc"
        projection: dict[str, Any] = {"ProjectionType": lsi_projection}
        if lsi_projection == "INCLUDE":
            projection["NonKeyAttributes"] = ["proj"]
        ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "gsiPk", "lsiSk")],
            GlobalSecondaryIndexes=[{
                "IndexName": "gsi-inc",
                "KeySchema": [{"AttributeName": "gsiPk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["proj"]},
            }],
            LocalSecondaryIndexes=[{
                "IndexName": lsi,
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "lsiSk", "KeyType": "RANGE"}],
                "Projection": projection,
            }],
        )  # fmt: skip
        created.append(name)
        return name

    yield make
    for name in created:
        ddb.delete_table(TableName=name)


@pytest.fixture
def table(create: Any) -> str:
    return str(create("ALL"))


@pytest.fixture
def sizing(create: Any) -> str:
    return str(create("INCLUDE"))


def expected(table: str, total: float, table_units: float, gsi: float | None = None, lsi: float | None = None,
             lsi_name: str = "lsi-all") -> dict:  # fmt: skip
    out: dict[str, Any] = {"TableName": table, "CapacityUnits": total, "Table": {"CapacityUnits": table_units}}
    if gsi is not None:
        out[GSI] = {"gsi-inc": {"CapacityUnits": gsi}}
    if lsi is not None:
        out[LSI] = {lsi_name: {"CapacityUnits": lsi}}
    return out


def put(ddb: Any, table: str, item: dict, mode: str = "INDEXES") -> dict:
    return dict(ddb.put_item(TableName=table, Item=item, ReturnConsumedCapacity=mode)["ConsumedCapacity"])


def update(ddb: Any, table: str, key: str, expression: str, values: dict | None = None, names: dict | None = None) -> dict:
    extra: dict[str, Any] = {}
    if values:
        extra["ExpressionAttributeValues"] = values
    if names:
        extra["ExpressionAttributeNames"] = names
    response = ddb.update_item(
        TableName=table, Key={"pk": S(key), "sk": S("1")}, UpdateExpression=expression,
        ReturnConsumedCapacity="INDEXES", **extra,
    )  # fmt: skip
    return dict(response["ConsumedCapacity"])


def item(key: str, **attributes: dict) -> dict:
    return {"pk": S(key), "sk": S("1"), **attributes}


def seeded(ddb: Any, table: str, key: str) -> None:
    """An item in both indexes, with a projected `proj` and a non-projected `other`."""
    ddb.put_item(
        TableName=table,
        Item=item(key, gsiPk=S("g"), lsiSk=S("L1"), proj=S("p"), other=S("o")),
    )


def test_put_item_charges_each_index_it_enters(ddb: Any, table: str) -> None:
    assert put(ddb, table, item("a", gsiPk=S("g"))) == expected(table, 2.0, 1.0, gsi=1.0)
    assert put(ddb, table, item("b", other=S("o"))) == expected(table, 1.0, 1.0)
    assert put(ddb, table, item("c", lsiSk=S("L1"))) == expected(table, 2.0, 1.0, lsi=1.0)
    both = item("d", gsiPk=S("g"), lsiSk=S("L1"), proj=S("p"))
    assert put(ddb, table, both) == expected(table, 3.0, 1.0, gsi=1.0, lsi=1.0)
    # an identical overwrite leaves both index entries as they were: no index arms
    assert put(ddb, table, both) == expected(table, 1.0, 1.0)


def test_total_includes_the_index_writes(ddb: Any, table: str) -> None:
    both = item("t", gsiPk=S("g"), lsiSk=S("L1"))
    assert put(ddb, table, both, "TOTAL") == {"TableName": table, "CapacityUnits": 3.0}
    response = ddb.delete_item(TableName=table, Key={"pk": S("t"), "sk": S("1")}, ReturnConsumedCapacity="TOTAL")
    assert response["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 3.0}


def test_update_item_charges_the_indexes_whose_entry_changes(ddb: Any, table: str) -> None:
    seeded(ddb, table, "b1")
    # `other` is outside the GSI's projection but inside the LSI's ALL projection
    assert update(ddb, table, "b1", "SET #o = :v", {":v": S("o2")}, {"#o": "other"}) == expected(
        table, 2.0, 1.0, lsi=1.0
    )
    assert update(ddb, table, "b1", "SET proj = :v", {":v": S("p2")}) == expected(table, 3.0, 1.0, gsi=1.0, lsi=1.0)
    # moving between index partitions is a delete and a put
    assert update(ddb, table, "b1", "SET gsiPk = :v", {":v": S("g2")}) == expected(table, 4.0, 1.0, gsi=2.0, lsi=1.0)
    assert update(ddb, table, "b1", "SET lsiSk = :v", {":v": S("L2")}) == expected(table, 3.0, 1.0, lsi=2.0)
    # leaving an index costs the delete of its entry
    assert update(ddb, table, "b1", "REMOVE gsiPk") == expected(table, 3.0, 1.0, gsi=1.0, lsi=1.0)


def test_delete_item_charges_the_indexes_the_item_was_in(ddb: Any, table: str) -> None:
    seeded(ddb, table, "d1")
    ddb.put_item(TableName=table, Item=item("d2", other=S("o")))
    for key, wanted in (("d1", expected(table, 3.0, 1.0, gsi=1.0, lsi=1.0)), ("d2", expected(table, 1.0, 1.0))):
        response = ddb.delete_item(
            TableName=table, Key={"pk": S(key), "sk": S("1")}, ReturnConsumedCapacity="INDEXES"
        )
        assert response["ConsumedCapacity"] == wanted


def test_index_writes_are_sized_on_the_index_entry(ddb: Any, sizing: str) -> None:
    # a 3023-byte item whose GSI entry is 18 bytes: the table pays 3, the GSI 1
    assert put(ddb, sizing, item("s1", gsiPk=S("g"), proj=S("p"), other=pad(3000))) == expected(
        sizing, 4.0, 3.0, gsi=1.0
    )
    # an entry changed in place costs the larger of its two sizes
    ddb.put_item(TableName=sizing, Item=item("s2", gsiPk=S("g"), proj=pad(3000)))
    assert update(ddb, sizing, "s2", "SET proj = :v", {":v": S("p")})[GSI] == {"gsi-inc": {"CapacityUnits": 3.0}}
    ddb.put_item(TableName=sizing, Item=item("s3", gsiPk=S("g"), proj=S("p")))
    assert update(ddb, sizing, "s3", "SET proj = :v", {":v": pad(3000)})[GSI] == {"gsi-inc": {"CapacityUnits": 3.0}}
    # each half of a move is rounded on its own entry: 1517 B + 1517 B costs 2 + 2
    ddb.put_item(TableName=sizing, Item=item("s4", gsiPk=S("A"), proj=pad(1500)))
    assert update(ddb, sizing, "s4", "SET gsiPk = :v", {":v": S("B")})[GSI] == {"gsi-inc": {"CapacityUnits": 4.0}}
    ddb.put_item(TableName=sizing, Item=item("s5", gsiPk=S("A"), proj=pad(3000)))
    moved = update(ddb, sizing, "s5", "SET gsiPk = :v, proj = :p", {":v": S("B"), ":p": S("p")})
    assert moved[GSI] == {"gsi-inc": {"CapacityUnits": 4.0}}
    # the LSI follows the same rules
    ddb.put_item(TableName=sizing, Item=item("l1", lsiSk=S("L"), proj=S("p")))
    grown = update(ddb, sizing, "l1", "SET proj = :v", {":v": pad(3000)})
    assert grown[LSI] == {"lsi-inc": {"CapacityUnits": 3.0}}


def test_batch_write_item_reports_index_writes_per_table(ddb: Any, table: str, sizing: str) -> None:
    response = ddb.batch_write_item(
        RequestItems={
            table: [
                {"PutRequest": {"Item": item("w1", gsiPk=S("g"), lsiSk=S("L"))}},
                {"PutRequest": {"Item": item("w2", gsiPk=S("g"))}},
            ],
            sizing: [{"PutRequest": {"Item": item("w3", other=S("o"))}}],
        },
        ReturnConsumedCapacity="INDEXES",
    )
    by_table = {c["TableName"]: c for c in response["ConsumedCapacity"]}
    assert by_table == {
        table: expected(table, 5.0, 2.0, gsi=2.0, lsi=1.0),
        sizing: expected(sizing, 1.0, 1.0),
    }


def test_transactions_double_the_table_units_and_not_the_index_units(ddb: Any, table: str, sizing: str) -> None:
    response = ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": table, "Item": item("x1", gsiPk=S("g"))}}],
        ReturnConsumedCapacity="INDEXES",
    )
    assert response["ConsumedCapacity"] == [{
        "TableName": table, "CapacityUnits": 3.0, "WriteCapacityUnits": 3.0,
        "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0},
        GSI: {"gsi-inc": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}},
    }]  # fmt: skip
    # a move of a 1517-byte entry: the table pays 2 x 2, the index 2 + 2
    ddb.put_item(TableName=sizing, Item=item("x2", gsiPk=S("g"), proj=pad(1500)))
    moved = ddb.transact_write_items(
        TransactItems=[{"Update": {
            "TableName": sizing, "Key": {"pk": S("x2"), "sk": S("1")},
            "UpdateExpression": "SET gsiPk = :v", "ExpressionAttributeValues": {":v": S("g9")},
        }}],
        ReturnConsumedCapacity="INDEXES",
    )["ConsumedCapacity"][0]  # fmt: skip
    assert (moved["CapacityUnits"], moved["Table"]["CapacityUnits"], moved[GSI]["gsi-inc"]["CapacityUnits"]) == (
        8.0, 4.0, 4.0
    )
    # a ConditionCheck is charged like a write of the item it reads, and touches no index
    ddb.put_item(TableName=sizing, Item=item("x3", gsiPk=S("g"), other=pad(3000)))
    checked = ddb.transact_write_items(
        TransactItems=[{"ConditionCheck": {
            "TableName": sizing, "Key": {"pk": S("x3"), "sk": S("1")}, "ConditionExpression": "attribute_exists(pk)",
        }}],
        ReturnConsumedCapacity="TOTAL",
    )["ConsumedCapacity"]  # fmt: skip
    assert checked == [{"TableName": sizing, "CapacityUnits": 6.0, "WriteCapacityUnits": 6.0}]


def test_query_on_an_index_charges_the_index(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item=item("q1", gsiPk=S("g")))
    response = ddb.query(
        TableName=table, IndexName="gsi-inc", KeyConditionExpression="gsiPk = :g",
        ExpressionAttributeValues={":g": S("g")}, ReturnConsumedCapacity="INDEXES",
    )  # fmt: skip
    assert response["ConsumedCapacity"] == {
        "TableName": table, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
        GSI: {"gsi-inc": {"CapacityUnits": 0.5}},
    }  # fmt: skip


def test_an_lsi_query_that_fetches_from_the_table_charges_the_table_for_each_item(ddb: Any, sizing: str) -> None:
    # lsi-inc holds keys and proj only: `other` comes from the table, each whole item (~5 KB:
    # two units, one eventually consistent) charged on its own, the index rows (one unit's
    # worth in all) to the index.
    for sk in ("1", "2"):
        ddb.put_item(TableName=sizing, Item={**item("f", sk=S(sk)), "lsiSk": S(sk), "other": pad(5000)})
    response = ddb.query(
        TableName=sizing, IndexName="lsi-inc", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": S("f")}, Select="ALL_ATTRIBUTES", ReturnConsumedCapacity="INDEXES",
    )  # fmt: skip
    assert [len(found["other"]["S"]) for found in response["Items"]] == [5000, 5000]
    assert response["ConsumedCapacity"] == {
        "TableName": sizing, "CapacityUnits": 2.5, "Table": {"CapacityUnits": 2.0},
        LSI: {"lsi-inc": {"CapacityUnits": 0.5}},
    }  # fmt: skip
    total = ddb.query(
        TableName=sizing, IndexName="lsi-inc", KeyConditionExpression="pk = :p", ConsistentRead=True,
        ExpressionAttributeValues={":p": S("f")}, ProjectionExpression="#o", ExpressionAttributeNames={"#o": "other"},
        ReturnConsumedCapacity="TOTAL",
    )["ConsumedCapacity"]  # fmt: skip
    assert total == {"TableName": sizing, "CapacityUnits": 5.0}


def test_an_lsi_query_fetching_more_than_is_read_inline_returns_and_charges_every_item(ddb: Any, sizing: str) -> None:
    # A short page's items are fetched on the event loop up to 128 KB, a longer fetch again on
    # the reader pool: six items of ~40 KB (ten 4 KB units each, half a unit eventually
    # consistent) come back whole, in the index's order, each charged to the table.
    for sk in "654321":
        ddb.put_item(TableName=sizing, Item={**item("big", sk=S(sk)), "lsiSk": S(sk), "other": pad(40_000 + int(sk))})
    response = ddb.query(
        TableName=sizing, IndexName="lsi-inc", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": S("big")}, Select="ALL_ATTRIBUTES", ReturnConsumedCapacity="INDEXES",
    )  # fmt: skip
    assert [(found["lsiSk"]["S"], len(found["other"]["S"])) for found in response["Items"]] == [
        (sk, 40_000 + int(sk)) for sk in "123456"
    ]
    assert response["ConsumedCapacity"]["Table"] == {"CapacityUnits": 30.0}
