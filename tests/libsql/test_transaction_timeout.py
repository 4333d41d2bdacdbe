"""sqld's transaction timeout (lumadb/libsql/write_lock.py): a writer that waits for a stream's
transaction waits until that transaction has held the write lock for 5 s, then ends it and
goes on; the stream's next request answers TRANSACTION_TIMEOUT for each of its statements and
finds itself in autocommit. A transaction nobody waits for goes on. Measured side by side with
sqld 0.24.32: the same answers, the same 5 s."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import run_node
from tests.libsql.conftest import execute, integer, ok_result, pipeline, results
from tests.libsql.ws_client import hello, open_ws, req, stmt, ws_url
from tests.lumadb_server import LumaServer

TIMED_OUT = {"message": "Transaction timed out", "code": "TRANSACTION_TIMEOUT"}


def test_an_autocommit_write_takes_the_lock_after_5_s(server: LumaServer, unique_name: str) -> None:
    results(pipeline(server.url, [execute(f"CREATE TABLE {unique_name} (x)"), {"type": "close"}]))
    holder = pipeline(server.url, [execute("BEGIN IMMEDIATE"), execute(f"INSERT INTO {unique_name} VALUES (1)")],
                      version=3).json
    started = time.monotonic()
    written = results(pipeline(server.url, [execute(f"INSERT INTO {unique_name} VALUES (2)"), {"type": "close"}]))
    assert written[0]["type"] == "ok"
    assert 4.8 < time.monotonic() - started < 6
    steps = [{"stmt": {"sql": f"SELECT count(*) FROM {unique_name}"}},
             {"stmt": {"sql": f"INSERT INTO {unique_name} VALUES (3)"}, "condition": {"type": "ok", "step": 0}}]
    after = results(pipeline(server.url, [{"type": "batch", "batch": {"steps": steps}}, {"type": "get_autocommit"},
                                          execute(f"SELECT x FROM {unique_name}"), {"type": "close"}],
                             holder["baton"], version=3))
    assert after[0]["response"]["result"]["step_errors"] == [TIMED_OUT, TIMED_OUT]
    assert after[1]["response"]["is_autocommit"] is True
    assert ok_result(after[2])["rows"] == [[integer(2)]]  # its own insert rolled back


def test_over_websocket_another_streams_begin(server: LumaServer, unique_name: str) -> None:
    results(pipeline(server.url, [execute(f"CREATE TABLE {unique_name} (x)"), {"type": "close"}]))
    with open_ws(ws_url(server.url)) as a, open_ws(ws_url(server.url)) as b:
        def send(ws: object, request_id: int, kind: str, **fields: object) -> dict:
            ws.send(json.dumps(req(request_id, kind, **fields)))  # type: ignore[attr-defined]
            return json.loads(ws.recv(30))  # type: ignore[attr-defined]

        for ws in (a, b):
            ws.send(json.dumps(hello()))
            ws.recv(10)
            send(ws, 1, "open_stream", stream_id=1)
        send(a, 2, "execute", stream_id=1, stmt=stmt("BEGIN IMMEDIATE"))
        send(a, 3, "execute", stream_id=1, stmt=stmt(f"INSERT INTO {unique_name} VALUES (1)"))
        started = time.monotonic()
        assert send(b, 4, "execute", stream_id=1, stmt=stmt("BEGIN IMMEDIATE"))["type"] == "response_ok"
        assert 4.8 < time.monotonic() - started < 6
        assert send(b, 5, "execute", stream_id=1, stmt=stmt("COMMIT"))["type"] == "response_ok"
        assert send(a, 6, "execute", stream_id=1, stmt=stmt("SELECT 1")) == {
            "type": "response_error", "request_id": 6, "error": TIMED_OUT}
        # once: the stream goes on in autocommit
        assert send(a, 7, "get_autocommit", stream_id=1)["response"]["is_autocommit"] is True
        assert send(a, 8, "execute", stream_id=1, stmt=stmt("SELECT 1"))["type"] == "response_ok"


def _reader_and_holder(server: LumaServer, table: str) -> tuple[str, str]:
    """Stream B has read inside its transaction; then stream A takes the write lock."""
    results(pipeline(server.url, [execute(f"CREATE TABLE {table} (x)"), {"type": "close"}]))
    reader = pipeline(server.url, [execute("BEGIN"), execute(f"SELECT count(*) FROM {table}")], version=3).json
    holder = pipeline(server.url, [execute("BEGIN IMMEDIATE"), execute(f"INSERT INTO {table} VALUES (1)")],
                      version=3).json
    return reader["baton"], holder["baton"]


def test_a_transaction_that_has_read_waits_for_the_lock_as_any_writer(server: LumaServer, unique_name: str) -> None:
    # SQLite answers such a write SQLITE_BUSY at once, without its busy handler; sqld waits
    reader, holder = _reader_and_holder(server, unique_name)
    started = time.monotonic()
    written = pipeline(server.url, [execute(f"INSERT INTO {unique_name} VALUES (2)")], reader, version=3).json
    assert written["results"][0]["type"] == "ok"
    assert 4.8 < time.monotonic() - started < 6
    ended = results(pipeline(server.url, [execute("COMMIT"), {"type": "close"}], holder, version=3))
    assert ended[0]["error"] == TIMED_OUT
    committed = results(pipeline(server.url, [execute("COMMIT"), execute(f"SELECT x FROM {unique_name}"),
                                              {"type": "close"}], written["baton"], version=3))
    assert ok_result(committed[1])["rows"] == [[integer(2)]]


def test_a_transaction_that_has_read_fails_to_write_when_the_holder_commits(
    server: LumaServer, unique_name: str
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    reader, holder = _reader_and_holder(server, unique_name)
    def write() -> tuple[dict, float]:
        reply = pipeline(server.url, [execute(f"INSERT INTO {unique_name} VALUES (2)")], reader, version=3)
        return reply.json, time.monotonic()

    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        waiting = pool.submit(write)
        time.sleep(1)
        assert results(pipeline(server.url, [execute("COMMIT"), {"type": "close"}], holder, version=3))[0]["type"] == "ok"
        failed, answered = waiting.result(timeout=10)
    # it waited for the holder, whose commit left its snapshot behind: SQLite's BUSY_SNAPSHOT
    assert 0.9 < answered - started < 3
    assert failed["results"][0]["error"] == {"message": "SQLite error: database is locked", "code": "SQLITE_BUSY"}


def test_a_transaction_nobody_waits_for_goes_on(server: LumaServer, unique_name: str) -> None:
    holder = pipeline(server.url, [execute(f"CREATE TABLE {unique_name} (x)"), execute("BEGIN"),
                                   execute(f"INSERT INTO {unique_name} VALUES (1)")], version=3).json
    time.sleep(5.5)
    after = results(pipeline(server.url, [execute(f"SELECT count(*) FROM {unique_name}"), execute("COMMIT"),
                                          {"type": "close"}], holder["baton"], version=3))
    assert ok_result(after[0])["rows"] == [[integer(1)]] and after[1]["type"] == "ok"


@pytest.mark.parametrize("entry", ["http", "ws"])
def test_an_abandoned_transaction_through_libsql_client(server: LumaServer, unique_name: str, entry: str) -> None:
    env = {"LUMADB_CLIENT_ENTRY": "ws"} if entry == "ws" else None
    url = server.url.replace("http", "ws", 1) if entry == "ws" else server.url
    out = run_node("libsql_client.mjs", url + "/turso", "abandonedTransaction", unique_name, env=env)
    assert out["write"] is None and 4800 < out["waitedMs"] < 6000, out  # type: ignore[index]
    assert out["after"]["code"] == "TRANSACTION_TIMEOUT", out  # type: ignore[index]
    assert out["values"] == [["autocommit"], ["next"]], out  # type: ignore[index]
