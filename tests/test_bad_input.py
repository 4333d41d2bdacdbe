"""Bad input tried as a new user would: every protocol answers with its own error shape,
never a 500, and no file appears outside the data directory."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.lumadb_server import LumaServer

EVIL = "../../etc/passwd"


def call(url: str, body: bytes | None, headers: dict[str, str], method: str = "POST") -> tuple[int, bytes, str]:
    req = urllib.request.Request(url, body, headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read(), r.headers.get("content-type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get("content-type", "")


def files_under(path: Path) -> set[Path]:
    return {p for p in path.rglob("*")} if path.exists() else set()


@pytest.fixture
def isolated(start_server, tmp_path: Path):
    data = tmp_path / "deep" / "er" / "data"
    srv: LumaServer = start_server(data_dir=data)
    before = files_under(tmp_path) - files_under(data)
    yield srv
    after = files_under(tmp_path) - files_under(data)
    assert after - before - {srv.log_path} == set(), "files appeared outside the data dir"
    assert not Path("/etc/passwd.sqlite").exists()


DYNAMO = {"content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.GetItem"}


def test_dynamodb_answers_its_own_errors(isolated: LumaServer) -> None:
    url = isolated.url + "/dynamodb"
    status, body, _ = call(url, b"{garbage", DYNAMO)
    assert status == 400 and json.loads(body)["__type"].endswith("#SerializationException")
    status, body, _ = call(url, b"{}", {**DYNAMO, "x-amz-target": "DynamoDB_20120810.Nope"})
    assert status == 400 and json.loads(body)["__type"].endswith("#UnknownOperationException")
    status, body, _ = call(url, b"{}", {**DYNAMO, "content-type": "text/plain"})
    assert status == 404 and b"UnknownOperationException" in body
    status, body, _ = call(url, json.dumps({"TableName": EVIL, "Key": {"a": {"S": "b"}}}).encode(), DYNAMO)
    assert status == 400 and json.loads(body)["__type"].endswith("#ValidationException")


def test_libsql_answers_its_own_errors(isolated: LumaServer) -> None:
    url = isolated.url + "/v2/pipeline"
    status, _, _ = call(url, b"{garbage", {"content-type": "application/json"})
    assert 400 <= status < 500
    status, body, ctype = call(url, json.dumps({"requests": []}).encode(),
                               {"content-type": "application/json", "x-namespace": EVIL})
    assert 400 <= status < 500 and "json" in ctype and json.loads(body)
    status, body, _ = call(isolated.url + "/v1/namespaces/" + EVIL.replace("/", "%2F") + "/create", b"{}",
                           {"content-type": "application/json"})
    assert 400 <= status < 500


def test_d1_answers_its_own_errors(isolated: LumaServer) -> None:
    base = isolated.url + "/client/v4/accounts/acc/d1/database"
    status, body, _ = call(base, b"{garbage", {"content-type": "application/json"})
    envelope = json.loads(body)
    assert 400 <= status < 500 and envelope["success"] is False and envelope["errors"]
    status, body, _ = call(isolated.url + "/query", json.dumps({"sql": "SELECT 1", "params": []}).encode(),
                           {"content-type": "application/json", "x-lumadb-database": EVIL})
    assert status < 500
    assert json.loads(body)["success"] is False
    status, body, _ = call(base + "/" + EVIL.replace("/", "%2F") + "/query", b'{"sql": "SELECT 1"}',
                           {"content-type": "application/json"})
    assert 400 <= status < 500 and json.loads(body)["success"] is False


def test_nothing_was_written_next_to_the_repository() -> None:
    assert not any(name.endswith(".sqlite") for name in os.listdir(Path(__file__).resolve().parent.parent))
