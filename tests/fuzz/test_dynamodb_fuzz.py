"""schemathesis over specs/dynamodb.json: every operation with generated input, then a
stateful run that creates tables and sends generated item requests to them
(CreateTable → PutItem → GetItem/Query/UpdateItem/DeleteItem/Scan)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from tests.fuzz.conftest import (
    STATEFUL_RUNS,
    call_and_check,
    dynamodb_envelope,
    hypothesis_settings,
    load_schema,
    operation_labels,
)

PROTOCOL = "dynamodb"


@pytest.fixture(scope="module")
def schema(fuzz_app: Any, client: Any) -> Any:
    return load_schema(PROTOCOL, fuzz_app)


@pytest.mark.parametrize("label", operation_labels(PROTOCOL) or ["(no spec)"])
def test_operation(schema: Any, client: Any, label: str) -> None:
    from hypothesis import given

    method, path = label.split(" ", 1)
    operation = schema[path][method]

    @hypothesis_settings()
    @given(operation.as_strategy())
    def run(case: Any) -> None:
        call_and_check(PROTOCOL, case, client, dynamodb_envelope)

    run()


KEY_TYPES = st.sampled_from(["S", "N", "B"])
KEY_VALUES = {
    "S": st.text(min_size=1, max_size=20).map(lambda s: {"S": s}),
    "N": st.decimals(min_value=-10**20, max_value=10**20, allow_nan=False, places=3).map(lambda d: {"N": str(d)}),
    "B": st.binary(min_size=1, max_size=16).map(lambda b: {"B": __import__("base64").b64encode(b).decode()}),
}


TABLE_NUMBERS = itertools.count(1)


PLAIN_VALUES = st.one_of(
    st.text(max_size=10).map(lambda s: {"S": s}),
    st.integers(-1000, 1000).map(lambda n: {"N": str(n)}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(st.integers(0, 9).map(lambda n: {"N": str(n)}), max_size=3).map(lambda items: {"L": items}),
)


class Table:
    def __init__(self, name: str, key: list[tuple[str, str]]) -> None:
        self.name = name
        self.key = key  # [(attribute, type)], hash first

    def __repr__(self) -> str:
        return f"Table({self.name!r}, {self.key!r})"


class DynamoDBMachine(RuleBasedStateMachine):
    """Generated item requests against tables that exist, so they get past the table lookup."""

    schema: Any = None
    client: Any = None
    tables = Bundle("tables")
    keys = Bundle("keys")

    def __init__(self) -> None:
        super().__init__()
        self.written: dict[tuple[str, str], dict[str, Any]] = {}

    def _call(self, path: str, data: Any, body_overrides: dict[str, Any]) -> Any:
        case = data.draw(self.schema[path]["POST"].as_strategy())
        body = case.body if isinstance(case.body, dict) else {}
        body.update(body_overrides)
        case.body = body
        return call_and_check(PROTOCOL, case, self.client, dynamodb_envelope)

    @initialize(target=tables, hash_type=KEY_TYPES, range_type=st.none() | KEY_TYPES)
    def create_table(self, hash_type: str, range_type: str | None) -> Table:
        name = f"fuzz-{next(TABLE_NUMBERS)}"
        key = [("pk", hash_type)] + ([("sk", range_type)] if range_type else [])
        body = {
            "TableName": name,
            "KeySchema": [{"AttributeName": a, "KeyType": k} for (a, _), k in zip(key, ["HASH", "RANGE"], strict=False)],
            "AttributeDefinitions": [{"AttributeName": a, "AttributeType": t} for a, t in key],
            "BillingMode": "PAY_PER_REQUEST",
        }
        response = self.client.post("/dynamodb", json=body, headers={
            "X-Amz-Target": "DynamoDB_20120810.CreateTable", "Content-Type": "application/x-amz-json-1.0"})
        assert response.status_code == 200, response.text
        return Table(name, key)

    @rule(target=keys, table=tables, data=st.data(), generated=st.booleans())
    def put_item(self, table: Table, data: Any, generated: bool) -> tuple[Table, dict[str, Any]]:
        key = {attr: data.draw(KEY_VALUES[kind]) for attr, kind in table.key}
        case = data.draw(self.schema["/dynamodb/PutItem"]["POST"].as_strategy())
        body = case.body if isinstance(case.body, dict) else {}
        if generated:  # the spec's random item and options: mostly refused, never a 5xx
            item = body.get("Item") if isinstance(body.get("Item"), dict) else {}
            case.body = {**body, "TableName": table.name, "Item": {**item, **key}}
        else:  # a well-formed item, so that the reads below find something
            item = {**data.draw(st.dictionaries(st.sampled_from(["a", "b", "c"]), PLAIN_VALUES, max_size=3)), **key}
            case.body = {"TableName": table.name, "Item": item}
        response = call_and_check(PROTOCOL, case, self.client, dynamodb_envelope)
        if response.status_code == 200:
            self.written[(table.name, repr(sorted(key.items())))] = item
        return table, key

    @rule(entry=keys, data=st.data())
    def get_item(self, entry: tuple[Table, dict[str, Any]], data: Any) -> None:
        table, key = entry
        self._call("/dynamodb/GetItem", data, {"TableName": table.name, "Key": key})

    @rule(entry=keys)
    def read_back(self, entry: tuple[Table, dict[str, Any]]) -> None:
        """What a successful PutItem wrote is what a consistent GetItem returns (or a later write's)."""
        table, key = entry
        response = self.client.post("/dynamodb", json={"TableName": table.name, "Key": key, "ConsistentRead": True},
                                    headers={"X-Amz-Target": "DynamoDB_20120810.GetItem",
                                             "Content-Type": "application/x-amz-json-1.0"})
        assert response.status_code == 200, response.text
        body = response.json()
        written = self.written.get((table.name, repr(sorted(key.items()))))
        if written is not None and "Item" in body:
            for attr in key:
                assert attr in body["Item"]

    @rule(entry=keys, data=st.data())
    def update_item(self, entry: tuple[Table, dict[str, Any]], data: Any) -> None:
        table, key = entry
        self._call("/dynamodb/UpdateItem", data, {"TableName": table.name, "Key": key})

    @rule(entry=keys, data=st.data())
    def delete_item(self, entry: tuple[Table, dict[str, Any]], data: Any) -> None:
        table, key = entry
        self._call("/dynamodb/DeleteItem", data, {"TableName": table.name, "Key": key})
        self.written.pop((table.name, repr(sorted(key.items()))), None)

    @rule(table=tables, data=st.data())
    def query(self, table: Table, data: Any) -> None:
        self._call("/dynamodb/Query", data, {"TableName": table.name})

    @rule(table=tables, data=st.data())
    def scan(self, table: Table, data: Any) -> None:
        self._call("/dynamodb/Scan", data, {"TableName": table.name})

    @rule(table=tables, data=st.data())
    def batch_write(self, table: Table, data: Any) -> None:
        key = {attr: data.draw(KEY_VALUES[kind]) for attr, kind in table.key}
        self._call("/dynamodb/BatchWriteItem", data,
                   {"RequestItems": {table.name: [{"PutRequest": {"Item": key}}, {"DeleteRequest": {"Key": key}}]}})

    @rule(table=tables, data=st.data())
    def describe(self, table: Table, data: Any) -> None:
        self._call("/dynamodb/DescribeTable", data, {"TableName": table.name})

    @invariant()
    def server_alive(self) -> None:
        assert self.client.get("/health").status_code == 200


def test_stateful_tables_and_items(schema: Any, client: Any) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    DynamoDBMachine.schema, DynamoDBMachine.client = schema, client
    run_state_machine_as_test(DynamoDBMachine, settings=hypothesis_settings(STATEFUL_RUNS, stateful_step_count=20))
