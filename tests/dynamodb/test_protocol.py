"""The DynamoDB wire protocol with a raw HTTP client: routing, the health check, response
headers, gzip bodies, CORS, and that every failure is DynamoDB's own `__type`/`message`
envelope (never a 500)."""

from __future__ import annotations

import gzip
import http.client
import json
import zlib
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.dynamodb.helpers import table_name

AMZ_JSON = "application/x-amz-json-1.0"
CORAL = "com.amazon.coral.service#"


def call(
    url: str,
    method: str = "POST",
    path: str = "/dynamodb",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def target(operation: str, body: Any, **headers: str) -> dict[str, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return {
        "body": raw,
        "headers": {"X-Amz-Target": f"DynamoDB_20120810.{operation}", "Content-Type": AMZ_JSON, **headers},
    }


def envelope(body: bytes) -> dict[str, Any]:
    parsed = json.loads(body)
    assert isinstance(parsed, dict) and "__type" in parsed
    assert set(parsed) <= {"__type", "message", "Message"}
    return parsed


def test_health_check_names_the_endpoint(server: Any) -> None:
    status, headers, body = call(server.url, "GET", "/dynamodb", headers={"Host": "localhost:8000"})
    assert (status, body) == (200, b"healthy: localhost:8000/dynamodb ")  # the trailing blank is AWS's
    status, _, body = call(server.url, "GET", "/dynamodb/abc")
    assert 400 <= status < 500
    assert envelope(body)["__type"] == CORAL + "UnknownOperationException"


def test_success_headers_and_checksum(server: Any) -> None:
    status, headers, body = call(server.url, **target("ListTables", {}))
    assert status == 200
    assert headers["content-type"] == AMZ_JSON
    assert headers["x-amzn-requestid"]
    assert int(headers["x-amz-crc32"]) == zlib.crc32(body)
    assert "TableNames" in json.loads(body)


def test_root_path_with_target_and_operation_paths(server: Any) -> None:
    for path in ("/", "/dynamodb/", "/dynamodb/ListTables"):
        status, _, body = call(server.url, path=path, **target("ListTables", {}))
        assert status == 200 and "TableNames" in json.loads(body), path


@pytest.mark.parametrize(
    ("request_kwargs", "status", "error"),
    [
        (
            {
                "body": b"{not json",
                "headers": {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": AMZ_JSON},
            },
            400,
            "SerializationException",
        ),
        (
            {
                "body": b"",
                "headers": {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": AMZ_JSON},
            },
            400,
            "SerializationException",
        ),
        ({"body": b"{}", "headers": {"Content-Type": AMZ_JSON}}, 400, "UnknownOperationException"),
        (
            {"body": b"{}", "headers": {"X-Amz-Target": "DynamoDB_20120810.Nope", "Content-Type": AMZ_JSON}},
            400,
            "UnknownOperationException",
        ),
        (
            {
                "body": b"{}",
                "headers": {"X-Amz-Target": "Other_20120810.ListTables", "Content-Type": AMZ_JSON},
            },
            400,
            "UnknownOperationException",
        ),
        (
            {
                "body": b"{}",
                "headers": {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "text/plain"},
            },
            404,
            "UnknownOperationException",
        ),
        (
            {"method": "PUT", "body": b"{}", "headers": {"X-Amz-Target": "DynamoDB_20120810.ListTables"}},
            404,
            "UnknownOperationException",
        ),
        ({"method": "DELETE", "path": "/dynamodb/ListTables"}, 404, "UnknownOperationException"),
    ],
)
def test_protocol_errors_use_the_dynamodb_envelope(
    server: Any, request_kwargs: dict, status: int, error: str
) -> None:
    got_status, headers, body = call(server.url, **request_kwargs)
    assert got_status == status
    assert envelope(body)["__type"] == CORAL + error
    assert int(headers["x-amz-crc32"]) == zlib.crc32(body)


def test_validation_and_semantic_errors_use_the_envelope(server: Any) -> None:
    status, _, body = call(server.url, **target("DescribeTable", {"TableName": "x"}))
    assert status == 400
    assert envelope(body) == {
        "__type": "com.amazon.coral.validate#ValidationException",
        "message": "TableName must be at least 3 characters long and at most 255 characters long",
    }
    status, _, body = call(server.url, **target("DescribeTable", {"TableName": 5}))
    assert status == 400 and envelope(body)["__type"] == CORAL + "SerializationException"
    missing = table_name()
    status, _, body = call(server.url, **target("GetItem", {"TableName": missing, "Key": {"pk": {"S": "a"}}}))
    assert envelope(body) == {
        "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
        "message": "Requested resource not found",
    }


def test_unimplemented_operation_is_refused_not_crashed(server: Any) -> None:
    status, _, body = call(server.url, **target("DescribeKinesisStreamingDestination", {"TableName": "abc"}))
    assert status == 400
    assert envelope(body)["__type"] == CORAL + "UnknownOperationException"


def test_gzip_request_bodies(server: Any) -> None:
    raw = gzip.compress(json.dumps({"Limit": 1}).encode())
    status, _, body = call(server.url, **target("ListTables", raw, **{"Content-Encoding": "gzip"}))
    assert status == 200 and "TableNames" in json.loads(body)


def test_a_body_its_encoding_does_not_describe_runs_nothing(server: Any, ddb: Any, make_table: Any) -> None:
    """Alternator's test_compressed_request, run against DynamoDB: every gzip member is read,
    bytes after the last are not; a body that is not the gzip it claims to be (mislabelled,
    truncated) or in another encoding writes nothing (DynamoDB answers 500, LumaDB its
    SerializationException)."""
    table = make_table()

    def put(pk: str) -> bytes:
        return json.dumps({"TableName": table, "Item": {"pk": {"S": pk}}}).encode()

    def stored(pk: str) -> bool:
        return "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": pk}}, ConsistentRead=True)

    whole = put("two-members")
    two_members = gzip.compress(whole[:10]) + gzip.compress(whole[10:])
    for pk, raw, encoding, written in (
        ("two-members", two_members, "gzip", True),
        ("junk-after", gzip.compress(put("junk-after")) + b"junk", "gzip", True),
        ("mislabelled", put("mislabelled"), "gzip", False),
        ("truncated", gzip.compress(put("truncated"))[:-1], "gzip", False),
        ("garbage", put("garbage"), "garbage", False),
    ):
        status, _, body = call(server.url, **target("PutItem", raw, **{"Content-Encoding": encoding}))
        assert (status == 200) is written, (pk, body)
        if not written:
            assert envelope(body)["__type"] == CORAL + "SerializationException"
        assert stored(pk) is written, pk


def test_json_content_type_is_accepted(server: Any) -> None:
    status, headers, body = call(
        server.url,
        body=b"{}",
        headers={"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/json"},
    )
    assert status == 200 and headers["content-type"] == "application/json"


def test_cors(server: Any) -> None:
    status, headers, _ = call(
        server.url,
        "OPTIONS",
        "/dynamodb",
        headers={
            "Origin": "http://example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-amz-target,content-type",
        },
    )
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-allow-methods"] == "POST"
    assert headers["access-control-allow-headers"] == "x-amz-target,content-type"
    exposed = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"
    assert headers["access-control-expose-headers"] == exposed and headers["server"] == "Server"
    _, headers, _ = call(server.url, **target("ListTables", {}, Origin="http://example.com"))
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-expose-headers"] == exposed and headers["server"] == "Server"
    _, headers, _ = call(server.url, **target("ListTables", {}))  # no Origin: no CORS headers
    assert "access-control-allow-origin" not in headers and headers["server"] == "Server"
    status, _, body = call(server.url, "OPTIONS", "/dynamodb")  # no Origin: no preflight
    assert status == 404 and envelope(body)["__type"].endswith("UnknownOperationException")


def test_body_over_the_limit(start_server: Any) -> None:
    small = start_server("--max-body-bytes", "2000")
    status, _, body = call(small.url, **target("ListTables", {"ExclusiveStartTableName": "x" * 5000}))
    assert status == 413
    assert envelope(body)["__type"].endswith("RequestEntityTooLarge")
    status, _, body = call(small.url, **target("ListTables", {}))
    assert status == 200
