"""specs/libsql.yaml: valid OpenAPI that Connexion loads, every path routed, every route in
the spec, and real responses that conform to its schemas."""

from __future__ import annotations

import json
import warnings

import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from lumadb.libsql.frontend import LibsqlFrontEnd
from lumadb.specs import SPEC_DIR
from tests.libsql.conftest import call, execute, integer, pipeline
from tests.lumadb_server import LumaServer

SPEC = yaml.safe_load((SPEC_DIR / "libsql.yaml").read_text())


def validator(schema_name: str) -> OAS30Validator:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": SPEC["components"]}
    return OAS30Validator(schema)


def test_spec_is_valid_and_loads_in_connexion() -> None:
    from openapi_spec_validator import validate

    validate(SPEC)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lumadb.specs import build_connexion_app

        build_connexion_app()


def test_every_spec_route_is_served_and_every_route_is_in_the_spec() -> None:
    front = LibsqlFrontEnd()
    spec_routes = set()
    for path, item in SPEC["paths"].items():
        for method in item:
            concrete = path.replace("{namespace}", "somedb")
            spec_routes.add((method.upper(), concrete))
            handler = front.resolve(method.upper(), "/turso" + concrete, {})
            assert handler is not None and handler is not front.not_found, (method, path)
    served = {(m, p) for p, methods in {**front.routes, **front.prefixed_only}.items() for m in methods}
    served |= {("POST", "/v1/namespaces/somedb/create"), ("DELETE", "/v1/namespaces/somedb")}
    assert served - {("POST", ""), ("GET", "")} == spec_routes


def test_pipeline_responses_conform(server: LumaServer, unique_name: str) -> None:
    requests = [
        execute(f"CREATE TABLE {unique_name} (i INTEGER, r REAL, t TEXT, b BLOB)"),
        execute(f"INSERT INTO {unique_name} VALUES (?, ?, ?, ?)", integer(-5), {"type": "float", "value": 1.5},
                {"type": "text", "value": "x"}, {"type": "blob", "base64": "AAE"}),
        execute(f"SELECT i, r, t, b, NULL, 1e999 FROM {unique_name}"),
        execute("SELECT * FROM no_such_table_here"),
        {"type": "batch", "batch": {"steps": [{"stmt": {"sql": "SELECT 1"}},
                                              {"stmt": {"sql": "SELEC"}, "condition": {"type": "ok", "step": 0}}]}},
        {"type": "batch", "batch": {"steps": [{"stmt": {"sql": "SELECT * FROM nope"}},
                                              {"stmt": {"sql": "SELECT 2"}, "condition": {"type": "error", "step": 0}}]}},
        {"type": "describe", "sql": f"SELECT * FROM {unique_name} WHERE i = :i"},
        {"type": "store_sql", "sql_id": 1, "sql": "SELECT 1"},
        {"type": "close_sql", "sql_id": 1},
        {"type": "sequence", "sql": "SELECT 1; SELECT 2"},
        {"type": "get_autocommit"},
    ]
    reply = pipeline(server.url, requests, version=3)
    body = reply.json
    validator("PipelineRespBody").validate(body)
    assert [r["type"] for r in body["results"]] == ["ok", "ok", "ok", "error", "error", "ok", "ok", "ok", "ok", "ok", "ok"]
    closed = pipeline(server.url, [{"type": "close"}], body["baton"])
    validator("PipelineRespBody").validate(closed.json)


def test_cursor_and_v1_and_legacy_responses_conform(server: LumaServer) -> None:
    steps = [{"stmt": {"sql": "SELECT 1, 'a', x'00', 2.5, NULL"}}, {"stmt": {"sql": "SELECT * FROM nope"}}]
    lines = call(server.url, "POST", "/v3/cursor", {"batch": {"steps": steps}}).text.splitlines()
    for line in lines[1:]:
        validator("CursorEntry").validate(json.loads(line))
    failed = call(server.url, "POST", "/v3/cursor", {"batch": {"steps": [{"stmt": {"sql": "SELEC"}}]}}).text.splitlines()
    validator("CursorEntry").validate(json.loads(failed[1]))
    v1 = call(server.url, "POST", "/v1/execute", {"stmt": {"sql": "SELECT 1"}}).json
    validator("StmtResult").validate(v1["result"])
    batch = call(server.url, "POST", "/v1/batch", {"batch": {"steps": steps}}).json
    validator("BatchResult").validate(batch["result"])
    error = call(server.url, "POST", "/v1/execute", {"stmt": {"sql": "SELECT * FROM nope"}}).json
    validator("Error").validate(error)
    legacy = call(server.url, "POST", "/turso", {"statements": ["SELECT 1, x'01', NULL"]}).json
    validator("LegacyResult").validate(legacy[0]["results"])


@pytest.mark.parametrize("schema", ["Value", "BatchCond", "StreamRequest"])
def test_schemas_reject_what_the_server_rejects(schema: str) -> None:
    bad = {"Value": {"type": "integer", "value": 5}, "BatchCond": {"type": "wat"}, "StreamRequest": {"type": "bogus"}}
    assert not validator(schema).is_valid(bad[schema])
