"""Two shortcuts of a SELECT must answer as the general path does. One that names exactly the
table's full primary key is answered by a point read, not the range read every other SELECT
takes; one whose WHERE only names the partition (`pk = ?`, `pk IN [...]`) skips the WHERE as a
filter on the items it reads. The same statement with a key equality repeated (`... AND pk =
?`) takes neither shortcut; both must answer alike (Items, their order and shape,
LastEvaluatedKey, ConsumedCapacity, NextToken but for the statement digest it carries), for
every option that changes a response."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.dynamodb.helpers import table_name

BIG = "x" * 5000  # over 4 KB: two read units consistent, one eventually consistent
OPTIONS: list[dict[str, Any]] = [
    {},
    {"ReturnConsumedCapacity": "TOTAL"},
    {"ReturnConsumedCapacity": "INDEXES", "ConsistentRead": True},
    {"ReturnConsumedCapacity": "NONE", "ConsistentRead": False},
    {"Limit": 1, "ReturnConsumedCapacity": "TOTAL"},
    {"Limit": 2, "ReturnConsumedCapacity": "INDEXES"},
    {"Limit": 1, "ConsistentRead": True, "ReturnConsumedCapacity": "TOTAL"},
]


def _execute(ddb: Any, statement: str, parameters: list[dict], options: dict) -> dict[str, Any]:
    extra = dict(options)
    if parameters:
        extra["Parameters"] = parameters
    out = dict(ddb.execute_statement(Statement=statement, **extra))
    out.pop("ResponseMetadata")
    return out


def _comparable(response: dict[str, Any]) -> str:
    """The response as text, members in order; NextToken decoded without its statement digest."""
    out = dict(response)
    if "NextToken" in out:
        state = json.loads(base64.urlsafe_b64decode(out["NextToken"]))
        state.pop("h")
        out["NextToken"] = state
    return json.dumps(out)


def _both(ddb: Any, table: str, where: str, parameters: list[dict], repeat: str,
          columns: str = "*", order: str = "") -> list[tuple[dict, dict]]:
    """(exact-key response, range-read response) for each of OPTIONS; `repeat` is the repeated
    key equality that keeps the second statement off the point read. A page that ends with a
    NextToken is followed once more, with the token each statement issued."""
    fast = f'SELECT {columns} FROM "{table}" WHERE {where}{order}'
    slow = f'SELECT {columns} FROM "{table}" WHERE {where} AND {repeat}{order}'
    pairs = []
    for options in OPTIONS:
        one = _execute(ddb, fast, parameters, options)
        other = _execute(ddb, slow, parameters, options)
        assert _comparable(one) == _comparable(other), (where, options)
        pairs.append((one, other))
        if "NextToken" in one:
            more = _execute(ddb, fast, parameters, {**options, "NextToken": one["NextToken"]})
            more_other = _execute(ddb, slow, parameters, {**options, "NextToken": other["NextToken"]})
            assert _comparable(more) == _comparable(more_other), (where, options, "next page")
    return pairs


@pytest.fixture
def table(ddb: Any, make_table: Any) -> str:
    name = str(make_table(("pk", "S"), ("sk", "N")))
    for sk in (1, 2, 3):  # neighbours in the partition that a point read must not return
        ddb.put_item(
            TableName=name,
            Item={"pk": {"S": "a"}, "sk": {"N": str(sk)}, "n": {"N": str(sk * 10)},
                  "m": {"M": {"k": {"S": f"v{sk}"}, "l": {"L": [{"N": "7"}]}}}, "big": {"S": BIG}},
        )
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"N": "0"}, "z": {"BOOL": True}})
    return name


@pytest.mark.parametrize(
    ("where", "parameters", "repeat"),
    [
        ("pk = ? AND sk = ?", [{"S": "a"}, {"N": "2"}], "pk = 'a'"),
        ("sk = ? AND pk = ?", [{"N": "2.0"}, {"S": "a"}], "pk = 'a'"),  # the number as stored: 2
        ("pk = 'b' AND sk = 0", [], "sk = 0"),
        ("pk = 'a' AND sk = 9", [], "pk = 'a'"),  # no such item
        ("pk = 'zz' AND sk = 1", [], "pk = 'zz'"),  # no such partition
        ("pk = 'a' AND sk = 'x'", [], "pk = 'a'"),  # a key value of the wrong type
        ("pk = '' AND sk = 1", [], "sk = 1"),  # a key the table could not hold
        ("pk = ? AND sk = ?", [{"N": "1"}, {"N": "1"}], "sk = 1"),
    ],
)
def test_exact_key_select_answers_as_the_range_read(
    ddb: Any, table: str, where: str, parameters: list[dict], repeat: str
) -> None:
    _both(ddb, table, where, parameters, repeat)
    _both(ddb, table, where, parameters, repeat, columns='n, m.k, m.l[0], "big"')
    _both(ddb, table, where, parameters, repeat, order=" ORDER BY sk DESC")


def test_limit_one_on_a_found_item_says_where_it_stopped(ddb: Any, table: str) -> None:
    """Limit 1 reads one item, so the page ends there: a NextToken even though nothing is left
    (the range read's answer, kept); its next page is empty."""
    pairs = _both(ddb, table, "pk = ? AND sk = ?", [{"S": "a"}, {"N": "3"}], "pk = 'a'")
    limited = [one for (one, _), options in zip(pairs, OPTIONS, strict=True) if options.get("Limit") == 1]
    assert limited and all(one["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"N": "3"}} for one in limited)
    assert all(len(one["Items"]) == 1 and "NextToken" in one for one in limited)
    unlimited = pairs[1][0]
    assert "NextToken" not in unlimited
    assert unlimited["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}
    consistent = pairs[2][0]["ConsumedCapacity"]
    assert consistent == {"TableName": table, "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}}


def test_hash_key_only_table(ddb: Any, make_table: Any) -> None:
    table = str(make_table(("id", "N")))
    ddb.put_item(TableName=table, Item={"id": {"N": "5"}, "v": {"S": "five"}, "big": {"S": BIG}})
    ddb.put_item(TableName=table, Item={"id": {"N": "6"}})
    cases: list[tuple[str, list[dict], str]] = [
        ("id = ?", [{"N": "5"}], "id = 5"), ("id = 5.00", [], "id = 5"), ("id = 7", [], "id = 7"),
        ("id = 'x'", [], "id = 'x'"),
    ]
    for where, parameters, repeat in cases:
        _both(ddb, table, where, parameters, repeat)
        _both(ddb, table, where, parameters, repeat, columns="v")


@pytest.fixture
def indexed(ddb: Any) -> Iterator[str]:
    """A table with a GSI `byg` (g, ALL) and an LSI `byl` (pk, l, KEYS_ONLY)."""
    table = table_name()
    ddb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g", "l")],
        GlobalSecondaryIndexes=[{
            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }],
        LocalSecondaryIndexes=[{
            "IndexName": "byl",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
    )  # fmt: skip
    yield table
    ddb.delete_table(TableName=table)


def test_a_table_with_an_index(ddb: Any, indexed: str) -> None:
    """INDEXES: a read of the table reports the table alone, whatever indexes it has."""
    ddb.put_item(TableName=indexed, Item={"pk": {"S": "p"}, "sk": {"S": "s"}, "g": {"S": "G"}, "l": {"S": "L"}})
    _both(ddb, indexed, "pk = 'p' AND sk = 's'", [], "sk = 's'")


@pytest.mark.parametrize(
    ("where", "parameters", "repeat"),
    [
        ("pk = ?", [{"S": "a"}], "pk = 'a'"),
        ("pk = 'b'", [], "pk = 'b'"),
        ("pk = 'zz'", [], "pk = 'zz'"),  # no such partition
        ("pk = 5", [], "pk = 5"),  # a value of the wrong type
        ("pk IN ['b', 'a', 5]", [], "pk IN ['b', 'a', 5]"),
    ],
)
def test_partition_select_answers_as_the_filtered_read(
    ddb: Any, table: str, where: str, parameters: list[dict], repeat: str
) -> None:
    _both(ddb, table, where, parameters, repeat)
    _both(ddb, table, where, parameters, repeat, columns='n, m.k, "big"', order=" ORDER BY sk DESC")


def test_partition_select_on_indexes(ddb: Any, indexed: str) -> None:
    """A GSI's partition, and an LSI's that fetches a column it does not project from the table."""
    table = indexed
    for n in range(3):
        item = {"pk": {"S": "p"}, "sk": {"S": f"s{n}"}, "l": {"S": f"L{n}"}, "v": {"N": str(n)}}
        ddb.put_item(TableName=table, Item={**item, **({"g": {"S": "G"}} if n else {})})
    for source, where, repeat, columns in (
        (f'"{table}"."byg"', "g = 'G'", "g = 'G'", "*"),
        (f'"{table}"."byl"', "pk = 'p'", "pk = 'p'", "*"),
        (f'"{table}"."byl"', "pk = 'p'", "pk = 'p'", "sk, v"),
    ):
        for options in OPTIONS:
            if "byg" in source and options.get("ConsistentRead"):
                continue  # refused on a GSI
            fast = f"SELECT {columns} FROM {source} WHERE {where}"
            one = _execute(ddb, fast, [], options)
            other = _execute(ddb, f"{fast} AND {repeat}", [], options)
            assert _comparable(one) == _comparable(other), (source, columns, options)
