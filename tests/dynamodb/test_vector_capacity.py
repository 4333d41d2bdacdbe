"""What a write on a table with vector indexes costs, term by term, as paritysuite/
dynamodb-conformance measured it on DynamoDB (vectorSearch consumedCapacity: eu-west-2
2026-08, and eu-west-2 and us-east-1 2026-10-09): each index's VectorWriteRequestBytes is its
entry's item size with the vector counted as its name plus 4 bytes per dimension, at least
1,024; the table's write units bill the vector the same way, while a read and the 400 KB limit
size it by its numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name

THREE_DIM, SIX_DIM, LONG_NAME = "embedding", "sixdimvec", "embeddingWithALongerName"
WIDE = "12345678901234567890123456789012345678"  # 20 bytes as a number, 4 as a billed dimension
MAX_ITEM_BYTES = 400 * 1024


def vec(*numbers: float) -> list[dict]:
    return [{"N": str(n)} for n in numbers]


def _index(name: str, attribute: str, dimensions: int, projection: str = "ALL") -> dict:
    return {"IndexName": name, "VectorAttribute": {"AttributeName": attribute}, "Dimensions": dimensions,
            "DistanceFunction": "COSINE", "Projection": {"ProjectionType": projection}}  # fmt: skip


@pytest.fixture(scope="module")
def table(ddb: Any) -> Iterator[str]:
    name = table_name()
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        VectorIndexes=[_index("vix", THREE_DIM, 3), _index("vkeys", THREE_DIM, 3, "KEYS_ONLY"),
                       _index("vdims", SIX_DIM, 6), _index("vname", LONG_NAME, 3)],
    )  # fmt: skip
    yield name
    ddb.delete_table(TableName=name)


def charged(ddb: Any, table: str, item: dict) -> dict[str, float | None]:
    out = ddb.put_item(TableName=table, Item=item, ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    indexes = out.get("VectorIndexes", {})
    return {name: indexes.get(name, {}).get("VectorWriteRequestBytes") for name in ("vix", "vkeys", "vdims", "vname")}


def entry(key: str, attribute: str, value: list[dict], **extra: dict) -> dict:
    return {"pk": {"S": key}, attribute: {"L": value}, "blob": {"S": "x" * 1500}, **extra}


def test_vector_write_request_bytes_term_by_term(ddb: Any, table: str) -> None:
    assert charged(ddb, table, {"pk": {"S": "f0"}, THREE_DIM: {"L": vec(0, 1, 0)}})["vix"] == 1024
    per_index = charged(ddb, table, entry("3a", THREE_DIM, vec(1, 0, 0)))
    assert per_index["vix"] == 2 + 2 + len(THREE_DIM) + 4 * 3 + len("blob") + 1500  # 1,529
    assert per_index["vkeys"] == 1024  # the floor binds per index
    three = charged(ddb, table, entry("3b", THREE_DIM, vec(1, 0, 0)))["vix"]
    six = charged(ddb, table, entry("6b", SIX_DIM, vec(1, 0, 0, 0, 1, 0)))["vdims"]
    assert six - three == 4 * 3  # type: ignore[operator]
    named = charged(ddb, table, entry("nc", LONG_NAME, vec(1, 0, 0)))["vname"]
    assert named - three == len(LONG_NAME) - len(THREE_DIM)  # type: ignore[operator]
    with_note = charged(ddb, table, entry("td", THREE_DIM, vec(1, 0, 0), note={"S": "n"}))["vix"]
    assert with_note - three == len("note") + 1  # type: ignore[operator]


def _item(target: int, key: str, attribute: str, dims: int, vector_bytes: int) -> dict:
    fixed = len("pk") + len(key) + len(attribute) + vector_bytes + len("pad")
    return {"pk": {"S": key}, attribute: {"L": [{"N": WIDE}] * dims}, "pad": {"S": "x" * (target - fixed)}}


def _stored_vector_bytes(dims: int) -> int:
    return 3 + dims * (1 + 20)


@pytest.mark.parametrize(("attribute", "dims"), [(THREE_DIM, 3), (SIX_DIM, 6)])
def test_a_write_bills_the_vector_at_four_bytes_per_dimension(ddb: Any, table: str, attribute: str, dims: int) -> None:
    def units(item: dict) -> float:
        return float(ddb.put_item(TableName=table, Item=item, ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]["CapacityUnits"])

    assert units(_item(1024, f"a{dims}", attribute, dims, 4 * dims)) == 1
    assert units(_item(1025, f"b{dims}", attribute, dims, 4 * dims)) == 2
    # an overwrite and a delete are billed the same way
    item = _item(1024, f"c{dims}", attribute, dims, 4 * dims)
    units(item)
    assert units(item) == 1
    deleted = ddb.delete_item(TableName=table, Key={"pk": item["pk"]}, ReturnConsumedCapacity="TOTAL")
    assert deleted["ConsumedCapacity"]["CapacityUnits"] == 1


def test_a_read_and_the_item_limit_size_the_vector_by_its_numbers(ddb: Any, table: str) -> None:
    item = _item(4096, "r6", SIX_DIM, 6, 4 * 6)
    ddb.put_item(TableName=table, Item=item)
    read = ddb.get_item(TableName=table, Key={"pk": item["pk"]}, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert read["ConsumedCapacity"]["CapacityUnits"] == 2
    ddb.put_item(TableName=table, Item=_item(MAX_ITEM_BYTES, "g0", SIX_DIM, 6, _stored_vector_bytes(6)))
    assert error_of(ddb.put_item, TableName=table, Item=_item(MAX_ITEM_BYTES + 1, "g1", SIX_DIM, 6, _stored_vector_bytes(6))) == (
        "ValidationException",
        "Item size has exceeded the maximum allowed size",
    )  # fmt: skip
