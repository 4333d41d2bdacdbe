"""Every D1 failure answers in D1's own shape: the v4 envelope `{result, success: false,
errors: [{code, message}], messages}` for the REST API, `{success: false, error}` for the
binding protocol. And a database name can never become a path outside the data directory."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from lumadb.storage.sqlite import apsw
from tests.d1.conftest import ACCOUNT, D1Http
from tests.lumadb_server import LumaServer

BASE = f"/client/v4/accounts/{ACCOUNT}/d1/database"


def assert_envelope(reply: httpx.Response, status: int, code: int) -> dict:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert list(body)[:4] == ["result", "success", "errors", "messages"]
    assert body["success"] is False and body["messages"] == []
    assert body["errors"][0]["code"] == code and isinstance(body["errors"][0]["message"], str)
    return body


@pytest.mark.parametrize("prefix", ["/client/v4", "/d1/client/v4", "/d1"])
def test_malformed_json(d1: D1Http, prefix: str) -> None:
    reply = d1.client.post(f"{prefix}/accounts/{ACCOUNT}/d1/database", content=b'{"name": ',
                           headers={"content-type": "application/json"})
    body = assert_envelope(reply, 400, 7400)
    assert body["errors"] == [{"code": 7400, "message": "Malformed JSON in request body"}]


def test_content_type_is_not_what_decides(d1: D1Http, unique_name: str) -> None:
    # D1 reads the body as JSON whatever the declared type (curl -d sends a form type)...
    created = d1.client.post(BASE, content=f'{{"name": "{unique_name}"}}'.encode(),
                             headers={"content-type": "application/x-www-form-urlencoded"})
    assert created.status_code == 200 and created.json()["result"]["name"] == unique_name
    # ...so a body that is not JSON is a malformed-JSON error in the envelope.
    form = d1.client.post(BASE, content=b"name=x", headers={"content-type": "application/x-www-form-urlencoded"})
    assert_envelope(form, 400, 7400)
    query = d1.client.post(f"{BASE}/{unique_name}/query", content=b"SELECT 1", headers={"content-type": "text/plain"})
    assert_envelope(query, 400, 7400)


@pytest.mark.parametrize("path", [
    f"{BASE}/some-db/nothing-here",
    f"/client/v4/accounts/{ACCOUNT}/workers/scripts",
    "/d1/whatever",
    f"/d1/client/v4/accounts/{ACCOUNT}/d1/database/x/time_travel",
])
def test_unknown_path(d1: D1Http, path: str) -> None:
    body = assert_envelope(d1.client.get(path), 400, 7003)
    assert body["errors"][1] == {"code": 7000, "message": "No route for that URI"}
    assert body["errors"][0]["message"].startswith("Could not route to /client/v4/")


@pytest.mark.parametrize(("method", "path"), [
    ("DELETE", BASE), ("GET", f"{BASE}/x/query"), ("PUT", f"{BASE}/x/raw"), ("POST", f"{BASE}/x/time_travel/bookmark"),
    ("GET", "/client/v4/graphql"),
])
def test_wrong_method(d1: D1Http, method: str, path: str) -> None:
    reply = d1.client.request(method, path)
    assert_envelope(reply, 405, 7001)
    assert method not in reply.headers["allow"] and reply.headers["allow"]


def test_unknown_database_and_bad_values(d1: D1Http) -> None:
    body = assert_envelope(d1.client.post(f"{BASE}/nope-db/query", json={"sql": "SELECT 1"}), 404, 7404)
    assert body["errors"] == [{"code": 7404, "message": "The database nope-db could not be found"}]
    assert_envelope(d1.client.post(BASE, json={"name": 42}), 400, 7400)
    assert_envelope(d1.client.post(BASE, json={"name": "x", "primary_location_hint": "mars"}), 400, 7400)
    assert_envelope(d1.client.get(BASE, params={"per_page": "0"}), 400, 7400)


def test_body_too_large(start_server) -> None:
    small = start_server("--max-body-bytes", "2000")
    big = {"sql": "SELECT '" + "x" * 5000 + "'"}
    rest = httpx.post(small.url + BASE + "/some-db/query", json=big)
    body = assert_envelope(rest, 413, 7400)
    assert body["error"] == body["errors"][0]["message"]
    binding = httpx.post(small.url + "/query", json=big, headers={"x-lumadb-database": "some-db"})
    assert binding.status_code == 413 and binding.json()["success"] is False and "error" in binding.json()


@pytest.mark.parametrize("name", ["../../etc/passwd", "..", "a/b", "a\\b", ".hidden", "x" * 65, "", "semi;colon", "two words"])
def test_database_names_never_become_paths(server: LumaServer, d1: D1Http, name: str) -> None:
    before = {p for p in Path(server.data_dir).rglob("*")}
    created = d1.client.post(BASE, json={"name": name})
    assert_envelope(created, 400, 7400)
    bound = d1.client.post("/query", json={"sql": "CREATE TABLE t (x)"},
                           headers={"x-lumadb-database": name})
    assert bound.status_code == 400 and bound.json()["success"] is False
    looked_up = d1.client.get(f"{BASE}/{name}") if "/" not in name and name else None
    if looked_up is not None:
        assert looked_up.status_code in (400, 404)
    after = {p for p in Path(server.data_dir).rglob("*")}
    new = {p for p in after - before if not p.name.endswith(("-wal", "-shm", "-journal"))}
    assert new == set()
    assert not (Path(server.data_dir).parent / "etc").exists()


@pytest.mark.parametrize("prefix", ["/client/v4", "/d1/client/v4", "/d1"])
def test_every_base_path_serves_the_api(d1: D1Http, db_name: str, prefix: str) -> None:
    d1.run(db_name, "SELECT 1")
    reply = d1.client.post(f"{prefix}/accounts/{ACCOUNT}/d1/database/{db_name}/query", json={"sql": "SELECT 2 AS two"})
    assert reply.status_code == 200 and reply.json()["result"][0]["results"] == [{"two": 2}]


def test_a_write_locked_out_by_another_process_is_a_d1_error() -> None:
    """Another program holding the file's write lock past the busy timeout: D1's SQLITE_BUSY
    error, which a Worker can catch (was an internal error, HTTP 500); reads go on."""
    server = LumaServer("--busy-timeout-ms", "200").start()
    try:
        d1 = D1Http(server.url)
        uuid = d1.rest("POST", body={"name": "locked"}).json()["result"]["uuid"]
        d1.run(uuid, "CREATE TABLE t (x)")
        holder = apsw.Connection(str(Path(server.data_dir) / "d1" / f"{uuid}.sqlite"))
        holder.execute("BEGIN IMMEDIATE")
        try:
            rest = d1.rest("POST", f"/{uuid}/query", {"sql": "INSERT INTO t VALUES (1)"})
            body = assert_envelope(rest, 400, 7500)
            assert body["errors"] == [{"code": 7500, "message": "database is locked: SQLITE_BUSY"}]
            assert d1.run(uuid, "INSERT INTO t VALUES (2)") == {
                "success": False, "error": "database is locked: SQLITE_BUSY"
            }
            assert d1.run(uuid, "SELECT count(*) FROM t")["results"]["rows"] == [[0]]
        finally:
            holder.execute("ROLLBACK")
        assert d1.run(uuid, "INSERT INTO t VALUES (3)")["success"] is True
    finally:
        server.stop()


def test_libsql_alter_column_is_not_d1_sql(d1: D1Http, db_name: str) -> None:
    """`ALTER TABLE ... ALTER COLUMN` is libSQL's (LumaDB runs it on /turso); D1's SQLite (3.54.1,
    as LumaDB's) knows ALTER COLUMN only with SET/DROP NOT NULL, and answers its syntax error at
    the `TO` (Miniflare's text on workerd 1.20261117)."""
    assert d1.run(db_name, "CREATE TABLE t (x TEXT)")["success"] is True
    rest = d1.rest("POST", f"/{db_name}/query", {"sql": "ALTER TABLE t ALTER COLUMN x TO x INTEGER"})
    body = assert_envelope(rest, 400, 7500)
    assert body["errors"] == [{"code": 7500, "message": 'near "TO": syntax error at offset 29: SQLITE_ERROR'}]
    assert d1.run(db_name, "SELECT sql FROM sqlite_schema WHERE name = 't'")["results"]["rows"] == [["CREATE TABLE t (x TEXT)"]]
