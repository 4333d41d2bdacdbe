"""schemathesis over specs/libsql.yaml: every operation with generated input, then a stateful
run of Hrana streams: a pipeline opens a stream and later generated pipelines and cursors
continue it with the baton each answer returns."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from tests.fuzz.conftest import (
    STATEFUL_RUNS,
    call_and_check,
    hypothesis_settings,
    libsql_envelope,
    load_schema,
    operation_labels,
)

PROTOCOL = "libsql"
SQL = st.sampled_from([
    "CREATE TABLE IF NOT EXISTS fuzz (id INTEGER PRIMARY KEY, v)",
    "INSERT INTO fuzz (v) VALUES (?)",
    "SELECT * FROM fuzz WHERE v = ?",
    "SELECT ?",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SELEC broken",
])
VALUES = st.one_of(
    st.just({"type": "null"}),
    st.integers(-(2**63), 2**63 - 1).map(lambda n: {"type": "integer", "value": str(n)}),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: {"type": "float", "value": f}),
    st.text(max_size=8).map(lambda t: {"type": "text", "value": t}),
    st.binary(max_size=8).map(lambda b: {"type": "blob", "base64": __import__("base64").b64encode(b).decode()}),
)
EXECUTE = st.builds(lambda sql, args: {"type": "execute", "stmt": {"sql": sql, "args": args}}, SQL,
                    st.lists(VALUES, max_size=2))


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
        call_and_check(PROTOCOL, case, client, libsql_envelope)

    run()


class HranaMachine(RuleBasedStateMachine):
    schema: Any = None
    client: Any = None
    batons = Bundle("batons")

    def __init__(self) -> None:
        super().__init__()
        self.used: set[str] = set()

    def _consumed(self, baton: str, response: Any) -> None:
        # A 200 rotates the baton. A body refused while it is decoded leaves it valid, as in
        # sqld (tests/libsql/test_streams.py); an error inside the stream ends the stream.
        if response.status_code == 200:
            self.used.add(baton)

    def _follow(self, response: Any) -> str | None:
        if response.status_code != 200:
            return None
        lines = response.text.splitlines()
        first = __import__("json").loads(lines[0]) if lines else {}
        baton = first.get("baton") if isinstance(first, dict) else None
        return baton if isinstance(baton, str) else None

    @initialize(target=batons, version=st.sampled_from(["v2", "v3"]))
    def open_stream(self, version: str) -> str:
        response = self.client.post(f"/turso/{version}/pipeline", json={"baton": None, "requests": []})
        assert response.status_code == 200, response.text
        return response.json()["baton"]

    @rule(target=batons, baton=batons, data=st.data(), version=st.sampled_from(["v2", "v3"]),
          requests=st.lists(EXECUTE, max_size=3), close=st.booleans())
    def pipeline(self, baton: str, data: Any, version: str, requests: list[Any], close: bool) -> str:
        case = data.draw(self.schema[f"/{version}/pipeline"]["POST"].as_strategy())
        case.body = {"baton": baton, "requests": requests + ([{"type": "close"}] if close else [])}
        response = call_and_check(PROTOCOL, case, self.client, libsql_envelope)
        if baton in self.used:
            assert response.status_code == 400, f"a used baton was accepted: {response.text}"
        self._consumed(baton, response)
        return self._follow(response) or baton

    @rule(target=batons, baton=batons, data=st.data(), version=st.sampled_from(["v2", "v3"]))
    def pipeline_generated(self, baton: str, data: Any, version: str) -> str:
        case = data.draw(self.schema[f"/{version}/pipeline"]["POST"].as_strategy())
        body = case.body if isinstance(case.body, dict) else {}
        case.body = {**body, "baton": baton}
        response = call_and_check(PROTOCOL, case, self.client, libsql_envelope)
        self._consumed(baton, response)
        return self._follow(response) or baton

    @rule(target=batons, baton=batons, data=st.data(), steps=st.lists(EXECUTE, max_size=3))
    def cursor(self, baton: str, data: Any, steps: list[Any]) -> str:
        case = data.draw(self.schema["/v3/cursor"]["POST"].as_strategy())
        case.body = {"baton": baton, "batch": {"steps": [{"stmt": s["stmt"]} for s in steps]}}
        response = call_and_check(PROTOCOL, case, self.client, libsql_envelope)
        self._consumed(baton, response)
        return self._follow(response) or baton

    @rule(data=st.data(), path=st.sampled_from(["/v1/execute", "/v1/batch", "/"]))
    def stateless(self, data: Any, path: str) -> None:
        call_and_check(PROTOCOL, data.draw(self.schema[path]["POST"].as_strategy()), self.client, libsql_envelope)

    @invariant()
    def server_alive(self) -> None:
        assert self.client.get("/health").status_code == 200


def test_stateful_streams(schema: Any, client: Any) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    HranaMachine.schema, HranaMachine.client = schema, client
    run_state_machine_as_test(HranaMachine, settings=hypothesis_settings(STATEFUL_RUNS, stateful_step_count=20))
