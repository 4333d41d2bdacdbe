"""BatchGetItem and BatchWriteItem with boto3, including Table.batch_writer() as the copy
script of the migration guide uses it."""

from __future__ import annotations

from typing import Any

from tests.dynamodb.helpers import error_of, table_name


def put(pk: str, **extra: Any) -> dict:
    return {"PutRequest": {"Item": {"pk": {"S": pk}, **extra}}}


def test_batch_write_then_batch_get_across_tables(ddb: Any, make_table: Any) -> None:
    first, second = make_table(), make_table(("id", "N"))
    response = ddb.batch_write_item(
        RequestItems={
            first: [put(f"a{i}", v={"N": str(i)}) for i in range(10)],
            second: [{"PutRequest": {"Item": {"id": {"N": "1"}, "x": {"S": "one"}}}}],
        },
        ReturnConsumedCapacity="TOTAL",
    )
    assert response["UnprocessedItems"] == {}
    assert {c["TableName"]: c["CapacityUnits"] for c in response["ConsumedCapacity"]} == {
        first: 10.0,
        second: 1.0,
    }
    got = ddb.batch_get_item(
        RequestItems={
            first: {
                "Keys": [{"pk": {"S": "a1"}}, {"pk": {"S": "a2"}}, {"pk": {"S": "missing"}}],
                "ProjectionExpression": "#v",
                "ExpressionAttributeNames": {"#v": "v"},
            },
            second: {"Keys": [{"id": {"N": "1.0"}}], "ConsistentRead": True},
        },
        ReturnConsumedCapacity="TOTAL",
    )
    assert sorted(got["Responses"][first], key=lambda i: i["v"]["N"]) == [
        {"v": {"N": "1"}},
        {"v": {"N": "2"}},
    ]
    assert got["Responses"][second] == [{"id": {"N": "1"}, "x": {"S": "one"}}]
    assert got["UnprocessedKeys"] == {}
    assert {c["TableName"]: c["CapacityUnits"] for c in got["ConsumedCapacity"]} == {first: 1.5, second: 1.0}
    ddb.batch_write_item(
        RequestItems={first: [{"DeleteRequest": {"Key": {"pk": {"S": f"a{i}"}}}} for i in range(5)]}
    )
    assert ddb.describe_table(TableName=first)["Table"]["ItemCount"] == 5


def test_batch_write_errors(ddb: Any, make_table: Any) -> None:
    name = make_table()
    assert error_of(ddb.batch_write_item, RequestItems={name: [put("a"), put("a")]}) == (
        "ValidationException",
        "Provided list of item keys contains duplicates",
    )
    assert (
        error_of(
            ddb.batch_write_item,
            RequestItems={name: [put("a"), {"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]},
        )[1]
        == "Provided list of item keys contains duplicates"
    )
    assert error_of(ddb.batch_write_item, RequestItems={name: [{"PutRequest": {"Item": {"x": {"S": "a"}}}}]})[
        1
    ] == ("The provided key element does not match the schema")
    assert error_of(ddb.batch_write_item, RequestItems={table_name(): [put("a")]}) == (
        "ResourceNotFoundException",
        "Requested resource not found",
    )
    other = make_table()
    code, message = error_of(
        ddb.batch_write_item,
        RequestItems={
            name: [put(f"x{i}") for i in range(13)],
            other: [put(f"y{i}") for i in range(13)],
        },
    )
    assert (code, message) == ("ValidationException", "Too many items requested for the BatchWriteItem call")
    assert error_of(ddb.batch_write_item, RequestItems={name: [put("big", b={"B": b"x" * 410_000})]})[1] == (
        "Item size has exceeded the maximum allowed size"
    )
    # a failing batch writes nothing
    assert error_of(
        ddb.batch_write_item, RequestItems={name: [put("ok"), {"PutRequest": {"Item": {"pk": {"N": "1"}}}}]}
    )
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "ok"}})


def test_batch_get_errors(ddb: Any, make_table: Any) -> None:
    name = make_table()
    assert error_of(
        ddb.batch_get_item, RequestItems={name: {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "a"}}]}}
    ) == (
        "ValidationException",
        "Provided list of item keys contains duplicates",
    )
    keys = [{"pk": {"S": f"k{i}"}} for i in range(101)]
    assert error_of(ddb.batch_get_item, RequestItems={name: {"Keys": keys}})[0] == "ValidationException"
    split = {name: {"Keys": keys[:60]}, make_table(): {"Keys": keys[60:]}}
    assert error_of(ddb.batch_get_item, RequestItems=split) == (
        "ValidationException",
        "Too many items requested for the BatchGetItem call",
    )
    assert error_of(ddb.batch_get_item, RequestItems={name: {"Keys": [{"pk": {"N": "1"}}]}})[1] == (
        "The provided key element does not match the schema"
    )
    assert error_of(ddb.batch_get_item, RequestItems={table_name(): {"Keys": [{"pk": {"S": "a"}}]}})[0] == (
        "ResourceNotFoundException"
    )


def test_batch_get_of_a_hundred_keys(ddb: Any, make_table: Any) -> None:
    name = make_table()
    for start in range(0, 100, 25):
        ddb.batch_write_item(RequestItems={name: [put(f"k{i}") for i in range(start, start + 25)]})
    got = ddb.batch_get_item(RequestItems={name: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(100)]}})
    assert sorted(item["pk"]["S"] for item in got["Responses"][name]) == sorted(f"k{i}" for i in range(100))


def test_batch_writer_copies_a_table(ddb_resource: Any, make_table: Any) -> None:
    source = ddb_resource.Table(make_table(("pk", "S"), ("sk", "N")))
    target = ddb_resource.Table(make_table(("pk", "S"), ("sk", "N")))
    with source.batch_writer() as writer:
        for i in range(120):
            writer.put_item(Item={"pk": f"p{i % 7}", "sk": i, "payload": "x" * 50, "tags": {"a", f"t{i}"}})
    # the migration guide's copy script: scan every page of the source, write through batch_writer
    copied = 0
    with target.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as writer:
        paginator = source.meta.client.get_paginator("scan")
        for page in paginator.paginate(TableName=source.name, PaginationConfig={"PageSize": 25}):
            for item in page["Items"]:
                writer.put_item(Item=item)  # the resource's client already speaks Python types
                copied += 1
    assert copied == 120
    assert target.item_count == 120
    assert target.get_item(Key={"pk": "p3", "sk": 10})["Item"]["tags"] == {"a", "t10"}
    with target.batch_writer() as writer:
        for i in range(120):
            writer.delete_item(Key={"pk": f"p{i % 7}", "sk": i})
    assert ddb_resource.meta.client.describe_table(TableName=target.name)["Table"]["ItemCount"] == 0


def test_batch_write_charges_the_larger_of_old_and_new_item(ddb: Any, make_table: Any) -> None:
    first, second = make_table(), make_table(("id", "N"))
    ddb.put_item(TableName=first, Item={"pk": {"S": "big"}, "v": {"S": "x" * 3000}})
    ddb.put_item(TableName=first, Item={"pk": {"S": "gone"}, "v": {"S": "y" * 2500}})
    response = ddb.batch_write_item(
        RequestItems={
            first: [
                put("big", v={"S": "small"}),  # over a 3 KB item: 3 units
                {"DeleteRequest": {"Key": {"pk": {"S": "gone"}}}},  # a 2.5 KB item: 3 units
                {"DeleteRequest": {"Key": {"pk": {"S": "missing"}}}},  # 1 unit
                put("new", v={"S": "z" * 1500}),  # 2 units
            ],
            second: [{"PutRequest": {"Item": {"id": {"N": "7"}, "v": {"S": "w" * 1100}}}}],
        },
        ReturnConsumedCapacity="TOTAL",
    )
    assert {c["TableName"]: c["CapacityUnits"] for c in response["ConsumedCapacity"]} == {first: 9.0, second: 2.0}
    got = ddb.batch_get_item(RequestItems={first: {"Keys": [{"pk": {"S": k}} for k in ("big", "gone", "new")]}})
    assert sorted((i["pk"]["S"], len(i["v"]["S"])) for i in got["Responses"][first]) == [("big", 5), ("new", 1500)]
    described = ddb.describe_table(TableName=first)["Table"]
    assert (described["ItemCount"], described["TableSizeBytes"]) == (2, (2 + 3 + 1 + 5) + (2 + 3 + 1 + 1500))


def test_a_full_batch_charges_and_counts_like_single_writes(ddb: Any, make_table: Any) -> None:
    # 20 writes on one table take the bulk path (one read of every old size, items.BULK_KEYS)
    name = make_table()
    for start in range(0, 15, 5):
        ddb.batch_write_item(RequestItems={name: [put(f"k{i}", v={"S": "x" * 3000}) for i in range(start, start + 5)]})
    writes = [put(f"k{i}", v={"S": "small"}) for i in range(10)]  # over 3 KB items: 3 units each
    writes += [{"DeleteRequest": {"Key": {"pk": {"S": f"k{i}"}}}} for i in range(10, 15)]  # 3 units each
    writes += [{"DeleteRequest": {"Key": {"pk": {"S": f"gone{i}"}}}} for i in range(5)]  # 1 unit each
    response = ddb.batch_write_item(RequestItems={name: writes}, ReturnConsumedCapacity="TOTAL")
    assert response["ConsumedCapacity"] == [{"TableName": name, "CapacityUnits": 50.0}]
    described = ddb.describe_table(TableName=name)["Table"]
    assert (described["ItemCount"], described["TableSizeBytes"]) == (10, 10 * (2 + 2 + 1 + 5))


def test_batch_get_of_many_keys_with_missing_ones_across_tables(ddb: Any, make_table: Any) -> None:
    first, second = make_table(), make_table(("id", "N"))
    ddb.batch_write_item(RequestItems={first: [put(f"k{i}", v={"N": str(i)}) for i in range(15)]})
    ddb.batch_write_item(RequestItems={second: [{"PutRequest": {"Item": {"id": {"N": str(i)}}}} for i in range(3)]})
    got = ddb.batch_get_item(
        RequestItems={
            first: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(20)]},  # k15-k19 missing
            second: {"Keys": [{"id": {"N": str(i)}} for i in range(5)], "ConsistentRead": True},
        },
        ReturnConsumedCapacity="TOTAL",
    )
    assert sorted(int(item["v"]["N"]) for item in got["Responses"][first]) == list(range(15))
    assert sorted(int(item["id"]["N"]) for item in got["Responses"][second]) == [0, 1, 2]
    assert {c["TableName"]: c["CapacityUnits"] for c in got["ConsumedCapacity"]} == {first: 10.0, second: 5.0}


def test_batch_get_past_what_is_read_inline_reads_the_rest_in_order(ddb: Any, make_table: Any) -> None:
    """The first keys are read on the event loop up to 128 KB, the rest on the reader pool:
    every item comes back, each under its own key, the missing ones skipped, across tables."""
    big, small = make_table(), make_table(("id", "N"))
    blob = "x" * 20_000
    for start in range(0, 40, 20):  # 40 items of ~20 KB: the inline step stops at about the 7th
        ddb.batch_write_item(RequestItems={big: [put(f"k{i}", v={"S": f"{i}:{blob}"}) for i in range(start, start + 20)]})
    ddb.batch_write_item(RequestItems={small: [{"PutRequest": {"Item": {"id": {"N": str(i)}}}} for i in range(5)]})
    wanted = [f"k{i}" for i in range(0, 45, 1) if i % 11]  # k40-k44 never written
    got = ddb.batch_get_item(
        RequestItems={
            big: {"Keys": [{"pk": {"S": key}} for key in wanted]},
            small: {"Keys": [{"id": {"N": str(i)}} for i in range(8)]},
        }
    )
    items = got["Responses"][big]
    assert sorted(item["pk"]["S"] for item in items) == sorted(k for k in wanted if int(k[1:]) < 40)
    assert all(item["v"]["S"] == f"{item['pk']['S'][1:]}:{blob}" for item in items)
    assert sorted(int(item["id"]["N"]) for item in got["Responses"][small]) == [0, 1, 2, 3, 4]
    assert got["UnprocessedKeys"] == {}
