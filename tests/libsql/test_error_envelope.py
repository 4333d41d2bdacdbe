"""Every libSQL endpoint answers bad input in sqld's envelope, with CORS, never a 500."""

from __future__ import annotations

import pytest

from tests.libsql.conftest import call, execute, pipeline
from tests.lumadb_server import LumaServer

JSON_ENDPOINTS = ["/v2/pipeline", "/v3/pipeline", "/v3/cursor", "/v1/execute", "/v1/batch"]


@pytest.mark.parametrize("prefix", ["", "/turso"])
@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_malformed_json_is_a_400_text_error(server: LumaServer, prefix: str, path: str) -> None:
    for body in (b"{not json", b"", b"[]", b'{"requests": 5, "batch": 5, "stmt": 5}'):
        reply = call(server.url, "POST", prefix + path, body)
        assert (reply.status, reply.content_type) == (400, "text/plain"), (path, body, reply.text)
        assert reply.text.startswith("Cannot deserialize client message from JSON: ")
        assert reply.headers["access-control-allow-origin"] == "*"


def test_content_type_is_not_required(server: LumaServer) -> None:
    body = '{"requests": [{"type": "execute", "stmt": {"sql": "SELECT 1"}}, {"type": "close"}]}'
    for content_type in (None, "text/plain", "application/x-www-form-urlencoded", "application/json"):
        headers = {"content-type": content_type} if content_type else {}
        reply = call(server.url, "POST", "/v3/pipeline", body.encode(), headers)
        assert reply.status == 200, content_type


def test_unknown_paths_and_methods(server: LumaServer) -> None:
    for path in ("/turso/nope", "/turso/v4/pipeline", "/v3-protobuf", "/turso/v3-protobuf", "/v3-protobuf/pipeline"):
        reply = call(server.url, "GET", path)
        assert reply.status == 404, path
    wrong = call(server.url, "GET", "/v2/pipeline")
    assert (wrong.status, wrong.headers.get("allow")) == (405, "POST")
    wrong = call(server.url, "DELETE", "/turso/v1/execute")
    assert wrong.status == 405
    # HEAD is served wherever GET is, without a body (as sqld's router does)
    for path in ("/turso/v2", "/v3", "/turso/health"):
        head, get = call(server.url, "HEAD", path), call(server.url, "GET", path)
        assert (head.status, head.text) == (200, ""), path
        assert head.headers.get("content-length") == get.headers.get("content-length"), path
    assert call(server.url, "HEAD", "/v2/pipeline").status == 405
    # sqld's answers (0.24.32): its allow lists, and GET / (a WebSocket upgrade there) without one
    for method, path, status, allow in (("PUT", "/turso/dump", 405, "GET,HEAD"), ("PUT", "/turso", 405, "POST,GET,HEAD"),
                                        ("GET", "/turso", 404, None), ("HEAD", "/turso/", 404, None)):
        reply = call(server.url, method, path)
        assert (reply.status, reply.headers.get("allow"), reply.text) == (status, allow, ""), (method, path)


def test_preflight_and_cors_headers(server: LumaServer) -> None:
    reply = call(server.url, "OPTIONS", "/turso/v2/pipeline", headers={
        "origin": "http://example.test", "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type"})
    assert reply.status == 200
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.headers["access-control-allow-headers"] == "*"
    assert reply.headers["access-control-allow-methods"] == "*"
    ok = pipeline(server.url, [execute("SELECT 1"), {"type": "close"}])
    assert ok.headers["access-control-allow-origin"] == "*"


def test_probes_and_info_routes(server: LumaServer) -> None:
    for path in ("/v2", "/turso/v2", "/v3", "/turso/v3"):
        reply = call(server.url, "GET", path)
        assert (reply.status, reply.text) == (200, "Hello, this is HTTP API v2 (Hrana over HTTP)")
    assert call(server.url, "GET", "/turso/v1").text == "This is sqld HTTP API v1"
    assert call(server.url, "GET", "/turso/health").status == 200
    assert call(server.url, "GET", "/turso/version").text.startswith("lumadb ")


def test_body_too_large(start_server) -> None:
    srv = start_server("--max-body-bytes", "1000")
    reply = pipeline(srv.url, [execute("SELECT '" + "x" * 2000 + "'")])
    assert (reply.status, reply.content_type) == (413, "application/json")
    assert reply.json == {"error": "Request body is larger than the limit of 1000 bytes"}


def test_baton_of_the_wrong_type(server: LumaServer) -> None:
    reply = call(server.url, "POST", "/v2/pipeline", {"baton": 5, "requests": []})
    assert reply.status == 400 and reply.text.startswith("Cannot deserialize client message from JSON: ")


@pytest.mark.parametrize(("body", "message"), [
    ({"baton": 5, "requests": []}, "invalid type: integer `5`, expected a string"),
    ({"requests": None}, "invalid type: null, expected a sequence"),
    ({"requests": {}}, "invalid type: map, expected a sequence"),
    (None, "invalid type: null, expected struct PipelineReqBody"),
    ([], "invalid length 0, expected struct PipelineReqBody with 2 elements"),
    ({"requests": [{"type": "batch", "batch": {"steps": [{"stmt": {"sql": "SELECT 1"}, "condition": 5}]}}]},
     "invalid type: integer `5`, expected internally tagged enum BatchCond"),
    ({"requests": [execute("SELECT ?", {"type": "blob", "base64": "!!"})]},
     'invalid value: string "!!", expected binary data encoded as base64'),
    ({"requests": [execute("SELECT ?", {"type": "blob", "base64": 123})]},
     "invalid type: integer `123`, expected a borrowed string"),
])  # fmt: skip
def test_bad_values_are_named_as_sqld_names_them(server: LumaServer, body: object, message: str) -> None:
    reply = call(server.url, "POST", "/v2/pipeline", "null" if body is None else body)
    assert (reply.status, reply.text) == (400, "Cannot deserialize client message from JSON: " + message)


def test_padding_alone_is_an_empty_blob(server: LumaServer) -> None:
    reply = pipeline(server.url, [execute("SELECT length(?1), typeof(?1)", {"type": "blob", "base64": "===="}),
                                  {"type": "close"}])  # fmt: skip
    row = reply.json["results"][0]["response"]["result"]["rows"][0]
    assert row == [{"type": "integer", "value": "0"}, {"type": "text", "value": "blob"}]
