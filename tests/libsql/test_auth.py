"""sqld's JWT authentication with generated Ed25519 keys (raw base64url and PEM)."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.conftest import run_node
from tests.libsql.conftest import call, execute, integer, ok_result, pipeline
from tests.lumadb_server import LumaServer


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def token(key: Ed25519PrivateKey, claims: dict, alg: str = "EdDSA") -> str:
    head = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode()) + "." + b64url(json.dumps(claims).encode())
    return head + "." + b64url(key.sign(head.encode()))


RAW_KEY = Ed25519PrivateKey.generate()
PEM_KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def auth_server():
    raw = b64url(RAW_KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    pem = PEM_KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    srv = LumaServer(f"--libsql-jwt-key={raw}", "--libsql-jwt-key", pem).start()
    yield srv
    srv.cleanup()


def bearer(value: str) -> dict[str, str]:
    return {"authorization": value}


SELECT = [execute("SELECT 1"), {"type": "close"}]


@pytest.mark.parametrize(("headers", "detail"), [
    ({}, "Expected authorization header but none given"),
    (bearer("Bearer "), "Auth string does not conform to '<scheme> <token>' form"),
    (bearer("Bearer"), "Auth string does not conform to '<scheme> <token>' form"),
    (bearer("Bearer None"), "The JWT is invalid"),
    (bearer("Basic dXNlcjpwYXNz"), "The authentication scheme in the `Authorization` HTTP header is not supported"),
    (bearer("Bearer " + token(OTHER_KEY, {})), "The JWT is invalid"),
    (bearer("Bearer " + token(RAW_KEY, {}, alg="HS256")), "The JWT is invalid"),
    (bearer("Bearer " + token(RAW_KEY, {"a": "superuser"})), "The JWT is invalid"),
    (bearer("Bearer " + token(RAW_KEY, {"exp": int(time.time()) - 120})), "The JWT has expired"),
])
def test_rejected_credentials(auth_server: LumaServer, headers: dict, detail: str) -> None:
    reply = pipeline(auth_server.url, SELECT, headers=headers)
    assert (reply.status, reply.content_type) == (401, "application/json")
    assert reply.json == {"error": f"Unauthorized: `{detail}`"}


def test_accepted_credentials(auth_server: LumaServer) -> None:
    for headers in (bearer("Bearer " + token(RAW_KEY, {})), bearer("bearer " + token(PEM_KEY, {"a": "rw"})),
                    {"x-authorization": "Bearer " + token(RAW_KEY, {"exp": int(time.time()) + 60})},
                    bearer("Bearer " + token(RAW_KEY, {"nbf": int(time.time()) + 1000}))):
        reply = pipeline(auth_server.url, SELECT, headers=headers)
        assert reply.status == 200, headers


def test_open_routes_need_no_token(auth_server: LumaServer) -> None:
    for path in ("/v2", "/v3", "/turso/health"):
        assert call(auth_server.url, "GET", path).status == 200
    for path in ("/v1/execute", "/dump", "/turso"):
        assert call(auth_server.url, "POST" if path != "/dump" else "GET", path, b"{}").status == 401


def test_read_only_tokens_cannot_write(auth_server: LumaServer, unique_name: str) -> None:
    rw = bearer("Bearer " + token(RAW_KEY, {"a": "rw"}))
    ro = bearer("Bearer " + token(RAW_KEY, {"a": "ro"}))
    ro_p = bearer("Bearer " + token(RAW_KEY, {"p": {"ro": {"ns": ["default"]}}}))
    assert pipeline(auth_server.url, [execute(f"CREATE TABLE {unique_name} (v)"), {"type": "close"}], headers=rw).status == 200
    forbidden = {"error": "Authorization forbidden: Current session doesn't not have Write permission to namespace default"}
    for headers in (ro, ro_p):
        reply = pipeline(auth_server.url, [execute(f"INSERT INTO {unique_name} VALUES (1)"), {"type": "close"}], headers=headers)
        assert (reply.status, reply.json) == (403, forbidden)
        read = pipeline(auth_server.url, [execute(f"SELECT count(*) FROM {unique_name}"),
                                          execute(f"PRAGMA table_info({unique_name})"), {"type": "close"}], headers=headers)
        assert ok_result(read.json["results"][0])["rows"] == [[integer(0)]]
        assert pipeline(auth_server.url, [execute("PRAGMA user_version = 5")], headers=headers).status == 403
        v1 = call(auth_server.url, "POST", "/v1/execute", {"stmt": {"sql": f"DELETE FROM {unique_name}"}}, headers)
        assert v1.status == 403
        cursor = call(auth_server.url, "POST", "/v3/cursor",
                      {"batch": {"steps": [{"stmt": {"sql": f"INSERT INTO {unique_name} VALUES (2)"}}]}}, headers)
        assert cursor.status == 403
    elsewhere = bearer("Bearer " + token(RAW_KEY, {"p": {"rw": {"ns": ["other"]}}}))
    reply = pipeline(auth_server.url, SELECT, headers=elsewhere)
    assert (reply.status, reply.json) == (404, {"error": "Namespace `default` doesn't exist"})


def test_id_claim_selects_the_database(auth_server: LumaServer, unique_name: str) -> None:
    admin = bearer("Bearer " + token(RAW_KEY, {}))
    assert call(auth_server.url, "POST", f"/v1/namespaces/{unique_name}/create", b"{}", admin).status == 200
    scoped = bearer("Bearer " + token(RAW_KEY, {"id": unique_name}))
    reply = pipeline(auth_server.url, [execute("CREATE TABLE only_here (v)"), {"type": "close"}], headers=scoped)
    assert reply.status == 200
    default = pipeline(auth_server.url, [execute("SELECT * FROM only_here"), {"type": "close"}], headers=admin)
    assert default.json["results"][0]["error"]["message"] == "SQLite error: no such table: only_here"
    mismatch = pipeline(auth_server.url, SELECT, headers={**scoped, "x-namespace": "default"})
    assert (mismatch.status, mismatch.json) == (404, {"error": "Namespace `default` doesn't exist"})
    ro = bearer("Bearer " + token(RAW_KEY, {"a": "ro"}))
    assert call(auth_server.url, "POST", f"/v1/namespaces/{unique_name}x/create", b"{}", ro).status == 403
    assert call(auth_server.url, "DELETE", f"/v1/namespaces/{unique_name}").status == 401


@pytest.mark.node
def test_node_client_with_a_token(auth_server: LumaServer, unique_name: str) -> None:
    out = run_node("libsql_client.mjs", auth_server.url + "/turso", "errors", unique_name,
                   env={"LUMADB_TOKEN": token(RAW_KEY, {"a": "rw"})})
    assert out["unique"]["code"] == "SQLITE_CONSTRAINT"
