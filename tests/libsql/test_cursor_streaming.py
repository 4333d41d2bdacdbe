"""A cursor's rows are sent as the statement makes them: any number of rows in flat memory, on
a stream that goes on afterwards, inside a transaction or not, over HTTP and WebSocket; a
client that leaves early, or closes the cursor, stops the statement."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from pathlib import Path

from tests.libsql.conftest import call, execute, integer, ok_result, pipeline
from tests.libsql.ws_client import hello, open_ws, req, stmt, ws_url
from tests.lumadb_server import LumaServer


def rows_of(expr: str, count: int) -> str:
    return f"WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r WHERE i<{count}) SELECT {expr} FROM r"


def cursor(url: str, steps: list[dict], baton: str | None = None) -> list[dict]:
    reply = call(url, "POST", "/v3/cursor", {"baton": baton, "batch": {"steps": steps}})
    assert reply.status == 200, reply.body
    return [json.loads(line) for line in reply.text.splitlines()]


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_a_million_rows_in_flat_memory() -> None:
    with LumaServer() as server:
        assert server.proc is not None
        before = peak_rss_kb(server.proc.pid)
        sql = rows_of("i, printf('%.100c', 'x')", 1_000_000)  # ~160 MB of lines
        body = json.dumps({"baton": None, "batch": {"steps": [{"stmt": {"sql": sql}}]}}).encode()
        request = urllib.request.Request(server.url + "/v3/cursor", body, {"content-type": "application/json"})
        count = 0
        last = b""
        with urllib.request.urlopen(request, timeout=120) as response:
            assert response.headers["transfer-encoding"] == "chunked"
            for line in response:
                count += 1
                last = line if line.startswith(b'{"type":"row"') else last
        assert count == 1 + 1 + 1_000_000 + 1
        assert json.loads(last)["row"][0] == integer(1_000_000)
        # held whole, these rows took ~4 GB
        assert peak_rss_kb(server.proc.pid) - before < 100_000


def test_the_stream_goes_on_after_a_streamed_cursor(server: LumaServer, unique_name: str) -> None:
    lines = cursor(server.url, [{"stmt": {"sql": f"CREATE TABLE {unique_name} (x)"}},
                                {"stmt": {"sql": f"INSERT INTO {unique_name} VALUES (7)"}},
                                {"stmt": {"sql": rows_of("i", 100_000)}},
                                {"stmt": {"sql": "SELECT * FROM no_such_table_here"}},
                                {"stmt": {"sql": "SELECT 1"}, "condition": {"type": "ok", "step": 3}},
                                {"stmt": {"sql": f"SELECT x FROM {unique_name}"}}])
    kinds = [line.get("type") for line in lines[1:]]
    assert kinds[:5] == ["step_begin", "step_end", "step_begin", "step_end", "step_begin"]
    assert kinds.count("row") == 100_000 + 1
    assert lines[-4:] == [
        {"type": "step_error", "step": 3, "error": {"message": "SQLite error: no such table: no_such_table_here", "code": "SQLITE_ERROR"}},
        {"type": "step_begin", "step": 5, "cols": [{"name": "x", "decltype": None}]},
        {"type": "row", "row": [integer(7)]},
        {"type": "step_end", "affected_row_count": 0, "last_insert_rowid": None},
    ]
    follow = pipeline(server.url, [execute(f"SELECT count(*) FROM {unique_name}"), {"type": "close"}],
                      lines[0]["baton"], version=3)
    assert ok_result(follow.json["results"][0])["rows"] == [[integer(1)]]


def test_inside_a_transaction(server: LumaServer, unique_name: str) -> None:
    opened = pipeline(server.url, [execute("BEGIN"), execute(f"CREATE TABLE {unique_name} (x)"),
                                   execute(f"INSERT INTO {unique_name} SELECT i FROM ({rows_of('i', 50_000)})")], version=3)
    assert opened.status == 200
    lines = cursor(server.url, [{"stmt": {"sql": f"SELECT x FROM {unique_name}"}}], opened.json["baton"])
    assert sum(1 for line in lines if line.get("type") == "row") == 50_000
    closing = pipeline(server.url, [execute("COMMIT"), execute(f"SELECT count(*) FROM {unique_name}"), {"type": "close"}],
                       lines[0]["baton"], version=3)
    assert ok_result(closing.json["results"][1])["rows"] == [[integer(50_000)]]


def test_a_client_that_leaves_stops_the_statement(server: LumaServer, unique_name: str) -> None:
    sql = rows_of("i, printf('%.100c', 'x')", 10_000_000)
    body = json.dumps({"baton": None, "batch": {"steps": [{"stmt": {"sql": sql}}]}}).encode()
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"POST /v3/cursor HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                     b"content-length: %d\r\n\r\n%b" % (len(body), body))
        assert sock.recv(100).startswith(b"HTTP/1.1 200")
    started = time.monotonic()
    # the server answers as before, and its connections are free for other streams
    for _ in range(20):
        lines = cursor(server.url, [{"stmt": {"sql": "SELECT 1"}}, {"stmt": {"sql": rows_of("i", 20_000)}}])
        assert lines[-1] == {"type": "step_end", "affected_row_count": 0, "last_insert_rowid": None}
    assert time.monotonic() - started < 30


def _ws_send(ws: object, request_id: int, kind: str, **fields: object) -> dict:
    ws.send(json.dumps(req(request_id, kind, **fields)))  # type: ignore[attr-defined]
    return json.loads(ws.recv(30))  # type: ignore[attr-defined]


def test_over_websocket_rows_come_as_they_are_fetched(server: LumaServer) -> None:
    with open_ws(ws_url(server.url), max_size=None) as ws:
        ws.send(json.dumps(hello()))
        assert json.loads(ws.recv(10)) == {"type": "hello_ok"}
        _ws_send(ws, 1, "open_stream", stream_id=1)
        steps = [{"stmt": stmt("SELECT 1")}, {"stmt": stmt(rows_of("i", 200_000))}]
        assert _ws_send(ws, 2, "open_cursor", stream_id=1, cursor_id=1, batch={"steps": steps})["type"] == "response_ok"
        entries: list[dict] = []
        request_id = 3
        while True:
            page = _ws_send(ws, request_id, "fetch_cursor", cursor_id=1, max_count=5000)["response"]
            request_id += 1
            assert len(page["entries"]) <= 5000
            entries += page["entries"]
            if page["done"]:
                break
        assert len(entries) == 3 + 200_000 + 2
        assert entries[-2:] == [{"type": "row", "row": [integer(200_000)]},
                                {"type": "step_end", "affected_row_count": 0, "last_insert_rowid": None}]
        assert _ws_send(ws, 99, "close_cursor", cursor_id=1)["type"] == "response_ok"
        # closed early, a cursor's statement stops and its stream goes on
        big = {"steps": [{"stmt": stmt(rows_of("i", 10_000_000))}]}
        assert _ws_send(ws, 100, "open_cursor", stream_id=1, cursor_id=2, batch=big)["type"] == "response_ok"
        first = _ws_send(ws, 101, "fetch_cursor", cursor_id=2, max_count=10)["response"]
        assert len(first["entries"]) == 10 and not first["done"]
        assert _ws_send(ws, 102, "close_cursor", cursor_id=2)["type"] == "response_ok"
        after = _ws_send(ws, 103, "execute", stream_id=1, stmt=stmt("SELECT 42"))
        assert after["response"]["result"]["rows"] == [[integer(42)]]
        # and so does one whose connection goes
        assert _ws_send(ws, 104, "open_cursor", stream_id=1, cursor_id=3, batch=big)["type"] == "response_ok"
    started = time.monotonic()
    for _ in range(10):
        lines = cursor(server.url, [{"stmt": {"sql": rows_of("i", 20_000)}}])
        assert lines[-1]["type"] == "step_end"
    assert time.monotonic() - started < 30
