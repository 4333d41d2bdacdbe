"""Query and Scan with boto3: sort order, key conditions, Limit and ExclusiveStartKey paging,
the 1 MB page limit, filters after Limit, Select, parallel segments and their errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of

NUMBERS = [
    "-1e125",
    "-10",
    "-1.5",
    "-1",
    "-0.001",
    "0",
    "1e-130",
    "0.001",
    "1",
    "1.5",
    "2",
    "10",
    "99.99",
    "1e125",
]


@pytest.fixture
def numbers(ddb: Any, make_table: Any) -> str:
    name = make_table(("pk", "S"), ("sk", "N"))
    for n in NUMBERS:
        ddb.put_item(
            TableName=name,
            Item={
                "pk": {"S": "p"},
                "sk": {"N": n},
                "odd": {"BOOL": NUMBERS.index(n) % 2 == 1},
                "rank": {"N": str(NUMBERS.index(n))},
            },
        )
    ddb.put_item(TableName=name, Item={"pk": {"S": "other"}, "sk": {"N": "5"}})
    return str(name)


def sort_keys(response: dict) -> list[str]:
    return [item["sk"]["N"] for item in response["Items"]]


def query(ddb: Any, table: str, condition: str = "pk = :p", **kwargs: Any) -> dict:
    values = {":p": {"S": "p"}, **kwargs.pop("values", {})}
    return dict(
        ddb.query(
            TableName=table, KeyConditionExpression=condition, ExpressionAttributeValues=values, **kwargs
        )
    )


def test_numbers_sort_numerically_both_ways(ddb: Any, numbers: str) -> None:
    canonical = [
        ddb.get_item(TableName=numbers, Key={"pk": {"S": "p"}, "sk": {"N": n}})["Item"]["sk"]["N"]
        for n in NUMBERS
    ]
    assert sort_keys(query(ddb, numbers)) == canonical
    assert sort_keys(query(ddb, numbers, ScanIndexForward=False)) == canonical[::-1]


@pytest.mark.parametrize(
    ("condition", "values", "expected"),
    [
        ("sk = :a", {":a": "1.50"}, ["1.5"]),
        ("sk < :a", {":a": "-1"}, ["-1" + "0" * 125, "-10", "-1.5"]),
        ("sk <= :a", {":a": "-1"}, ["-1" + "0" * 125, "-10", "-1.5", "-1"]),
        ("sk > :a", {":a": "10"}, ["99.99", "1" + "0" * 125]),
        ("sk >= :a", {":a": "10"}, ["10", "99.99", "1" + "0" * 125]),
        (
            "sk BETWEEN :a AND :b",
            {":a": "-0.001", ":b": "0.001"},
            ["-0.001", "0", "0." + "0" * 129 + "1", "0.001"],
        ),
        (":a < sk", {":a": "10"}, ["99.99", "1" + "0" * 125]),
    ],
)
def test_sort_key_conditions(
    ddb: Any, numbers: str, condition: str, values: dict, expected: list[str]
) -> None:
    typed = {k: {"N": v} for k, v in values.items()}
    assert sort_keys(query(ddb, numbers, f"pk = :p AND {condition}", values=typed)) == expected


def test_string_and_binary_sort_keys(ddb: Any, make_table: Any) -> None:
    strings = make_table(("pk", "S"), ("sk", "S"))
    words = ["a", "B", "ab", "abc", "b", "é", "z", "\U0001f600", "\uffff"]
    for w in words:
        ddb.put_item(TableName=strings, Item={"pk": {"S": "p"}, "sk": {"S": w}})
    got = [i["sk"]["S"] for i in query(ddb, strings)["Items"]]
    assert got == sorted(words, key=lambda w: w.encode())
    prefixed = query(ddb, strings, "pk = :p AND begins_with(sk, :a)", values={":a": {"S": "ab"}})
    assert [i["sk"]["S"] for i in prefixed["Items"]] == ["ab", "abc"]

    binaries = make_table(("pk", "S"), ("sk", "B"))
    blobs = [b"\x00", b"\x00\x00", b"\x01", b"\x7f", b"\x80", b"\xff", b"\xff\xff", b"\xff\x00"]
    for b in blobs:
        ddb.put_item(TableName=binaries, Item={"pk": {"S": "p"}, "sk": {"B": b}})
    assert [i["sk"]["B"] for i in query(ddb, binaries)["Items"]] == sorted(blobs)
    top = query(ddb, binaries, "pk = :p AND begins_with(sk, :b)", values={":b": {"B": b"\xff"}})
    assert [i["sk"]["B"] for i in top["Items"]] == [b"\xff", b"\xff\x00", b"\xff\xff"]


def test_limit_and_exclusive_start_key_page_through_everything(ddb: Any, numbers: str) -> None:
    for forward in (True, False):
        seen: list[str] = []
        start = None
        while True:
            kwargs: dict[str, Any] = {"Limit": 4, "ScanIndexForward": forward}
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = query(ddb, numbers, **kwargs)
            seen.extend(sort_keys(page))
            start = page.get("LastEvaluatedKey")
            if not start:
                break
            assert page["Count"] == 4 and set(start) == {"pk", "sk"}
        assert len(seen) == len(NUMBERS)
        assert seen == sort_keys(query(ddb, numbers, ScanIndexForward=forward))


def test_limit_counts_items_before_the_filter(ddb: Any, numbers: str) -> None:
    page = query(ddb, numbers, Limit=5, FilterExpression="odd = :t", values={":t": {"BOOL": True}})
    assert page["ScannedCount"] == 5 and page["Count"] == 2
    assert "LastEvaluatedKey" in page
    everything = query(ddb, numbers, FilterExpression="odd = :t", values={":t": {"BOOL": True}})
    assert everything["Count"] == 7 and everything["ScannedCount"] == len(NUMBERS)
    assert "LastEvaluatedKey" not in everything


def test_limit_reached_exactly_still_returns_a_last_key(ddb: Any, numbers: str) -> None:
    page = query(ddb, numbers, Limit=len(NUMBERS))
    assert page["Count"] == len(NUMBERS) and "LastEvaluatedKey" in page
    rest = query(ddb, numbers, Limit=len(NUMBERS), ExclusiveStartKey=page["LastEvaluatedKey"])
    assert rest["Count"] == 0 and "LastEvaluatedKey" not in rest


def test_select_and_projection(ddb: Any, numbers: str) -> None:
    counted = query(ddb, numbers, Select="COUNT")
    assert counted["Count"] == len(NUMBERS) and "Items" not in counted
    projected = query(ddb, numbers, ProjectionExpression="odd", Limit=2)
    assert projected["Items"] == [{"odd": {"BOOL": False}}, {"odd": {"BOOL": True}}]
    assert set(projected["LastEvaluatedKey"]) == {"pk", "sk"}
    specific = ddb.query(
        TableName=numbers,
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
        Select="SPECIFIC_ATTRIBUTES",
        AttributesToGet=["sk"],
        Limit=1,
    )
    assert specific["Items"] == [{"sk": {"N": "-1" + "0" * 125}}]
    assert error_of(
        ddb.query,
        TableName=numbers,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Select="SPECIFIC_ATTRIBUTES",
    )[1] == (
        "1 validation error detected: Must specify the AttributesToGet or ProjectionExpression when choosing to get "
        "SPECIFIC_ATTRIBUTES"
    )
    assert error_of(
        ddb.query,
        TableName=numbers,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Select="COUNT",
        ProjectionExpression="sk",
    )[1] == (
        "1 validation error detected: Cannot specify the ProjectionExpression when choosing to get only the Count"
    )
    # Query's come first, before its expressions and its table are looked at
    assert error_of(
        ddb.query,
        TableName=numbers,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Select="ALL_ATTRIBUTES",
        ProjectionExpression="b[1], b.l",
    )[1] == "1 validation error detected: Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"
    assert error_of(
        ddb.query, TableName=numbers + "-missing", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}}, Select="COUNT", AttributesToGet=["sk"],
    ) == ("ValidationException",
          "1 validation error detected: Cannot specify the AttributesToGet when choosing to get only the Count")
    # Scan's Select errors come without Query's "1 validation error detected: "
    assert error_of(ddb.scan, TableName=numbers, Select="ALL_PROJECTED_ATTRIBUTES")[1] == (
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
    )
    assert error_of(ddb.scan, TableName=numbers, Select="SPECIFIC_ATTRIBUTES")[1] == (
        "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
    )
    assert error_of(ddb.scan, TableName=numbers, Select="COUNT", AttributesToGet=["sk"])[1] == (
        "Cannot specify the AttributesToGet when choosing to get only the Count"
    )


def test_query_errors(ddb: Any, numbers: str) -> None:
    assert error_of(ddb.query, TableName=numbers)[1] == (
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
    )
    assert error_of(
        ddb.query,
        TableName=numbers,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"N": "1"}},
    )[1] == ("One or more parameter values were invalid: Condition parameter type does not match schema type")
    assert (
        error_of(
            ddb.query,
            TableName=numbers,
            KeyConditionExpression="sk = :p",
            ExpressionAttributeValues={":p": {"N": "1"}},
        )[1]
        == "Query condition missed key schema element: pk"
    )
    assert (
        error_of(
            ddb.query,
            TableName=numbers,
            IndexName="nope",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
        )[1]
        == "The table does not have the specified index: nope"
    )
    start = {"pk": {"S": "other"}, "sk": {"N": "5"}}
    assert error_of(
        ddb.query,
        TableName=numbers,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey=start,
    )[1] == ("The provided starting key is outside query boundaries based on provided conditions")
    assert error_of(
        ddb.query,
        TableName=numbers,
        KeyConditionExpression="pk = :p AND sk > :z",
        ExpressionAttributeValues={":p": {"S": "p"}, ":z": {"N": "100"}},
        ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"N": "5"}},
    )[1] == ("The provided starting key does not match the range key predicate")
    assert error_of(
        ddb.query,
        TableName=numbers,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey={"pk": {"S": "p"}},
    )[1] == ("The provided starting key is invalid")
    assert error_of(  # an empty start key is not an absent one
        ddb.query,
        TableName=numbers,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey={},
    )[1] == ("The provided starting key is invalid")


def test_pages_stop_at_one_megabyte(ddb: Any, make_table: Any) -> None:
    name = make_table(("pk", "S"), ("sk", "N"))
    payload = "x" * 100_000
    for batch in range(2):
        ddb.batch_write_item(
            RequestItems={
                name: [
                    {
                        "PutRequest": {
                            "Item": {
                                "pk": {"S": "big"},
                                "sk": {"N": str(batch * 25 + i)},
                                "v": {"S": payload},
                                "even": {"BOOL": i % 2 == 0},
                            }
                        }
                    }
                    for i in range(25)
                ]
            }
        )
    for operation, kwargs in (
        (ddb.query, {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "big"}}}),
        (ddb.scan, {}),
    ):
        seen: list[str] = []
        pages = 0
        start = None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            page = operation(TableName=name, ProjectionExpression="sk", **kwargs, **extra)
            pages += 1
            assert page["ScannedCount"] <= 11  # 1 MB holds ten and a half items of 100 KB
            seen.extend(item["sk"]["N"] for item in page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        assert sorted(seen, key=int) == [str(i) for i in range(50)] and pages >= 5
    filtered = ddb.scan(
        TableName=name,
        FilterExpression="even = :t",
        ExpressionAttributeValues={":t": {"BOOL": True}},
        Limit=8,
        ProjectionExpression="sk",
    )
    assert filtered["ScannedCount"] == 8 and filtered["Count"] <= 8 and "LastEvaluatedKey" in filtered
    total = sum(
        p["Count"]
        for p in ddb.get_paginator("scan").paginate(
            TableName=name,
            FilterExpression="even = :t",
            ExpressionAttributeValues={":t": {"BOOL": True}},
            ProjectionExpression="sk",
            PaginationConfig={"PageSize": 7},
        )
    )
    assert total == 26


def test_parallel_scan_covers_every_item_once(ddb: Any, make_table: Any) -> None:
    name = make_table(("pk", "S"))
    ddb.batch_write_item(
        RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(25)]}
    )
    ddb.batch_write_item(
        RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(25, 40)]}
    )
    for total in (1, 2, 3, 7, 64):
        seen: list[str] = []
        for segment in range(total):
            start = None
            while True:
                extra = {"ExclusiveStartKey": start} if start else {}
                page = ddb.scan(TableName=name, Segment=segment, TotalSegments=total, Limit=3, **extra)
                seen.extend(item["pk"]["S"] for item in page["Items"])
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
        assert sorted(seen) == sorted(f"k{i}" for i in range(40))
    assert error_of(ddb.scan, TableName=name, Segment=1)[1] == (
        "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"
    )
    assert error_of(ddb.scan, TableName=name, Segment=2, TotalSegments=2)[1] == (
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less "
        "than TotalSegments: 2"
    )


def test_scan_start_key_errors(ddb: Any, numbers: str) -> None:
    for start_key in ({"pk": {"S": "p"}}, {}):
        assert error_of(ddb.scan, TableName=numbers, ExclusiveStartKey=start_key)[1] == (
            "The provided starting key is invalid: The provided key element does not match the schema"
        )
    page = ddb.scan(TableName=numbers, Limit=1)
    assert page["Count"] == 1
    rest = ddb.scan(TableName=numbers, ExclusiveStartKey=page["LastEvaluatedKey"])
    assert rest["Count"] == len(NUMBERS)  # every item except the first of fifteen


def test_legacy_key_conditions_and_query_filter(ddb: Any, numbers: str) -> None:
    response = ddb.query(
        TableName=numbers,
        KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
            "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "2"}]},
        },
        QueryFilter={"rank": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "9"}]}},
    )
    assert sort_keys(response) == ["1.5", "2"] and response["ScannedCount"] == 3
    scanned = ddb.scan(
        TableName=numbers,
        ScanFilter={"sk": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "50"}]}},
    )
    assert sorted(i["sk"]["N"] for i in scanned["Items"]) == ["1" + "0" * 125, "99.99"]


def test_query_and_scan_capacity(ddb: Any, numbers: str) -> None:
    response = query(ddb, numbers, ReturnConsumedCapacity="TOTAL")
    assert response["ConsumedCapacity"] == {"TableName": numbers, "CapacityUnits": 0.5}
    response = ddb.scan(TableName=numbers, ReturnConsumedCapacity="INDEXES", ConsistentRead=True)
    assert response["ConsumedCapacity"] == {
        "TableName": numbers,
        "CapacityUnits": 1.0,
        "Table": {"CapacityUnits": 1.0},
    }


def test_resource_query_with_conditions(ddb_resource: Any, numbers: str) -> None:
    from boto3.dynamodb.conditions import Attr, Key

    table = ddb_resource.Table(numbers)
    response = table.query(
        KeyConditionExpression=Key("pk").eq("p") & Key("sk").between(1, 99),
        FilterExpression=Attr("odd").eq(True),
    )
    assert [str(i["sk"]) for i in response["Items"]] == ["1.5", "10"]
    assert table.scan(FilterExpression=Attr("sk").lt(-5), Select="COUNT")["Count"] == 2


def test_query_filters_may_not_name_key_attributes(ddb: Any, numbers: str) -> None:
    assert error_of(
        ddb.query,
        TableName=numbers,
        KeyConditionExpression="pk = :p",
        FilterExpression="sk > :z",
        ExpressionAttributeValues={":p": {"S": "p"}, ":z": {"N": "0"}},
    )[1] == ("Filter Expression can only contain non-primary key attributes: Primary key attribute: sk")
    assert error_of(
        ddb.query,
        TableName=numbers,
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
        QueryFilter={"pk": {"ComparisonOperator": "NOT_NULL"}},
    )[1] == ("QueryFilter can only contain non-primary key attributes: Primary key attribute: pk")


def test_legacy_eq_and_ne_take_lists_maps_and_nulls(ddb: Any, make_table: Any) -> None:
    """"EQ is supported for all data types, including lists and maps" (AWS's reference for
    Condition; Alternator's test_query_filter_eq and _ne, run against DynamoDB)."""
    table = make_table(("pk", "S"), ("sk", "S"))
    lst, mp = {"L": [{"S": "a"}, {"N": "1"}]}, {"M": {"x": {"S": "y"}}}
    ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": "1"}, "l": lst, "m": mp, "z": {"NULL": True}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": "2"}, "l": {"L": []}, "m": {"M": {}}})
    for name, value in (("l", lst), ("m", mp), ("z", {"NULL": True})):
        for operator, expected in (("EQ", ["1"]), ("NE", ["2"])):
            found = ddb.query(
                TableName=table, KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
                QueryFilter={name: {"ComparisonOperator": operator, "AttributeValueList": [value]}},
            )  # fmt: skip
            assert [item["sk"]["S"] for item in found["Items"]] == expected, (name, operator)
            scanned = ddb.scan(TableName=table, ScanFilter={name: {"ComparisonOperator": operator, "AttributeValueList": [value]}})
            assert sorted(item["sk"]["S"] for item in scanned["Items"]) == expected, (name, operator)
    ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": "1"}, "l": lst},
                 Expected={"l": {"ComparisonOperator": "EQ", "AttributeValueList": [lst]}})  # fmt: skip
