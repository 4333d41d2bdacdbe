"""schemathesis over specs/d1.yaml: every operation with generated input, then a stateful run
that creates databases over REST and sends generated requests to them through the REST API
and the binding protocol (D1 create → query/raw/binding)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from tests.fuzz.conftest import (
    STATEFUL_RUNS,
    call_and_check,
    d1_envelope,
    hypothesis_settings,
    load_schema,
    operation_labels,
)

PROTOCOL = "d1"
ACCOUNT = "fuzz-account"
DATABASE_PATH = "/client/v4/accounts/{account_id}/d1/database/{database_id}"
NAMES = itertools.count(1)
SQL = st.sampled_from([
    "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v)",
    "INSERT INTO t (v) VALUES (?)",
    "SELECT * FROM t WHERE v = ?",
    "SELECT ?, typeof(?)",
    "UPDATE t SET v = ? WHERE id = 1",
    "DELETE FROM t",
    "SELECT json_extract(?, '$.a')",
    "SELEC broken",
])
PARAMS = st.lists(st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
                            st.lists(st.integers(0, 255), max_size=4)), max_size=3)


def _envelope(case: Any) -> Any:
    return lambda response: d1_envelope(response, case.formatted_path)


def _call(case: Any, client: Any) -> Any:
    return call_and_check(PROTOCOL, case, client, _envelope(case))


@pytest.fixture(scope="module")
def schema(fuzz_app: Any, client: Any) -> Any:
    return load_schema(PROTOCOL, fuzz_app)


@pytest.mark.parametrize("label", operation_labels(PROTOCOL) or ["(no spec)"])
def test_operation(schema: Any, client: Any, label: str) -> None:
    method, path = label.split(" ", 1)
    operation = schema[path][method]

    @hypothesis_settings()
    @given(operation.as_strategy())
    def run(case: Any) -> None:
        _call(case, client)

    run()


class D1Machine(RuleBasedStateMachine):
    schema: Any = None
    client: Any = None
    databases = Bundle("databases")

    def _case(self, data: Any, path: str, method: str, database: tuple[str, str]) -> Any:
        case = data.draw(self.schema[path][method].as_strategy())
        case.path_parameters = {**(case.path_parameters or {}), "account_id": ACCOUNT, "database_id": database[0]}
        return case

    @initialize(target=databases)
    def create(self) -> tuple[str, str]:
        name = f"fuzz-{next(NAMES)}"
        response = self.client.post(f"/d1/client/v4/accounts/{ACCOUNT}/d1/database", json={"name": name})
        assert response.status_code == 200, response.text
        return response.json()["result"]["uuid"], name

    @rule(database=databases, data=st.data())
    def rest_query_generated(self, database: tuple[str, str], data: Any) -> None:
        _call(self._case(data, DATABASE_PATH + "/query", "POST", database), self.client)

    @rule(database=databases, data=st.data(), sql=SQL, params=PARAMS, raw=st.booleans())
    def rest_query(self, database: tuple[str, str], data: Any, sql: str, params: list[Any], raw: bool) -> None:
        case = self._case(data, DATABASE_PATH + ("/raw" if raw else "/query"), "POST", database)
        case.body = {"sql": sql, "params": params}
        _call(case, self.client)

    @rule(database=databases, data=st.data(), statements=st.lists(st.tuples(SQL, PARAMS), max_size=4),
          path=st.sampled_from(["/query", "/execute"]), fmt=st.sampled_from(["ROWS_AND_COLUMNS", "ARRAY_OF_OBJECTS",
                                                                              "NONE", "bogus"]))
    def binding(self, database: tuple[str, str], data: Any, statements: list[Any], path: str, fmt: str) -> None:
        case = data.draw(self.schema[path]["POST"].as_strategy())
        case.headers = {**(case.headers or {}), "X-LumaDB-Database": database[data.draw(st.integers(0, 1))]}
        case.query = {"resultsFormat": fmt}
        case.body = [{"sql": sql, "params": params} for sql, params in statements]
        _call(case, self.client)

    @rule(database=databases, data=st.data())
    def binding_generated(self, database: tuple[str, str], data: Any) -> None:
        case = data.draw(self.schema["/query"]["POST"].as_strategy())
        case.headers = {**(case.headers or {}), "X-LumaDB-Database": database[1]}
        _call(case, self.client)

    @rule(database=databases, data=st.data(), method=st.sampled_from(["GET", "PATCH", "PUT"]))
    def database_itself(self, database: tuple[str, str], data: Any, method: str) -> None:
        _call(self._case(data, DATABASE_PATH, method, database), self.client)

    @rule(database=databases, data=st.data(), action=st.sampled_from(["/export", "/import", "/time_travel/bookmark"]))
    def lifecycle(self, database: tuple[str, str], data: Any, action: str) -> None:
        method = "GET" if action == "/time_travel/bookmark" else "POST"
        _call(self._case(data, DATABASE_PATH + action, method, database), self.client)

    @invariant()
    def server_alive(self) -> None:
        assert self.client.get("/health").status_code == 200


def test_stateful_databases(schema: Any, client: Any) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    D1Machine.schema, D1Machine.client = schema, client
    run_state_machine_as_test(D1Machine, settings=hypothesis_settings(STATEFUL_RUNS, stateful_step_count=20))
