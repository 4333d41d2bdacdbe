"""Hrana streams over raw HTTP: batons, interactive transactions across requests, expiry,
stored SQL, version gates."""

from __future__ import annotations

import time

from tests.libsql.conftest import call, execute, integer, ok_result, pipeline, results
from tests.lumadb_server import LumaServer


def test_batons_rotate_and_cannot_be_reused_or_forged(server: LumaServer) -> None:
    first = pipeline(server.url, [execute("SELECT 1")])
    baton = first.json["baton"]
    assert isinstance(baton, str) and len(baton) == 64
    assert first.json["base_url"] is None
    second = pipeline(server.url, [execute("SELECT 2")], baton)
    assert second.status == 200
    assert second.json["baton"] != baton
    reused = pipeline(server.url, [execute("SELECT 3")], baton)
    assert (reused.status, reused.content_type, reused.text) == (
        400, "text/plain", "Received a baton that has already been used")
    forged = baton[:10] + ("A" if baton[10] != "A" else "B") + baton[11:]
    for bad in (forged, "garbage", ""):
        reply = pipeline(server.url, [execute("SELECT 4")], bad)
        assert (reply.status, reply.text) == (400, "Received an invalid baton")


def test_a_refused_body_keeps_the_baton_and_a_protocol_error_ends_the_stream(server: LumaServer) -> None:
    # As sqld (observed side by side): a body refused while it is decoded never reaches the
    # stream; an error met inside the stream ends it.
    baton = pipeline(server.url, []).json["baton"]
    refused = pipeline(server.url, [{"type": "bogus"}], baton)
    assert refused.status == 400 and refused.text.startswith("Cannot deserialize client message from JSON")
    assert pipeline(server.url, [execute("SELECT 1")], baton).status == 200
    for bad in ({"type": "get_autocommit"}, {"type": "execute", "stmt": {"sql_id": 77}}):
        baton = pipeline(server.url, []).json["baton"]
        assert pipeline(server.url, [bad], baton).status == 400  # v3-only on v2; unknown sql_id
        reused = pipeline(server.url, [execute("SELECT 1")], baton)
        assert (reused.status, reused.text) == (400, "Received an invalid baton")


def test_close_ends_the_stream(server: LumaServer) -> None:
    reply = pipeline(server.url, [execute("SELECT 1"), {"type": "close"}])
    assert reply.json["baton"] is None
    opened = pipeline(server.url, [])
    assert opened.json == {"baton": opened.json["baton"], "base_url": None, "results": []}
    closed = pipeline(server.url, [{"type": "close"}, execute("SELECT 1")], opened.json["baton"])
    assert (closed.status, closed.text) == (400, "Stream for this baton was closed")


def test_a_stream_closed_inside_an_untouched_transaction_leaves_nothing_open(
    server: LumaServer, unique_name: str
) -> None:
    # A deferred BEGIN (or a SAVEPOINT) that has read nothing holds no snapshot, yet a
    # transaction is open: its connection must not serve the next stream, whose writes would
    # be acknowledged inside it and rolled back later (sqld: counted 2).
    results(pipeline(server.url, [execute(f"CREATE TABLE {unique_name} (v)"), {"type": "close"}]))
    for opener in ("BEGIN", "BEGIN DEFERRED", f"SAVEPOINT {unique_name}"):
        results(pipeline(server.url, [execute(opener), {"type": "close"}]))
        written = results(pipeline(server.url, [execute(f"INSERT INTO {unique_name} VALUES (1)"),
                                                execute(f"INSERT INTO {unique_name} VALUES (2)"), {"type": "close"}]))
        assert [ok_result(r)["affected_row_count"] for r in written[:2]] == [1, 1]
        counted = results(pipeline(server.url, [execute(f"SELECT count(*) FROM {unique_name}"),
                                                execute(f"DELETE FROM {unique_name}"), {"type": "close"}]))
        assert ok_result(counted[0])["rows"] == [[integer(2)]], opener


def test_describe_does_not_fix_the_snapshot_of_a_transaction_that_has_read_nothing(
    server: LumaServer, unique_name: str
) -> None:
    # the Python `libsql` client describes every statement before it runs it; sqld, side by side:
    # the transaction's SELECT counts the row committed after the describe, and its INSERT runs
    results(pipeline(server.url, [execute(f"CREATE TABLE {unique_name} (v)"), {"type": "close"}]))
    tx = pipeline(server.url, [execute("BEGIN"), {"type": "describe", "sql": f"SELECT count(*) FROM {unique_name}"}])
    assert [r["type"] for r in tx.json["results"]] == ["ok", "ok"]
    results(pipeline(server.url, [execute(f"INSERT INTO {unique_name} VALUES (1)"), {"type": "close"}]))
    inside = pipeline(server.url, [execute(f"SELECT count(*) FROM {unique_name}"),
                                   execute(f"INSERT INTO {unique_name} VALUES (2)"), execute("COMMIT"),
                                   {"type": "close"}], tx.json["baton"])
    counted, inserted, committed = inside.json["results"][:3]
    assert ok_result(counted)["rows"] == [[integer(1)]]
    assert inserted["type"] == "ok" and committed["type"] == "ok", inside.json


def test_transaction_spans_requests_while_other_streams_work(server: LumaServer, unique_name: str) -> None:
    results(pipeline(server.url, [execute(f"CREATE TABLE {unique_name} (v)"), {"type": "close"}]))
    tx = pipeline(server.url, [execute("BEGIN"), execute(f"INSERT INTO {unique_name} VALUES (1)")], version=3)
    baton = tx.json["baton"]
    other = results(pipeline(server.url, [execute(f"SELECT count(*) FROM {unique_name}"), {"type": "close"}]))
    assert ok_result(other[0])["rows"] == [[integer(0)]]
    inside = pipeline(server.url, [execute(f"SELECT count(*) FROM {unique_name}"), {"type": "get_autocommit"}],
                      baton, version=3)
    assert ok_result(inside.json["results"][0])["rows"] == [[integer(1)]]
    assert inside.json["results"][1]["response"] == {"type": "get_autocommit", "is_autocommit": False}
    done = pipeline(server.url, [execute("COMMIT"), {"type": "get_autocommit"}, {"type": "close"}],
                    inside.json["baton"], version=3)
    assert done.json["results"][1]["response"]["is_autocommit"] is True
    after = results(pipeline(server.url, [execute(f"SELECT count(*) FROM {unique_name}"), {"type": "close"}]))
    assert ok_result(after[0])["rows"] == [[integer(1)]]


def test_connection_state_stays_with_its_stream(server: LumaServer, unique_name: str) -> None:
    # (temporary tables, which sqld refuses, were the other such state)
    reply = pipeline(server.url, [
        execute(f"CREATE TABLE {unique_name} (v)"),
        execute(f"INSERT INTO {unique_name} VALUES ('x')"),
        execute("PRAGMA foreign_keys = OFF"),
    ])
    later = pipeline(server.url, [execute("SELECT last_insert_rowid()"), execute("PRAGMA foreign_keys")],
                     reply.json["baton"])
    assert [ok_result(r)["rows"] for r in later.json["results"]] == [[[integer(1)]], [[integer(0)]]]
    elsewhere = results(pipeline(server.url, [execute("SELECT last_insert_rowid()"), execute("PRAGMA foreign_keys"),
                                              {"type": "close"}]))
    assert [ok_result(r)["rows"] for r in elsewhere[:2]] == [[[integer(0)]], [[integer(1)]]]
    pipeline(server.url, [{"type": "close"}], later.json["baton"])


def test_idle_stream_expires_and_rolls_back(start_server, unique_name: str) -> None:
    srv: LumaServer = start_server(env={"LUMADB_LIBSQL_STREAM_IDLE_SECONDS": "0.5"})
    results(pipeline(srv.url, [execute(f"CREATE TABLE {unique_name} (v)"), {"type": "close"}]))
    tx = pipeline(srv.url, [execute("BEGIN IMMEDIATE"), execute(f"INSERT INTO {unique_name} VALUES (1)")])
    time.sleep(1.6)
    expired = pipeline(srv.url, [execute("COMMIT")], tx.json["baton"])
    assert (expired.status, expired.content_type) == (400, "application/json")
    assert expired.json == {"message": "The stream has expired due to inactivity", "code": "STREAM_EXPIRED"}
    # rolled back, and the write lock is free again
    write = results(pipeline(srv.url, [execute(f"INSERT INTO {unique_name} VALUES (2)"),
                                       execute(f"SELECT v FROM {unique_name}"), {"type": "close"}]))
    assert ok_result(write[1])["rows"] == [[integer(2)]]


def test_stored_sql_and_its_limits(server: LumaServer) -> None:
    reply = pipeline(server.url, [
        {"type": "store_sql", "sql_id": 7, "sql": "SELECT ?"},
        {"type": "execute", "stmt": {"sql_id": 7, "args": [integer(5)]}},
        {"type": "close_sql", "sql_id": 7},
        {"type": "close_sql", "sql_id": 99},
    ])
    assert [r["type"] for r in reply.json["results"]] == ["ok"] * 4
    assert ok_result(reply.json["results"][1])["rows"] == [[integer(5)]]
    missing = pipeline(server.url, [{"type": "execute", "stmt": {"sql_id": 7}}], reply.json["baton"])
    assert (missing.status, missing.text) == (400, "SQL text 7 not found")
    dup = pipeline(server.url, [{"type": "store_sql", "sql_id": 1, "sql": "SELECT 1"}] * 2)
    assert (dup.status, dup.text) == (400, "SQL text 1 already exists")
    many = pipeline(server.url, [{"type": "store_sql", "sql_id": i, "sql": "SELECT 1"} for i in range(51)])
    assert many.json["results"][50]["error"] == {
        "message": "The server already stores 50 SQL texts, it cannot store more", "code": "SQL_STORE_TOO_MANY"}
    big = pipeline(server.url, [{"type": "store_sql", "sql_id": 1, "sql": "SELECT '" + "x" * 6000 + "'"}])
    assert big.json["results"][0]["error"] == {
        "message": "The statement is too large to be stored: 6.0 KB/5.0 KB", "code": "SQL_STORE_TOO_LARGE"}


def test_version_gates(server: LumaServer) -> None:
    reply = pipeline(server.url, [{"type": "get_autocommit"}], version=2)
    assert (reply.status, reply.text) == (
        400, "The `get_autocommit` request is only supported in protocol version hrana3 and higher")
    batch = {"type": "batch", "batch": {"steps": [{"stmt": {"sql": "SELECT 1"}, "condition": {"type": "is_autocommit"}}]}}
    reply = pipeline(server.url, [batch], version=2)
    assert (reply.status, reply.text) == (
        400, "BatchCond of type `is_autocommit` is only supported in protocol version hrana3 and higher")
    reply = pipeline(server.url, [batch, {"type": "get_autocommit"}], version=3)
    assert ok_result(reply.json["results"][0])["step_results"][0]["rows"] == [[integer(1)]]
    assert reply.json["results"][1]["response"]["is_autocommit"] is True
    v1 = call(server.url, "POST", "/v1/execute", {"stmt": {"sql_id": 1}})
    assert (v1.status, v1.text) == (400, "`sql_id` is only supported in protocol version hrana2 and higher")


def test_sequence_stops_at_the_first_error(server: LumaServer, unique_name: str) -> None:
    sql = f"CREATE TABLE {unique_name} (v); INSERT INTO {unique_name} VALUES (1); INSERT INTO nope VALUES (1); INSERT INTO {unique_name} VALUES (2)"
    reply = results(pipeline(server.url, [{"type": "sequence", "sql": sql},
                                          execute(f"SELECT count(*) FROM {unique_name}"), {"type": "close"}]))
    assert reply[0]["error"] == {"message": "SQLite error: no such table: nope", "code": "SQLITE_ERROR"}
    assert ok_result(reply[1])["rows"] == [[integer(1)]]
    parse = results(pipeline(server.url, [{"type": "sequence", "sql": "SELECT 1; SELEC 2"}]))
    assert parse[0]["error"]["code"] == "SQL_PARSE_ERROR"


def test_clients_cannot_attach_or_write_files(server: LumaServer, tmp_path) -> None:
    target = tmp_path / "elsewhere.db"
    out = results(pipeline(server.url, [execute(f"ATTACH '{target}' AS x"), execute(f"VACUUM INTO '{target}'"),
                                        execute("ATTACH ':memory:' AS m"), execute("CREATE TABLE m.t (v)"),
                                        {"type": "close"}]))
    # sqld refuses every ATTACH and VACUUM as an unsupported statement
    assert [r["error"]["code"] for r in out[:3]] == ["SQL_PARSE_ERROR"] * 3
    assert out[3]["error"]["message"] == "SQL input error: unknown database m (at offset 13)"
    assert not target.exists()


def test_one_stream_serves_one_request_at_a_time(server: LumaServer, unique_name: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    opened = pipeline(server.url, [execute(f"CREATE TEMP TABLE {unique_name} (v)")])
    baton = opened.json["baton"]
    slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) FROM c"
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(pipeline, server.url, [execute(slow)], baton)
        time.sleep(0.05)
        second = pool.submit(pipeline, server.url, [execute("SELECT 1")], baton)
        replies = sorted([first.result(), second.result()], key=lambda r: r.status)
    assert replies[0].status == 200
    assert (replies[1].status, replies[1].text) == (400, "Received a baton that has already been used")


def test_concurrent_writers_on_separate_streams(server: LumaServer, unique_name: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    results(pipeline(server.url, [execute(f"CREATE TABLE {unique_name} (v)"), {"type": "close"}]))

    def writer(n: int) -> int:
        reply = pipeline(server.url, [execute("BEGIN IMMEDIATE"), execute(f"INSERT INTO {unique_name} VALUES ({n})"),
                                      execute("COMMIT"), {"type": "close"}])
        return sum(r["type"] == "ok" for r in reply.json["results"])

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(writer, range(16))) == [4] * 16
    count = results(pipeline(server.url, [execute(f"SELECT count(*) FROM {unique_name}"), {"type": "close"}]))
    assert ok_result(count[0])["rows"] == [[integer(16)]]


def test_statements_of_one_request_share_connection_state(server: LumaServer, unique_name: str) -> None:
    out = results(pipeline(server.url, [execute(f"CREATE TABLE {unique_name} (id INTEGER PRIMARY KEY, v)"),
                                        execute(f"INSERT INTO {unique_name} (v) VALUES ('a'), ('b')"),
                                        execute("SELECT last_insert_rowid(), changes()"), {"type": "close"}]))
    assert ok_result(out[2])["rows"] == [[integer(2), integer(2)]]
    legacy = call(server.url, "POST", "/turso", {"statements": [f"INSERT INTO {unique_name} (v) VALUES ('c')",
                                                                "SELECT last_insert_rowid()"]})
    assert legacy.json[1]["results"]["rows"] == [[3]]
