"""The same Hrana-over-WebSocket messages to a real sqld (its HTTP port serves WebSocket at
`GET /`) and to LumaDB (`/turso`), the replies compared after the normalisation of
test_sqld_conformance.py (durations, counters, SQLITE_UNKNOWN, parse-error wording). Only what
sqld answers with a message or a close frame is compared: where it drops the TCP connection
(an unknown stream, say), LumaDB closes with 1008 instead (docs/compatibility.md), tested in
test_websocket.py."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.libsql.test_sqld_conformance import SQLD, _normalise, luma, sqld  # noqa: F401 (fixtures)
from tests.libsql.ws_client import UNTIL_CLOSED, WAIT, exchange, hello, req, stmt, ws_url

pytestmark = pytest.mark.skipif(SQLD is None, reason="sqld binary not found: run scripts/test, or set SQLD_BIN")


def ex(request_id: int, sql: str, *args: dict, stream_id: int = 1, **fields: Any) -> dict:
    return req(request_id, "execute", stream_id=stream_id, stmt=stmt(sql, *args, **fields))


def integer(value: int) -> dict:
    return {"type": "integer", "value": str(value)}


def opened(*requests: dict) -> list[dict]:
    """hello, open stream 1, the requests (ids from 2), close stream 1."""
    return [hello(), req(1, "open_stream", stream_id=1), *requests, req(99, "close_stream", stream_id=1)]


def steps(*sqls: str, conditions: dict[int, dict] | None = None) -> dict:
    conditions = conditions or {}
    return {"steps": [{"stmt": stmt(sql), **({"condition": conditions[n]} if n in conditions else {})}
                      for n, sql in enumerate(sqls)]}


# (subprotocols offered, messages, read until the server closes)
CASES: dict[str, tuple[list[str] | None, list[Any], bool]] = {
    "values": (["hrana3"], opened(
        ex(2, "SELECT ?, ?, ?, ?, ?, ?, ?", integer(9223372036854775807), integer(-9223372036854775808),
           {"type": "float", "value": 2.5}, {"type": "float", "value": 1}, {"type": "text", "value": "héllo"},
           {"type": "blob", "base64": "AQIDBA=="}, {"type": "null"}),
        ex(3, "SELECT 1.0, -0.0, 'x' || 'y', x'00ff', NULL, 1e300 * 1e300"),
        ex(4, "SELECT :a, @b, $c", named_args=[{"name": "a", "value": integer(1)}, {"name": "@b", "value": integer(2)},
                                                {"name": "$c", "value": integer(3)}]),
    ), False),
    "tables": (["hrana2", "hrana1"], opened(
        ex(2, "CREATE TABLE w1 (id INTEGER PRIMARY KEY, v INT, w TEXT UNIQUE, f FURRY BUNNY)"),
        ex(3, "INSERT INTO w1 (v, w) VALUES (1, 'a'), (2, 'b')"), ex(4, "UPDATE w1 SET v = v + 1"),
        ex(5, "SELECT id, v, w, f, v * 2 FROM w1 ORDER BY id"), ex(6, "DELETE FROM w1 WHERE v = 3"),
        ex(7, "INSERT INTO w1 (v, w) VALUES (9, 'z') RETURNING id, v"),
    ), False),
    "statement errors": (["hrana3"], opened(
        ex(2, "CREATE TABLE w2 (v TEXT PRIMARY KEY)"), ex(3, "INSERT INTO w2 VALUES ('a')"),
        ex(4, "INSERT INTO w2 VALUES ('a')"), ex(5, "SELECT * FROM no_such_table"), ex(6, "SELEC 1"),
        ex(7, "SELECT ?, ?", integer(1)), ex(8, "SELECT ?", integer(1), integer(2)),
        ex(9, "SELECT :a", integer(1), named_args=[{"name": "a", "value": integer(1)}]),
        ex(10, "SELECT 1; SELECT 2"), ex(11, ""), ex(12, "COMMIT"),
    ), False),
    "batches": (["hrana3"], opened(
        ex(2, "CREATE TABLE w3 (v UNIQUE)"),
        req(3, "batch", stream_id=1, batch=steps(
            "BEGIN", "INSERT INTO w3 VALUES (1)", "INSERT INTO w3 VALUES (1)", "COMMIT", "ROLLBACK", "SELECT count(*) FROM w3",
            conditions={1: {"type": "ok", "step": 0}, 2: {"type": "ok", "step": 1},
                        3: {"type": "and", "conds": [{"type": "ok", "step": 2}, {"type": "not", "cond": {"type": "is_autocommit"}}]},
                        4: {"type": "not", "cond": {"type": "ok", "step": 3}},
                        5: {"type": "or", "conds": [{"type": "error", "step": 2}, {"type": "and", "conds": []}]}})),
        req(4, "batch", stream_id=1, batch={"steps": []}),
        req(5, "batch", stream_id=1, batch=steps("SELECT 1", "SELEC 2")),
    ), False),
    "sequence and describe": (["hrana2"], opened(
        req(2, "sequence", stream_id=1, sql="CREATE TABLE w4 (a INTEGER, b TEXT); INSERT INTO w4 VALUES (1, 'x');"),
        req(3, "sequence", stream_id=1, sql="INSERT INTO w4 VALUES (2, 'y'); INSERT INTO nope VALUES (1); INSERT INTO w4 VALUES (3, 'z')"),
        req(4, "sequence", stream_id=1, sql="  ;  ; "),
        ex(5, "SELECT count(*) FROM w4"),
        req(6, "describe", stream_id=1, sql="SELECT a AS xx, b, a + 1 FROM w4 WHERE a = ?1 AND b = :named OR a = @at"),
        req(7, "describe", stream_id=1, sql="INSERT INTO w4 VALUES (?, ?)"),
        req(8, "describe", stream_id=1, sql="EXPLAIN SELECT 1"),
        req(9, "describe", stream_id=1, sql="SELECT * FROM nope"),
    ), False),
    "stored sql": (["hrana2"], [
        hello(), req(1, "open_stream", stream_id=1), req(2, "open_stream", stream_id=2),
        req(3, "store_sql", sql_id=5, sql="SELECT ? * 2"),
        req(4, "execute", stream_id=1, stmt={"sql_id": 5, "args": [integer(21)]}),
        req(5, "close_stream", stream_id=1), WAIT,
        req(6, "batch", stream_id=2, batch={"steps": [{"stmt": {"sql_id": 5, "args": [integer(4)]}}]}),
        req(7, "close_sql", sql_id=5), req(8, "close_sql", sql_id=5), req(9, "store_sql", sql_id=5, sql="SELECT 'again'"),
        req(10, "execute", stream_id=2, stmt={"sql_id": 5}), req(11, "close_stream", stream_id=2),
    ], False),
    "transactions": (["hrana3"], [
        # (WAIT: the other stream's requests run side by side with this one's)
        hello(), req(1, "open_stream", stream_id=1), req(2, "open_stream", stream_id=2),
        ex(3, "CREATE TABLE w5 (v)"), ex(4, "BEGIN"), ex(5, "INSERT INTO w5 VALUES (1)"),
        req(6, "get_autocommit", stream_id=1), WAIT, ex(7, "SELECT count(*) FROM w5", stream_id=2), WAIT,
        ex(8, "COMMIT"), req(9, "get_autocommit", stream_id=1), WAIT, ex(10, "SELECT count(*) FROM w5", stream_id=2),
        ex(11, "BEGIN"), ex(12, "INSERT INTO w5 VALUES (2)"), req(13, "close_stream", stream_id=1),
        req(14, "open_stream", stream_id=1), ex(15, "SELECT count(*) FROM w5"), req(16, "get_autocommit", stream_id=1),
    ], False),
    "cursor": (["hrana3"], opened(
        req(2, "open_cursor", stream_id=1, cursor_id=7, batch=steps(
            "CREATE TABLE w6 (v)", "SELECT 1 AS x UNION ALL SELECT 2", "SELECT * FROM no_such_table", "SELECT 3",
            "INSERT INTO w6 VALUES (1)", conditions={3: {"type": "ok", "step": 2}})),
        req(3, "fetch_cursor", cursor_id=7, max_count=3), req(4, "fetch_cursor", cursor_id=7, max_count=100),
        req(5, "fetch_cursor", cursor_id=7, max_count=100), req(6, "close_cursor", cursor_id=7),
    ), False),
    "hrana1": (None, opened(ex(2, "SELECT 1"), req(3, "batch", stream_id=1, batch=steps("SELECT 2"))), False),
    "request before hello": (["hrana3"], [req(1, "open_stream", stream_id=1)], True),
    "second hello in hrana1": (None, [hello(), hello()], True),
    "second hello in hrana2": (["hrana2"], [hello(), hello(), req(1, "open_stream", stream_id=1)], False),
    "not json": (["hrana3"], [hello(), "{bad"], True),
    "no type": (["hrana3"], [hello(), {"request_id": 1}], True),
    "unknown message": (["hrana3"], [hello(), {"type": "bye"}], True),
    "request without request": (["hrana3"], [hello(), {"type": "request", "request_id": 1}], True),
    "request id as text": (["hrana3"], [hello(), {"type": "request", "request_id": "1",
                                                  "request": {"type": "open_stream", "stream_id": 1}}], True),
    "binary frame": (["hrana2"], [hello(), b'{"type": "hello"}'], True),
}


def _normalise_replies(replies: list[Any]) -> list[Any]:
    out = []
    for reply in sorted(replies, key=lambda r: (r.get("request_id", -1), "close" in r)):
        if "close" in reply and reply["close"] is not None:
            code, reason = reply["close"]
            reply = {"close": [code, re.sub(r" at line \d+ column \d+$", "", reason)]}
        response = reply.get("response") or {}
        if response.get("type") == "fetch_cursor":
            # sqld's cursor entries differ from the Hrana 3 spec (test_sqld_conformance.py, "cursor")
            response["entries"] = [e for e in response["entries"] if e.get("type") != "replication_index"]
            for entry in response["entries"]:
                if entry.get("type") == "step_end" and isinstance(entry.get("last_insert_rowid"), int):
                    entry["last_insert_rowid"] = str(entry["last_insert_rowid"])
        out.append(_normalise(reply))
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_lumadb_answers_websocket_messages_like_sqld(sqld: str, luma: str, case: str) -> None:  # noqa: F811
    subprotocols, messages, until_closed = CASES[case]
    expect = UNTIL_CLOSED if until_closed else None
    theirs = _normalise_replies(exchange(ws_url(sqld, "/"), messages, subprotocols, expect))
    ours = _normalise_replies(exchange(ws_url(luma, "/turso"), messages, subprotocols, expect))
    for index, (expected, actual) in enumerate(zip(theirs, ours, strict=True)):
        assert actual == expected, f"{case} reply {index}:\n sqld:   {expected}\n lumadb: {actual}"
