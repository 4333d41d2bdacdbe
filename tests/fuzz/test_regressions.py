"""Failures the fuzzing found, replayed in process. Each stays xfail (with the reason) until
the code it names is fixed; then the mark goes and the case stays as a regression test."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fuzz.conftest import call_and_check, checks, dynamodb_envelope, libsql_envelope, load_schema


@pytest.fixture(scope="module")
def schemas(fuzz_app: Any, client: Any) -> dict[str, Any]:
    return {name: load_schema(name, fuzz_app) for name in ("dynamodb", "libsql")}


def _validated(case: Any, client: Any, envelope: Any) -> Any:
    response = case.call(session=client)
    case.validate_response(response, checks=checks())
    assert envelope(response) is None
    return response


# DescribeTable of an on-demand table answers 0s that botocore's model declares >= 1 (fixed in the overlay).
def test_on_demand_throughput_is_zero(schemas: dict[str, Any], client: Any) -> None:
    create = {"TableName": "regression-on-demand", "BillingMode": "PAY_PER_REQUEST",
              "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
    response = client.post("/dynamodb", json=create, headers={"X-Amz-Target": "DynamoDB_20120810.CreateTable",
                                                             "Content-Type": "application/x-amz-json-1.0"})
    assert response.status_code == 200, response.text
    operation = schemas["dynamodb"]["/dynamodb/DescribeTable"]["POST"]
    case = operation.Case(body={"TableName": "regression-on-demand"},
                          headers={"X-Amz-Target": "DynamoDB_20120810.DescribeTable"}, media_type="application/json")
    _validated(case, client, dynamodb_envelope)


# POST /v1/namespaces/{ns}/create with a dump_url answered 501 (dump_url was not supported); it is
# now loaded as sqld loads it, and a dump that cannot be fetched is the request's fault (400).
def test_namespace_from_dump_url_is_not_a_server_error(schemas: dict[str, Any], client: Any) -> None:
    operation = schemas["libsql"]["/v1/namespaces/{namespace}/create"]["POST"]
    case = operation.Case(path_parameters={"namespace": "regression-dump"}, body={"dump_url": "http://x/dump"},
                          media_type="application/json")
    _validated(case, client, libsql_envelope)


# POST /v1/execute of `COMMIT` outside a transaction answers 500 with the statement error, as sqld
# does (SQLite's own errors on Hrana v1); the check took it for a server failure (one run in many).
@pytest.mark.parametrize("sql", ["COMMIT", "SELECT * FROM regression_missing"])
def test_sqlite_error_on_v1_execute_is_the_protocols_answer(schemas: dict[str, Any], client: Any, sql: str) -> None:
    operation = schemas["libsql"]["/v1/execute"]["POST"]
    case = operation.Case(body={"stmt": {"sql": sql}}, media_type="application/json")
    response = call_and_check("libsql", case, client, libsql_envelope)
    assert response.status_code == 500
    assert response.json()["code"] == "SQLITE_ERROR"
