"""Property tests against the real server: random N, S and B sort keys come back from Query in
DynamoDB's order (N by value, S by UTF-8 bytes, B by unsigned bytes), forwards and backwards and
across pages; a parallel Scan with any TotalSegments returns every item exactly once."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dynamodb.helpers import table_name

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def dynamodb_numbers(draw: Any) -> str:
    """Numbers anywhere in DynamoDB's range: up to 38 significant digits, magnitude 1E-130..<1E126."""
    digits = draw(st.integers(min_value=1, max_value=38))
    mantissa = draw(st.integers(min_value=10 ** (digits - 1), max_value=10**digits - 1))
    magnitude = draw(st.integers(min_value=-130, max_value=125))  # of the leading digit
    exponent = magnitude - (digits - 1)
    sign = draw(st.sampled_from(["", "-"]))
    small = draw(st.booleans())
    if small:  # plenty of everyday numbers too, where neighbours are close
        return (
            sign
            + str(draw(st.integers(min_value=0, max_value=1000)))
            + draw(st.sampled_from(["", ".5", ".25"]))
        )
    return f"{sign}{mantissa}E{exponent}"


KEY_TYPES = {
    "N": (st.lists(dynamodb_numbers(), min_size=1, max_size=40), lambda v: {"N": v}, Decimal),
    "S": (
        st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=40),
        lambda v: {"S": v},
        lambda v: v.encode(),
    ),
    "B": (st.lists(st.binary(min_size=1, max_size=20), min_size=1, max_size=40), lambda v: {"B": v}, bytes),
}


@pytest.fixture(scope="module")
def ordered_tables(ddb: Any) -> Any:
    names = {}
    for type_name in KEY_TYPES:
        name = table_name()
        ddb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": type_name},
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
        )
        names[type_name] = name
    yield names
    for name in names.values():
        ddb.delete_table(TableName=name)


def write_all(ddb: Any, table: str, items: list[dict]) -> None:
    for start in range(0, len(items), 25):
        ddb.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
        )


def query_all(ddb: Any, table: str, pk: str, forward: bool, limit: int | None) -> list[dict]:
    out: list[dict] = []
    start = None
    while True:
        kwargs: dict[str, Any] = {"ScanIndexForward": forward}
        if limit:
            kwargs["Limit"] = limit
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = ddb.query(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": pk}},
            **kwargs,
        )
        out.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return out


@pytest.mark.parametrize("type_name", sorted(KEY_TYPES))
def test_query_returns_sort_keys_in_dynamodb_order(ddb: Any, ordered_tables: dict, type_name: str) -> None:
    values_strategy, wire, order_key = KEY_TYPES[type_name]

    @SETTINGS
    @given(values=values_strategy, limit=st.one_of(st.none(), st.integers(min_value=1, max_value=7)))
    def check(values: list, limit: int | None) -> None:
        unique: dict[Any, Any] = {}
        for value in values:  # "1" and "1.0" are one key, as are equal strings or bytes
            unique.setdefault(order_key(value), value)
        expected = [unique[k] for k in sorted(unique)]
        pk = uuid.uuid4().hex
        write_all(ddb, ordered_tables[type_name], [{"pk": {"S": pk}, "sk": wire(v)} for v in expected])
        for forward in (True, False):
            got = [
                order_key(item["sk"][type_name])
                for item in query_all(ddb, ordered_tables[type_name], pk, forward, limit)
            ]
            want = [order_key(v) for v in expected]
            assert got == (want if forward else want[::-1])

    check()


@SETTINGS
@given(
    keys=st.lists(st.text(min_size=1, max_size=12), min_size=0, max_size=60, unique=True),
    total_segments=st.integers(min_value=1, max_value=40),
    limit=st.one_of(st.none(), st.integers(min_value=1, max_value=9)),
)
def test_parallel_scan_returns_every_item_once(
    ddb: Any, keys: list[str], total_segments: int, limit: int | None
) -> None:
    name = table_name()
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    try:
        write_all(ddb, name, [{"pk": {"S": k}} for k in keys])
        seen: list[str] = []
        for segment in range(total_segments):
            start = None
            while True:
                kwargs: dict[str, Any] = {"Segment": segment, "TotalSegments": total_segments}
                if limit:
                    kwargs["Limit"] = limit
                if start:
                    kwargs["ExclusiveStartKey"] = start
                page = ddb.scan(TableName=name, **kwargs)
                seen.extend(item["pk"]["S"] for item in page["Items"])
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
        assert sorted(seen) == sorted(keys)
    finally:
        ddb.delete_table(TableName=name)
