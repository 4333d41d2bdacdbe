"""specs/d1.yaml: valid OpenAPI that Connexion loads, every D1 route in it, and real
responses (REST and binding, successes and failures) that conform to its schemas."""

from __future__ import annotations

import hashlib
import warnings
from typing import Any

import httpx
import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from lumadb.d1.frontend import D1FrontEnd
from lumadb.specs import SPEC_DIR
from tests.d1.conftest import ACCOUNT, D1Http
from tests.lumadb_server import LumaServer

SPEC = yaml.safe_load((SPEC_DIR / "d1.yaml").read_text())


def schema_of(method: str, path: str, status: str) -> dict[str, Any]:
    response = SPEC["paths"][path][method]["responses"][status]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return next(iter(response["content"].values()))["schema"]


def conforms(method: str, path: str, reply: httpx.Response) -> None:
    schema = {**schema_of(method, path, str(reply.status_code)), "components": SPEC["components"]}
    OAS30Validator(schema).validate(reply.json())


def test_spec_is_valid_and_loads_in_connexion() -> None:
    from openapi_spec_validator import validate

    validate(SPEC)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lumadb.specs import build_connexion_app

        build_connexion_app()


def test_every_spec_route_is_served() -> None:
    front = D1FrontEnd()
    for path, item in SPEC["paths"].items():
        for method in item:
            if method == "parameters":
                continue
            concrete = path.replace("{account_id}", ACCOUNT).replace("{database_id}", "db").replace("{file}", "f")
            for full in ("/d1" + concrete, concrete):
                if full.startswith("/signed"):
                    continue
                assert front.resolve(method.upper(), full, {"x-lumadb-database": "db"}) is not None, (method, full)


def test_rest_responses_conform(server: LumaServer, d1: D1Http, unique_name: str) -> None:
    base = "/client/v4/accounts/{account_id}/d1/database"
    created = d1.rest("POST", body={"name": unique_name, "primary_location_hint": "oc"})
    conforms("post", base, created)
    uuid = created.json()["result"]["uuid"]
    conforms("get", base, d1.rest("GET", params={"per_page": 1}))
    one = base + "/{database_id}"
    conforms("get", one, d1.rest("GET", f"/{uuid}"))
    conforms("get", one, d1.rest("GET", "/nope-nope"))
    conforms("put", one, d1.rest("PUT", f"/{uuid}", {"read_replication": {"mode": "auto"}}))
    conforms("patch", one, d1.rest("PATCH", f"/{uuid}", {}))
    conforms("post", one + "/query", d1.rest("POST", f"/{uuid}/query", {
        "sql": "CREATE TABLE t (a, b); INSERT INTO t VALUES (?, ?); SELECT a, b, 1e999, x'01' FROM t",
        "params": [1.5, None]}))
    conforms("post", one + "/raw", d1.rest("POST", f"/{uuid}/raw", {"batch": [{"sql": "SELECT * FROM t"}]}))
    conforms("post", one + "/query", d1.rest("POST", f"/{uuid}/query", {"sql": "SELECT nope"}))
    conforms("post", one + "/export", d1.rest("POST", f"/{uuid}/export", {"output_format": "polling"}))
    file = b"INSERT INTO t VALUES (2, 3);"
    etag = hashlib.md5(file).hexdigest()
    init = d1.rest("POST", f"/{uuid}/import", {"action": "init", "etag": etag})
    conforms("post", one + "/import", init)
    httpx.put(init.json()["result"]["upload_url"], content=file)
    ingest = d1.rest("POST", f"/{uuid}/import", {"action": "ingest", "etag": etag, "filename": f"{uuid}-{etag}.sql"})
    conforms("post", one + "/import", ingest)
    bookmark = d1.rest("GET", f"/{uuid}/time_travel/bookmark")
    conforms("get", one + "/time_travel/bookmark", bookmark)
    restored = d1.rest("POST", f"/{uuid}/time_travel/restore", params={"bookmark": bookmark.json()["result"]["bookmark"]})
    conforms("post", one + "/time_travel/restore", restored)
    conforms("delete", one, d1.rest("DELETE", f"/{uuid}"))
    conforms("post", "/client/v4/graphql", httpx.post(server.url + "/d1/client/v4/graphql", json={}))
    for listing in ("/client/v4/accounts", "/client/v4/memberships"):
        conforms("get", listing, httpx.get(server.url + listing))


def test_binding_responses_conform(d1: D1Http, db_name: str) -> None:
    for fmt in ("ROWS_AND_COLUMNS", "NONE"):
        conforms("post", "/query", d1.binding(db_name, [
            {"sql": "SELECT 1 AS a, x'00' AS b, NULL AS c, 2.5 AS d", "params": []}, {"sql": "SELECT ?", "params": ["x"]}],
            fmt=fmt))
    conforms("post", "/execute", d1.binding(db_name, {"sql": "SELECT nope"}, path="/execute"))
    conforms("post", "/query", d1.binding(db_name, {"sql": 5}))


@pytest.mark.parametrize("path", ["/d1/openapi.json"])
def test_spec_is_served(d1: D1Http, path: str) -> None:
    served = d1.client.get(path).json()
    assert served["info"]["title"] == "LumaDB Cloudflare D1" and "/query" in served["paths"]
