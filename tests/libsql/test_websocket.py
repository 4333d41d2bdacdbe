"""Hrana over WebSocket (`ws://` URLs): the real clients, then the protocol's edges with a raw
WebSocket client (tests/libsql/ws_client.py)."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import time
from pathlib import Path

import apsw
import libsql_client
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.conftest import run_node
from tests.libsql.conftest import call, execute, integer, ok_result, pipeline, results
from tests.libsql.test_auth import b64url, token
from tests.libsql.ws_client import UNTIL_CLOSED, WAIT, by_request, exchange, hello, open_ws, req, stmt, ws_url
from tests.lumadb_server import LumaServer

WS_PATHS = ["", "/", "/turso", "/turso/"]


@pytest.mark.node
@pytest.mark.parametrize("scenario", ["values", "batches", "transactions", "errors"])
def test_node_client_answers_over_websocket_as_over_http(server: LumaServer, scenario: str, unique_name: str) -> None:
    """@libsql/client with a ws:// URL (Hrana 2 over WebSocket, its SQL cache of stored texts)
    gets exactly what it gets over HTTP."""
    over_http = run_node("libsql_client.mjs", server.url + "/turso", scenario, unique_name + "h")
    over_ws = run_node("libsql_client.mjs", ws_url(server.url), scenario, unique_name + "w")
    assert json.loads(json.dumps(over_ws).replace(unique_name + "w", "T")) == \
        json.loads(json.dumps(over_http).replace(unique_name + "h", "T"))


@pytest.mark.node
def test_libsql_urls_reach_the_websocket_through_the_ws_entry(server: LumaServer, unique_name: str) -> None:
    """`@libsql/client/ws` reads a libsql:// URL as WebSocket (`?tls=0`: ws://), as a Turso
    application configured for it does."""
    url = "libsql" + server.url.removeprefix("http") + "/turso?tls=0"
    over_ws = run_node("libsql_client.mjs", url, "values", unique_name + "w", env={"LUMADB_CLIENT_ENTRY": "ws"})
    over_http = run_node("libsql_client.mjs", server.url + "/turso", "values", unique_name + "h")
    assert json.loads(json.dumps(over_ws).replace(unique_name + "w", "T")) == \
        json.loads(json.dumps(over_http).replace(unique_name + "h", "T"))


def test_python_libsql_client_reads_libsql_urls_as_websocket(server: LumaServer) -> None:
    async def scenario() -> object:
        url = "libsql" + server.url.removeprefix("http") + "/turso?tls=0"
        async with libsql_client.create_client(url) as client:
            return (await client.execute("SELECT 1 AS one, 'x' AS two")).rows[0]

    assert tuple(asyncio.run(scenario())) == (1, "x")


@pytest.mark.node
def test_a_stream_waiting_for_the_write_lock_does_not_hold_up_the_others(start_server, unique_name: str) -> None:
    """One connection carries every stream: a write waiting behind another stream's transaction
    gets SQLITE_BUSY after the busy timeout while that transaction goes on and commits."""
    srv = start_server(env={"LUMADB_BUSY_TIMEOUT_MS": "300"})
    out = run_node("libsql_client.mjs", ws_url(srv.url, ""), "busy", unique_name)
    assert out["readWhileLocked"] == [[0]]
    assert out["blocked"]["code"] == "SQLITE_BUSY"
    assert 250 <= out["waitedMs"] < 5000
    assert out["after"] == [[1]]


@pytest.mark.parametrize("path", WS_PATHS)
def test_python_libsql_client_over_websocket(server: LumaServer, path: str, unique_name: str) -> None:
    """libsql-client (Python) speaks Hrana 2 over WebSocket for ws:// URLs."""
    async def scenario() -> dict:
        out: dict = {}
        async with libsql_client.create_client(ws_url(server.url, path)) as client:
            await client.execute(f"CREATE TABLE {unique_name} (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB)")
            rs = await client.execute(f"INSERT INTO {unique_name} (i, r, t, b) VALUES (?, ?, ?, ?)",
                                      [9223372036854775807, 1.5, "héllo", b"\x00\xff"])
            out["insert"] = (rs.rows_affected, rs.last_insert_rowid)
            rs = await client.execute(f"SELECT i, r, t, b FROM {unique_name}")
            out["rows"] = [tuple(row) for row in rs.rows]
            batch = await client.batch([f"INSERT INTO {unique_name} (i) VALUES (2)",
                                        libsql_client.Statement(f"SELECT count(*) FROM {unique_name} WHERE i = ?", [2])])
            out["batch"] = [[tuple(row) for row in rs.rows] for rs in batch]
            tx = client.transaction()
            await tx.execute(f"INSERT INTO {unique_name} (i) VALUES (3)")
            await tx.rollback()
            out["after_rollback"] = (await client.execute(f"SELECT count(*) FROM {unique_name}")).rows[0][0]
            try:
                await client.execute("SELEC 1")
            except libsql_client.LibsqlError as exc:
                out["error"] = exc.code
        return out

    out = asyncio.run(scenario())
    assert out == {"insert": (1, 1), "rows": [(9223372036854775807, 1.5, "héllo", b"\x00\xff")],
                   "batch": [[], [(1,)]], "after_rollback": 2, "error": "SQL_PARSE_ERROR"}


def test_subprotocols_are_chosen_in_sqlds_order(server: LumaServer) -> None:
    for offered, chosen in ((["hrana1", "hrana2", "hrana3"], "hrana3"), (["hrana2", "hrana1"], "hrana2"),
                            (["foo", "hrana1"], "hrana1"), (None, None)):
        with open_ws(ws_url(server.url), offered) as ws:
            assert ws.subprotocol == chosen
    with pytest.raises(InvalidStatus) as refused:
        open_ws(ws_url(server.url), ["hrana3-protobuf", "foo"])
    assert refused.value.response.status_code == 400
    assert refused.value.response.body == b"Only these WebSocket subprotocols are supported: hrana3 hrana2 hrana1"
    # without an upgrade, GET / is 404 as before; other paths do not upgrade
    with pytest.raises(InvalidStatus) as other:
        open_ws(ws_url(server.url, "/turso/v2/pipeline"))
    assert other.value.response.status_code in (404, 405)


def test_requests_of_a_later_version_close_the_connection(server: LumaServer) -> None:
    # no subprotocol offered: Hrana 1, which has no stored SQL, no cursors, no get_autocommit
    replies = exchange(ws_url(server.url), [hello(), req(1, "store_sql", sql_id=1, sql="SELECT 1")], None)
    assert replies == [{"type": "hello_ok"}, {"close": [1008, "The `store_sql` request is only supported in protocol "
                                                               "version hrana2 and higher"]}]
    replies = exchange(ws_url(server.url), [hello(), req(1, "open_stream", stream_id=1),
                                            req(2, "get_autocommit", stream_id=1)], ["hrana2"])
    assert replies[-1] == {"close": [1008, "The `get_autocommit` request is only supported in protocol version "
                                           "hrana3 and higher"]}
    replies = exchange(ws_url(server.url), [hello(), hello()], None)
    assert replies[-1] == {"close": [1008, "Repeated hello message is only supported in protocol version hrana2 and "
                                           "higher"]}
    assert exchange(ws_url(server.url), [hello(), hello()], ["hrana2"]) == [{"type": "hello_ok"}] * 2


@pytest.mark.parametrize(("messages", "close"), [
    ([req(1, "open_stream", stream_id=1)], [1008, "Received a request before hello message"]),
    ([hello(), b'{"type": "hello"}'], [1003, "Received a binary WebSocket message, which is not supported in this "
                                             "encoding"]),
    ([hello(), "{bad"], [1007, "Cannot deserialize client message from JSON: key must be a string"]),
    ([hello(), {"type": "bye"}], [1007, "Cannot deserialize client message from JSON: unknown variant `bye`, "
                                        "expected `hello` or `request`"]),
    ([hello(), {"request_id": 1}], [1007, "Cannot deserialize client message from JSON: missing field `type`"]),
    ([hello(), {"type": "request", "request_id": 1}], [1008, "Request type not recognized"]),
    ([hello(), {"type": "request", "request_id": "1", "request": {"type": "open_stream", "stream_id": 1}}],
     [1007, 'Cannot deserialize client message from JSON: invalid type: string "1", expected i32']),
    ([hello(), req(1, "execute", stream_id=5, stmt=stmt("SELECT 1"))], [1008, "Stream 5 not found"]),
    ([hello(), req(1, "open_stream", stream_id=1), req(2, "open_stream", stream_id=1)],
     [1008, "Stream 1 already exists"]),
    ([hello(), req(1, "open_stream", stream_id=1), req(2, "execute", stream_id=1, stmt={"sql_id": 9})],
     [1008, "SQL text 9 not found"]),
    ([hello(), req(1, "fetch_cursor", cursor_id=4, max_count=1)], [1008, "Cursor 4 not found"]),
    # sqld's reason is longer than a close frame holds (strict clients refuse its frame): cut to 123 bytes
    ([hello(), req(1, "bogus")], [1007, (
        "Cannot deserialize client message from JSON: unknown variant `bogus`, expected one of `open_stream`, "
        "`close_stream`, `execute`, `batch`, `open_cursor`, `close_cursor`, `fetch_cursor`, `sequence`, `describe`, "
        "`store_sql`, `close_sql`, `get_autocommit`")[:123]]),
])
def test_protocol_violations_close_with_sqlds_reasons(server: LumaServer, messages: list, close: list) -> None:
    replies = exchange(ws_url(server.url), messages, expect=UNTIL_CLOSED)
    assert replies[-1] == {"close": close}


def test_statements_batches_and_sql_texts(server: LumaServer, unique_name: str) -> None:
    t = unique_name
    replies = by_request(exchange(ws_url(server.url), [
        hello(),
        req(1, "open_stream", stream_id=1),
        req(2, "open_stream", stream_id=2),
        req(3, "store_sql", sql_id=7, sql=f"INSERT INTO {t} (v) VALUES (?) RETURNING id"),
        req(4, "execute", stream_id=1, stmt=stmt(f"CREATE TABLE {t} (id INTEGER PRIMARY KEY, v TEXT UNIQUE)")),
        req(5, "execute", stream_id=1, stmt={"sql_id": 7, "args": [{"type": "text", "value": "a"}]}),
        req(6, "close_stream", stream_id=1),
        WAIT,  # (streams run side by side: the table first)
        req(7, "batch", stream_id=2, batch={"steps": [  # stored texts outlive the stream and serve every stream
            {"stmt": {"sql_id": 7, "args": [{"type": "text", "value": "a"}]}},
            {"stmt": {"sql_id": 7, "args": [{"type": "text", "value": "b"}]}, "condition": {"type": "error", "step": 0}},
        ]}),
        req(8, "close_sql", sql_id=7),
        req(9, "close_sql", sql_id=7),  # unknown: fine
        req(10, "execute", stream_id=2, stmt=stmt("SELEC 1")),
        req(11, "sequence", stream_id=2, sql=f"INSERT INTO {t} (v) VALUES ('c'); INSERT INTO {t} (v) VALUES ('c')"),
        req(12, "describe", stream_id=2, sql=f"SELECT v FROM {t} WHERE id = :id"),
        req(13, "execute", stream_id=2, stmt=stmt(f"SELECT v FROM {t} ORDER BY id")),
    ]))
    assert replies[5]["response"]["result"]["rows"] == [[integer(1)]]
    assert replies[6] == {"type": "response_ok", "request_id": 6, "response": {"type": "close_stream"}}
    batch = replies[7]["response"]["result"]
    assert batch["step_errors"][0]["code"] == "SQLITE_CONSTRAINT"
    assert batch["step_results"][1]["rows"] == [[integer(2)]]
    assert replies[10]["type"] == "response_error" and replies[10]["error"]["code"] == "SQL_PARSE_ERROR"
    assert replies[11]["error"]["code"] == "SQLITE_CONSTRAINT"  # the first INSERT of the sequence stays
    assert replies[12]["response"]["result"]["params"] == [{"name": ":id"}]
    assert replies[12]["response"]["result"]["is_readonly"] is True
    rows = replies[13]["response"]["result"]["rows"]
    assert rows == [[{"type": "text", "value": v}] for v in ("a", "b", "c")]


def test_stored_sql_texts_are_limited_per_connection(server: LumaServer) -> None:
    messages: list = [hello()] + [req(n, "store_sql", sql_id=n, sql="SELECT 1") for n in range(151)]
    replies = by_request(exchange(ws_url(server.url), messages))
    assert all(replies[n]["type"] == "response_ok" for n in range(150))
    assert replies[150]["error"] == {"message": "The server already stores 150 SQL texts, it cannot store more",
                                     "code": "SQL_STORE_TOO_MANY"}


def test_cursors(server: LumaServer) -> None:
    steps = [{"stmt": stmt("SELECT 1 AS a UNION ALL SELECT 2")}, {"stmt": stmt("SELECT * FROM no_such_table")},
             {"stmt": stmt("SELECT 3"), "condition": {"type": "ok", "step": 1}}]
    replies = by_request(exchange(ws_url(server.url), [
        hello(), req(1, "open_stream", stream_id=1),
        req(2, "open_cursor", stream_id=1, cursor_id=3, batch={"steps": steps}),
        req(3, "fetch_cursor", cursor_id=3, max_count=2),
        req(4, "fetch_cursor", cursor_id=3, max_count=100),
        req(5, "fetch_cursor", cursor_id=3, max_count=100),
        req(6, "close_cursor", cursor_id=3),
        req(7, "open_cursor", stream_id=1, cursor_id=3, batch={"steps": []}),  # the id is free again
        req(8, "fetch_cursor", cursor_id=3, max_count=0),
    ]))
    assert replies[2]["response"] == {"type": "open_cursor"}
    assert replies[3]["response"] == {"type": "fetch_cursor", "done": False, "entries": [
        {"type": "step_begin", "step": 0, "cols": [{"name": "a", "decltype": None}]},
        {"type": "row", "row": [integer(1)]}]}
    rest = replies[4]["response"]
    assert rest["done"] is True
    assert [e["type"] for e in rest["entries"]] == ["row", "step_end", "step_error"]
    assert rest["entries"][1] == {"type": "step_end", "affected_row_count": 0, "last_insert_rowid": None}
    assert replies[5]["response"] == {"type": "fetch_cursor", "entries": [], "done": True}
    assert replies[8]["response"] == {"type": "fetch_cursor", "entries": [], "done": True}


def test_closing_a_stream_or_the_connection_rolls_back(server: LumaServer, unique_name: str) -> None:
    url = ws_url(server.url)
    pipeline(server.url, [execute(f"CREATE TABLE {unique_name} (v)"), {"type": "close"}])
    insert = stmt(f"INSERT INTO {unique_name} VALUES (1)")
    replies = by_request(exchange(url, [
        hello(), req(1, "open_stream", stream_id=1), req(2, "execute", stream_id=1, stmt=stmt("BEGIN IMMEDIATE")),
        req(3, "execute", stream_id=1, stmt=insert), req(4, "get_autocommit", stream_id=1),
        req(5, "close_stream", stream_id=1), req(6, "open_stream", stream_id=1),
        req(7, "get_autocommit", stream_id=1)]))
    assert replies[4]["response"]["is_autocommit"] is False
    assert replies[7]["response"]["is_autocommit"] is True
    with open_ws(url) as ws:  # a transaction left open when the connection goes
        for message in (hello(), req(1, "open_stream", stream_id=1), req(2, "execute", stream_id=1, stmt=stmt("BEGIN")),
                        req(3, "execute", stream_id=1, stmt=insert)):
            ws.send(json.dumps(message))
        for _ in range(4):
            ws.recv(10)
    started = time.monotonic()
    after = results(pipeline(server.url, [execute(insert["sql"]), execute(f"SELECT count(*) FROM {unique_name}"),
                                          {"type": "close"}]))
    assert time.monotonic() - started < 2  # not waiting for the dropped transaction's lock
    assert ok_result(after[1])["rows"] == [[integer(1)]]


def test_hello_authenticates_with_the_jwt(start_server) -> None:
    key = Ed25519PrivateKey.generate()
    public = b64url(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    srv = start_server(f"--libsql-jwt-key={public}")
    url = ws_url(srv.url)
    good = token(key, {"exp": int(time.time()) + 600})
    assert exchange(url, [hello(good), req(1, "open_stream", stream_id=1)]) == [
        {"type": "hello_ok"}, {"type": "response_ok", "request_id": 1, "response": {"type": "open_stream"}}]
    thanks = {"close": [1000, "Thank you for using sqld"]}
    for jwt, message, code in (
        (None, "Expected authorization header but none given", "AUTH_HEADER_NOT_FOUND"),
        ("not.a.jwt", "The JWT is invalid", "AUTH_JWT_INVALID"),
        (token(key, {"exp": int(time.time()) - 600}), "The JWT has expired", "AUTH_JWT_EXPIRED"),
    ):
        refused = {"type": "hello_error", "error": {"message": f"Authentication failed: {message}", "code": code}}
        assert exchange(url, [hello(jwt), req(1, "open_stream", stream_id=1)], expect=UNTIL_CLOSED) == [refused, thanks]
        # a later hello (Hrana 2 and 3 renew the token so) with a bad token ends the connection too
        assert exchange(url, [hello(good), hello(jwt)], expect=UNTIL_CLOSED) == [{"type": "hello_ok"}, refused, thanks]
    read_only = token(key, {"a": "ro"})
    replies = exchange(url, [hello(read_only), req(1, "open_stream", stream_id=1),
                             req(2, "execute", stream_id=1, stmt=stmt("CREATE TABLE nope (v)"))])
    assert replies[-1]["close"][0] == 1008


def test_the_server_stops_with_websockets_open(start_server) -> None:
    srv = start_server()
    with open_ws(ws_url(srv.url)) as ws:
        ws.send(json.dumps(hello()))
        assert json.loads(ws.recv(10)) == {"type": "hello_ok"}
        started = time.monotonic()
        srv.stop(signal.SIGTERM, timeout=20)
        assert time.monotonic() - started < 10
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001


def test_an_upgrade_the_server_does_not_serve_is_answered_as_http(server: LumaServer) -> None:
    with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=10) as sock:
        sock.sendall(b"GET /turso/v2 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.endswith(b"Hello, this is HTTP API v2 (Hrana over HTTP)")


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (a supervisor's workers)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(entry.name) == pid or int(fields.get("PPid", "0").strip()) == pid:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total


def test_a_client_that_does_not_read_is_not_buffered_without_bound(start_server) -> None:
    """3,000 answers of ~35 KB to a client that reads none for a while: the server stops reading
    its requests once the socket's buffer is full (without that, ~100 MB more were held)."""
    srv = start_server()
    assert srv.proc is not None
    big = stmt("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200) "
               "SELECT x, randomblob(100) FROM c")
    with open_ws(ws_url(srv.url), max_size=None) as ws:
        ws.send(json.dumps(hello()))
        ws.send(json.dumps(req(0, "open_stream", stream_id=1)))
        assert json.loads(ws.recv(10))["type"] == "hello_ok"
        before = _tree_rss_kb(srv.proc.pid)
        for n in range(1, 3001):
            ws.send(json.dumps(req(n, "execute", stream_id=1, stmt=big)))
        time.sleep(3)
        grown_mb = (_tree_rss_kb(srv.proc.pid) - before) / 1024
        answered = {json.loads(ws.recv(30))["request_id"] for _ in range(3001)}
    assert answered == set(range(3001))
    assert grown_mb < 50, f"the server held {grown_mb:.0f} MB for a client that did not read"


def test_a_database_deleted_under_a_connection_closes_it_cleanly(start_server, unique_name: str) -> None:
    """The admin API deletes the database a connection's streams use: its next request ends the
    connection with 1011 and a reason, and the log has a line, not a traceback."""
    srv = start_server()
    assert call(srv.url, "POST", f"/v1/namespaces/{unique_name}/create", {}).status == 200
    with open_ws(ws_url(srv.url), additional_headers={"x-namespace": unique_name}) as ws:
        for message in (hello(), req(1, "open_stream", stream_id=1), req(2, "execute", stream_id=1, stmt=stmt("SELECT 1"))):
            ws.send(json.dumps(message))
        for _ in range(3):
            assert "error" not in json.loads(ws.recv(10))
        assert call(srv.url, "DELETE", f"/v1/namespaces/{unique_name}").status == 200
        ws.send(json.dumps(req(3, "execute", stream_id=1, stmt=stmt("SELECT 2"))))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(10)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1011, "the database was deleted, or the server is stopping")
    assert "Traceback" not in srv.log()


def test_a_write_locked_out_by_another_process_is_that_requests_error(start_server, tmp_path: Path,
                                                                       unique_name: str) -> None:
    """Another program holds the file's write lock past the busy timeout: the write's answer is
    SQLITE_BUSY, the connection and its reads go on, one line in the log."""
    data_dir = tmp_path / "data"
    srv = start_server("--busy-timeout-ms", "200", data_dir=data_dir)
    pipeline(srv.url, [execute(f"CREATE TABLE {unique_name} (v)"), {"type": "close"}])
    holder = apsw.Connection(str(data_dir / "libsql" / "default.sqlite"))
    holder.execute("BEGIN IMMEDIATE")
    try:
        replies = by_request(exchange(ws_url(srv.url), [
            hello(), req(1, "open_stream", stream_id=1),
            req(2, "execute", stream_id=1, stmt=stmt(f"INSERT INTO {unique_name} VALUES (1)")),
            req(3, "execute", stream_id=1, stmt=stmt(f"SELECT count(*) FROM {unique_name}"))]))
    finally:
        holder.execute("ROLLBACK")
    assert replies[2]["type"] == "response_error" and replies[2]["error"]["code"] == "SQLITE_BUSY"
    assert replies[3]["response"]["result"]["rows"] == [[integer(0)]]
    assert "Traceback" not in srv.log()
