"""Property test against the real server: after any sequence of puts, updates and deletes (made
through PutItem, UpdateItem, DeleteItem, BatchWriteItem and PartiQL), every index holds exactly
the projection of the base items that have all of its key attributes, in the index's key order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dynamodb.helpers import table_name

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
INDEX_ATTRIBUTES = {"g": "S", "gn": "N", "l": "S", "m1": "S", "m2": "N"}
# name -> (key attributes with their roles, projection type, non-key attributes)
INDEXES = {
    "gAll": ((("g", "HASH"), ("gn", "RANGE")), "ALL", []),
    "gKeys": ((("gn", "HASH"),), "KEYS_ONLY", []),
    "gMulti": ((("g", "HASH"), ("m1", "RANGE"), ("m2", "RANGE")), "INCLUDE", ["x"]),
    "lInc": ((("pk", "HASH"), ("l", "RANGE")), "INCLUDE", ["x", "y"]),
}
TABLE_KEYS = ("pk", "sk")

keys = st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(min_value=0, max_value=3))
values = {
    "g": st.sampled_from(["red", "blue", "z"]),
    "gn": st.sampled_from(["1", "2", "-1.5", "10"]),
    "l": st.sampled_from(["p", "q", "pq"]),
    "m1": st.sampled_from(["u", "v"]),
    "m2": st.sampled_from(["0", "7", "3.25"]),
    "x": st.sampled_from(["x1", "x2"]),
    "y": st.sampled_from(["y1"]),
    "z": st.sampled_from(["z1", "z2"]),
}
attributes = st.fixed_dictionaries({}, optional=values)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("put"), keys, attributes),
        st.tuples(st.just("batch_put"), keys, attributes),
        st.tuples(
            st.just("update"),
            keys,
            attributes,
            st.lists(st.sampled_from(sorted(values)), max_size=3, unique=True),
        ),
        st.tuples(st.just("partiql_update"), keys, attributes),
        st.tuples(st.just("delete"), keys),
    ),
    min_size=1,
    max_size=25,
)


def _typed(name: str, text: str) -> dict[str, str]:
    return {"N": text} if INDEX_ATTRIBUTES.get(name) == "N" else {"S": text}


def _create(ddb: Any) -> str:
    name = table_name()
    definitions = [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
    ]
    definitions += [{"AttributeName": a, "AttributeType": t} for a, t in INDEX_ATTRIBUTES.items()]
    gsis, lsis = [], []
    for index, (schema, projection, non_key) in INDEXES.items():
        described: dict[str, Any] = {
            "IndexName": index,
            "KeySchema": [{"AttributeName": a, "KeyType": k} for a, k in schema],
            "Projection": {
                "ProjectionType": projection,
                **({"NonKeyAttributes": non_key} if non_key else {}),
            },
        }
        (lsis if index.startswith("l") else gsis).append(described)
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=definitions,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=gsis,
        LocalSecondaryIndexes=lsis,
    )
    return name


def _apply(ddb: Any, table: str, operation: tuple) -> None:
    kind, (pk, sk) = operation[0], operation[1]
    key = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
    if kind in ("put", "batch_put"):
        item = {**key, **{name: _typed(name, text) for name, text in operation[2].items()}}
        if kind == "put":
            ddb.put_item(TableName=table, Item=item)
        else:
            ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}}]})
    elif kind == "update":
        sets, removes = operation[2], [name for name in operation[3] if name not in operation[2]]
        parts, names, vals = [], {}, {}
        if sets:
            parts.append("SET " + ", ".join(f"#{n} = :{n}" for n in sets))
        if removes:
            parts.append("REMOVE " + ", ".join(f"#{n}" for n in removes))
        if not parts:
            return
        for n in list(sets) + removes:
            names[f"#{n}"] = n
        for n, text in sets.items():
            vals[f":{n}"] = _typed(n, text)
        extra = {"ExpressionAttributeValues": vals} if vals else {}
        ddb.update_item(
            TableName=table,
            Key=key,
            UpdateExpression=" ".join(parts),
            ExpressionAttributeNames=names,
            **extra,
        )
    elif kind == "partiql_update":
        if not operation[2]:
            return
        sets = " ".join(f'SET "{n}" = ?' for n in operation[2])
        parameters = [_typed(n, t) for n, t in operation[2].items()] + [{"S": pk}, {"N": str(sk)}]
        try:
            ddb.execute_statement(
                Statement=f'UPDATE "{table}" {sets} WHERE pk = ? AND sk = ?', Parameters=parameters
            )
        except ddb.exceptions.ConditionalCheckFailedException:
            pass  # UPDATE changes existing items only
    else:
        ddb.delete_item(TableName=table, Key=key)


def _scan_all(ddb: Any, table: str, index: str | None = None) -> list[dict]:
    found: list[dict] = []
    start = None
    while True:
        extra: dict[str, Any] = {"Limit": 7}
        if index:
            extra["IndexName"] = index
        if start:
            extra["ExclusiveStartKey"] = start
        page = ddb.scan(TableName=table, **extra)
        found.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def _sort_value(value: dict) -> Any:
    return Decimal(value["N"]) if "N" in value else value["S"].encode()


def _expected(base: list[dict], index: str) -> list[dict]:
    schema, projection, non_key = INDEXES[index]
    names = [a for a, _ in schema]
    wanted = set(names) | set(TABLE_KEYS) | set(non_key)
    out = []
    for item in base:
        if all(name in item for name in names):
            out.append(item if projection == "ALL" else {k: v for k, v in item.items() if k in wanted})
    return out


def _identity(item: dict) -> tuple:
    return (item["pk"]["S"], item["sk"]["N"])


@SETTINGS
@given(operations=operations)
def test_every_index_holds_the_projection_of_the_items_with_its_keys(ddb: Any, operations: list) -> None:
    table = _create(ddb)
    try:
        for operation in operations:
            _apply(ddb, table, operation)
        base = _scan_all(ddb, table)
        for index, (schema, _, _) in INDEXES.items():
            held = _scan_all(ddb, table, index)
            assert sorted(held, key=_identity) == sorted(_expected(base, index), key=_identity), index
            # within each index partition, items come in index sort-key order
            hash_names = [a for a, k in schema if k == "HASH"]
            range_names = [a for a, k in schema if k == "RANGE"]
            partitions: dict[tuple, list[tuple]] = {}
            for item in held:
                part = tuple(item[n]["S"] if "S" in item[n] else item[n]["N"] for n in hash_names)
                partitions.setdefault(part, []).append(tuple(_sort_value(item[n]) for n in range_names))
            for order in partitions.values():
                assert order == sorted(order), index
            counts = {
                i["IndexName"]: i["ItemCount"]
                for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
                for i in ddb.describe_table(TableName=table)["Table"][kind]
            }
            assert counts[index] == len(held)
    finally:
        ddb.delete_table(TableName=table)
