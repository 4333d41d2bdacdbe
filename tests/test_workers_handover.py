"""With --workers 2 what a client starts through one worker process goes on through the other,
since a client's requests may come over any of its connections. A libSQL stream lives in one
worker, yet its batons work through either: a request that reaches the other worker is passed
on to the stream's own (lumadb/sibling_workers.py), as on sqld. A D1 import ingested through
one worker is polled through the other."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import run_node
from tests.test_workers_cache import Connection, _one_per_worker


@pytest.fixture
def workers(start_server) -> Iterator[list[Connection]]:
    """A connection to each worker process of a new `--workers 2` server."""
    connections = _one_per_worker(start_server("--workers", "2"))
    yield connections
    for connection in connections:
        connection.close()


def _pipeline(conn: Connection, requests: list[dict], baton: str | None = None, path: str = "/v2/pipeline") -> Any:
    body = json.dumps({"baton": baton, "requests": requests})
    conn.http.request("POST", path, body, {"Content-Type": "application/json"})
    response = conn.http.getresponse()
    data = response.read()
    return response.status, json.loads(data) if response.status == 200 else data.decode()


def _execute(sql: str) -> dict:
    return {"type": "execute", "stmt": {"sql": sql}}


def _values(result: dict) -> list:
    assert result["type"] == "ok", result
    return [[cell.get("value") for cell in row] for row in result["response"]["result"]["rows"]]


def test_a_transaction_goes_on_through_the_other_worker(workers: list[Connection]) -> None:
    a, b = workers
    a.sql("CREATE TABLE t (v INTEGER)")
    status, opened = _pipeline(a, [_execute("BEGIN IMMEDIATE"), _execute("INSERT INTO t VALUES (1)")])
    assert status == 200 and opened["baton"], opened
    # the stream is a's: b passes the request on, and the transaction sees its own insert
    status, inside = _pipeline(b, [_execute("INSERT INTO t VALUES (2)"), _execute("SELECT count(*) FROM t")],
                               opened["baton"])
    assert status == 200, inside
    assert _values(inside["results"][1]) == [["2"]]
    assert a.sql("SELECT count(*) FROM t") == [["0"]]  # not committed yet
    # the next baton, through a again, then the commit through b
    status, back = _pipeline(a, [_execute("SELECT count(*) FROM t")], inside["baton"])
    assert status == 200 and _values(back["results"][0]) == [["2"]]
    status, done = _pipeline(b, [_execute("COMMIT"), {"type": "close"}], back["baton"])
    assert status == 200 and done["baton"] is None, done
    assert b.sql("SELECT count(*) FROM t") == [["2"]]
    # a baton already used is still refused, whichever worker it reaches
    status, reused = _pipeline(b, [_execute("SELECT 1")], back["baton"])
    assert (status, reused) == (400, "Received an invalid baton")


def test_a_cursor_goes_on_through_the_other_worker(workers: list[Connection]) -> None:
    a, b = workers
    a.sql("CREATE TABLE c (v INTEGER)")
    status, opened = _pipeline(a, [_execute("BEGIN"), _execute("INSERT INTO c VALUES (7)")], path="/v3/pipeline")
    assert status == 200 and opened["baton"], opened
    body = json.dumps({"baton": opened["baton"], "batch": {"steps": [{"stmt": {"sql": "SELECT v FROM c"}},
                                                                   {"stmt": {"sql": "ROLLBACK"}}]}})
    b.http.request("POST", "/v3/cursor", body, {"Content-Type": "application/json"})
    response = b.http.getresponse()
    lines = [json.loads(line) for line in response.read().splitlines()]
    assert response.status == 200, lines
    # the stream's own uncommitted row: the cursor ran in a's transaction
    assert [entry for entry in lines[1:] if entry["type"] == "row"] == [
        {"type": "row", "row": [{"type": "integer", "value": "7"}]}]
    assert b.sql("SELECT count(*) FROM c") == [["0"]]


def test_a_long_cursor_comes_through_the_other_worker_as_it_is_made(workers: list[Connection]) -> None:
    a, b = workers
    status, opened = _pipeline(a, [_execute("SELECT 1")], path="/v3/pipeline")
    assert status == 200 and opened["baton"], opened
    sql = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r WHERE i<300000) SELECT i FROM r"
    body = json.dumps({"baton": opened["baton"], "batch": {"steps": [{"stmt": {"sql": sql}}]}})
    b.http.request("POST", "/v3/cursor", body, {"Content-Type": "application/json"})
    response = b.http.getresponse()
    assert response.getheader("transfer-encoding") == "chunked"
    lines = [json.loads(line) for line in response.read().splitlines()]
    assert sum(1 for line in lines if line.get("type") == "row") == 300_000
    assert lines[-1] == {"type": "step_end", "affected_row_count": 0, "last_insert_rowid": None}
    # the stream goes on, through either worker
    status, after = _pipeline(b, [_execute("SELECT 2"), {"type": "close"}], lines[0]["baton"], path="/v3/pipeline")
    assert status == 200 and _values(after["results"][0]) == [["2"]]


def test_a_baton_of_a_worker_gone_is_invalid(workers: list[Connection]) -> None:
    a, b = workers
    status, opened = _pipeline(a, [_execute("SELECT 1")])
    assert status == 200 and opened["baton"], opened
    os.kill(int(a.worker, 16), signal.SIGKILL)  # its streams die with it
    status, answer = _pipeline(b, [_execute("SELECT 1")], opened["baton"])
    assert (status, answer) == (400, "Received an invalid baton")


@pytest.mark.node
def test_libsql_client_transactions_with_two_workers(start_server, unique_name: str) -> None:
    """@libsql/client keeps several connections to a server it uses concurrently; its
    transactions all commit (before passing requests on, about half of them met an invalid baton)."""
    srv = start_server("--workers", "2")
    out = run_node("libsql_client.mjs", srv.url + "/turso", "concurrentTransactions", unique_name)
    assert out == {"committed": 40, "failed": {}, "rows": 40, "distinct": 40}


def _d1(conn: Connection, path: str, body: dict) -> Any:
    conn.http.request("POST", f"/client/v4/accounts/{'0' * 32}/d1/database{path}", json.dumps(body),
                      {"Content-Type": "application/json", "Authorization": "Bearer x"})
    response = conn.http.getresponse()
    data = json.loads(response.read())
    assert response.status == 200 and data["success"], data
    return data["result"]


def test_a_d1_import_ingested_through_one_worker_is_polled_through_the_other(workers: list[Connection]) -> None:
    a, b = workers
    uuid = _d1(a, "", {"name": "imported"})["uuid"]
    sql = b"CREATE TABLE t (x);\nINSERT INTO t VALUES (1);\n"
    etag = hashlib.md5(sql).hexdigest()
    init = _d1(a, f"/{uuid}/import", {"action": "init", "etag": etag})
    upload = urllib.request.Request(init["upload_url"], data=sql, method="PUT")
    with urllib.request.urlopen(upload, timeout=30) as uploaded:
        assert uploaded.status == 200
    ingest = _d1(a, f"/{uuid}/import", {"action": "ingest", "etag": etag, "filename": init["filename"]})
    assert ingest["status"] == "complete"
    for conn in (b, a):
        assert _d1(conn, f"/{uuid}/import", {"action": "poll", "current_bookmark": ingest["at_bookmark"]}) == ingest


def _namespace_sql(conn: Connection, sql: str) -> tuple[int, Any]:
    body = json.dumps({"requests": [_execute(sql), {"type": "close"}]})
    conn.http.request("POST", "/v2/pipeline", body, {"Content-Type": "application/json", "x-namespace": "kept"})
    response = conn.http.getresponse()
    return response.status, json.loads(response.read())


def test_a_namespace_deleted_and_made_again_through_one_worker_is_the_new_one_on_the_other(
        workers: list[Connection]) -> None:
    """The other worker lets go of the deleted file: it answers 404, then writes to the new
    database (it had gone on writing to the deleted file, and those writes were lost)."""
    a, b = workers

    def admin(method: str) -> int:
        a.http.request(method, "/v1/namespaces/kept" + ("/create" if method == "POST" else ""),
                       "{}" if method == "POST" else None, {"Content-Type": "application/json"})
        response = a.http.getresponse()
        response.read()
        return response.status

    assert admin("POST") == 200
    assert _namespace_sql(a, "CREATE TABLE t (v)")[0] == 200
    assert _values(_namespace_sql(b, "INSERT INTO t VALUES (1) RETURNING rowid")[1]["results"][0]) == [["1"]]
    assert admin("DELETE") == 200
    assert _namespace_sql(b, "SELECT 1") == (404, {"error": "Namespace `kept` doesn't exist"})
    assert admin("POST") == 200
    assert _namespace_sql(a, "CREATE TABLE t (v)")[0] == 200
    assert _values(_namespace_sql(b, "INSERT INTO t VALUES (2) RETURNING rowid")[1]["results"][0]) == [["1"]]
    for conn in (a, b):
        assert _values(_namespace_sql(conn, "SELECT v FROM t")[1]["results"][0]) == [["2"]]


def test_a_d1_database_deleted_through_one_worker_is_gone_on_the_other(workers: list[Connection]) -> None:
    a, b = workers
    uuid = _d1(a, "", {"name": "deleted"})["uuid"]
    _d1(b, f"/{uuid}/query", {"sql": "CREATE TABLE t (v)"})
    a.http.request("DELETE", f"/client/v4/accounts/{'0' * 32}/d1/database/{uuid}", None, {"Authorization": "Bearer x"})
    response = a.http.getresponse()
    assert response.status == 200 and json.loads(response.read())["success"]
    b.http.request("POST", f"/client/v4/accounts/{'0' * 32}/d1/database/{uuid}/query",
                   json.dumps({"sql": "INSERT INTO t VALUES (1)"}), {"Content-Type": "application/json"})
    response = b.http.getresponse()
    answer = json.loads(response.read())
    assert response.status == 404 and answer["errors"][0]["code"] == 7404, answer


def test_columns_match_the_rows_after_another_worker_adds_one(workers: list[Connection]) -> None:
    """A statement this worker prepared before the other worker's ALTER TABLE: its rows come
    with the new column, and so do its column names (they had named one column less)."""
    a, b = workers
    a.sql("CREATE TABLE w (x)")
    a.sql("INSERT INTO w VALUES (1)")

    def select_all() -> tuple[list, list]:
        status, reply = _pipeline(b, [_execute("SELECT * FROM w"), {"type": "close"}])
        result = reply["results"][0]["response"]["result"]
        return [col["name"] for col in result["cols"]], _values(reply["results"][0])

    assert select_all() == (["x"], [["1"]])
    a.sql("ALTER TABLE w ADD COLUMN y DEFAULT 7")
    assert select_all() == (["x", "y"], [["1", "7"]])


def test_a_column_renamed_through_one_worker_is_named_anew_through_the_other(workers: list[Connection]) -> None:
    """The other worker's connection had prepared (and cached) the statement with the old
    schema: its values follow the change when it runs, and so must its column names."""
    a, b = workers

    def columns(conn: Connection, sql: str) -> list[str]:
        status, answer = _pipeline(conn, [_execute(sql), {"type": "close"}])
        assert status == 200 and answer["results"][0]["type"] == "ok", answer
        return [col["name"] for col in answer["results"][0]["response"]["result"]["cols"]]

    a.sql("CREATE TABLE r (x INTEGER, y INTEGER)")
    a.sql("INSERT INTO r VALUES (1, 2)")
    for _ in range(2):
        assert columns(b, "SELECT * FROM r") == ["x", "y"]
    a.sql("ALTER TABLE r RENAME COLUMN x TO z")
    assert columns(b, "SELECT * FROM r") == ["z", "y"]
    a.sql("DELETE FROM r")  # no rows to show the change by
    a.sql("ALTER TABLE r RENAME COLUMN z TO w")
    assert columns(b, "SELECT * FROM r") == ["w", "y"]


def test_a_database_deleted_through_one_worker_is_missing_through_the_other(workers: list[Connection]) -> None:
    a, b = workers

    def call(conn: Connection, method: str, path: str, headers: dict | None = None, body: str = "") -> tuple:
        conn.http.request(method, path, body, {"Content-Type": "application/json", **(headers or {})})
        response = conn.http.getresponse()
        return response.status, response.read()

    assert call(a, "POST", "/v1/namespaces/gone/create", body="{}") == (200, b"")
    query = json.dumps({"requests": [_execute("SELECT 1"), {"type": "close"}]})
    assert call(b, "POST", "/v2/pipeline", {"x-namespace": "gone"}, query)[0] == 200  # b holds it open
    assert call(a, "DELETE", "/v1/namespaces/gone") == (200, b"")
    missing = (404, b'{"error":"Namespace `gone` doesn\'t exist"}')
    assert call(b, "DELETE", "/v1/namespaces/gone") == missing
    assert call(b, "POST", "/v2/pipeline", {"x-namespace": "gone"}, query) == missing
