"""sqld's limits on what a statement makes and a response carries: strings and blobs of 5 MB
(its `max_row_size`), responses of 10 MB by its own estimate (`--max-response-size`). Every
boundary here was measured on sqld 0.24.32 with the same requests."""

from __future__ import annotations

import json

import libsql_client
import pytest

from tests.libsql.conftest import call, execute, integer, ok_result, pipeline, results
from tests.libsql.ws_client import by_request, exchange, hello, req, stmt, ws_url
from tests.lumadb_server import LumaServer

TOO_LARGE = {"message": "Response is too large", "code": "RESPONSE_TOO_LARGE"}
TOO_BIG = {"message": "SQLite error: string or blob too big", "code": "SQLITE_TOOBIG"}


def rows_of(expr: str, count: int) -> str:
    return f"WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r WHERE i<{count}) SELECT {expr} FROM r"


def run(server: LumaServer, *requests: dict, version: int = 2) -> list[dict]:
    return results(pipeline(server.url, [*requests, {"type": "close"}], version=version))[:-1]


def error_of(entry: dict) -> dict:
    assert entry["type"] == "error", entry
    return entry["error"]


def test_strings_and_blobs_stop_at_5_mb(server: LumaServer) -> None:
    text = {"type": "text", "value": "x" * 5_000_000}
    answers = run(server, execute("SELECT length(zeroblob(5000000))"), execute("SELECT length(zeroblob(5000001))"),
                  execute("SELECT length(? || 'x')", {"type": "text", "value": "x" * 4_999_999}),
                  execute("SELECT length(? || 'xy')", {"type": "text", "value": "x" * 4_999_999}))
    assert ok_result(answers[0])["rows"] == [[integer(5_000_000)]]
    assert error_of(answers[1]) == TOO_BIG
    assert ok_result(answers[2])["rows"] == [[integer(5_000_000)]]
    assert error_of(answers[3]) == TOO_BIG
    # an argument past the limit is refused as SQLite's bind refuses it; UTF-8 bytes count
    assert ok_result(run(server, execute("SELECT length(?)", text))[0])["rows"] == [[integer(5_000_000)]]
    refused = {"message": "Arguments do not match SQL parameters: string or blob too big", "code": "ARGS_INVALID"}
    assert error_of(run(server, execute("SELECT length(?)", {**text, "value": text["value"] + "x"}))[0]) == refused
    assert error_of(run(server, execute("SELECT ?", {"type": "text", "value": "é" * 2_500_001}))[0]) == refused


@pytest.mark.parametrize(("expr", "most"), [
    ("1", 333_332), ("NULL", 666_664), ("1.5", 344_826), ("1e20", 212_765), ("1e-7", 285_713), ("1.0", 370_369),
    ("-0.0", 357_141), ("9e999", 344_826), ("'é'", 357_141), ("zeroblob(1000)", 9_999), ('1 AS "é"', 333_332),
])
def test_a_response_stops_at_10_mb_by_sqld_estimate(server: LumaServer, expr: str, most: int) -> None:
    # rows are counted whether they are sent or not (sqld builds them either way)
    fits = {"type": "execute", "stmt": {"sql": rows_of(expr, most), "want_rows": False}}
    over = {"type": "execute", "stmt": {"sql": rows_of(expr, most + 1), "want_rows": False}}
    answers = run(server, fits, over)
    assert ok_result(answers[0])["rows"] == []
    assert error_of(answers[1]) == TOO_LARGE


def test_the_steps_of_a_batch_share_the_limit_and_what_ran_stays(server: LumaServer, unique_name: str) -> None:
    half = {"stmt": {"sql": rows_of("1", 200_000), "want_rows": False}}
    answers = run(server, {"type": "batch", "batch": {"steps": [half]}},
                  {"type": "batch", "batch": {"steps": [half, half]}})
    assert answers[0]["type"] == "ok" and error_of(answers[1]) == TOO_LARGE
    # the failing step stops the batch; a transaction it opened stays open, with what it wrote
    steps = [{"stmt": {"sql": "BEGIN"}}, {"stmt": {"sql": f"CREATE TABLE {unique_name} (x)"}},
             {"stmt": {"sql": f"INSERT INTO {unique_name} VALUES (1)"}}, {"stmt": {"sql": rows_of("1", 400_000)}},
             {"stmt": {"sql": f"INSERT INTO {unique_name} VALUES (2)"}}, {"stmt": {"sql": "COMMIT"}}]
    answers = run(server, {"type": "batch", "batch": {"steps": steps}}, {"type": "get_autocommit"},
                  execute(f"SELECT x FROM {unique_name}"), version=3)
    assert error_of(answers[0]) == TOO_LARGE
    assert answers[1]["response"]["is_autocommit"] is False
    assert ok_result(answers[2])["rows"] == [[integer(1)]]


def test_a_write_with_returning_past_the_limit_still_commits(server: LumaServer, unique_name: str) -> None:
    # as on sqld: its rows were all written before the first one came back
    run(server, execute(f"CREATE TABLE {unique_name} (x)"))
    answers = run(server, execute(f"INSERT INTO {unique_name} SELECT i FROM ({rows_of('i', 400_000)}) RETURNING x"),
                  execute(f"SELECT count(*) FROM {unique_name}"))
    assert error_of(answers[0]) == TOO_LARGE
    assert ok_result(answers[1])["rows"] == [[integer(400_000)]]


def test_a_cursor_has_no_limit(server: LumaServer) -> None:
    reply = call(server.url, "POST", "/v3/cursor", {"baton": None, "batch": {"steps": [{"stmt": {"sql": rows_of("i", 400_000)}}]}})
    lines = reply.text.splitlines()
    assert len(lines) == 1 + 1 + 400_000 + 1
    assert json.loads(lines[-2]) == {"type": "row", "row": [integer(400_000)]}


def test_v1_endpoints_answer_as_sqld_does(server: LumaServer) -> None:
    single = call(server.url, "POST", "/v1/execute", {"stmt": {"sql": rows_of("1", 333_333)}})
    assert (single.status, single.json) == (400, TOO_LARGE)
    batch = call(server.url, "POST", "/v1/batch", {"batch": {"steps": [{"stmt": {"sql": rows_of("1", 333_333)}}]}})
    assert (batch.status, batch.json) == (500, {"error": "Internal Error: `Could not execute batch`"})


def test_over_websocket_and_through_a_client(server: LumaServer) -> None:
    big = rows_of("1", 333_333)
    replies = by_request(exchange(ws_url(server.url), [
        hello(), req(1, "open_stream", stream_id=1), req(2, "execute", stream_id=1, stmt=stmt(big)),
        req(3, "batch", stream_id=1, batch={"steps": [{"stmt": stmt("SELECT 1")}, {"stmt": stmt(big)}]}),
        req(4, "execute", stream_id=1, stmt=stmt("SELECT 1")),
    ]))
    assert replies[2] == {"type": "response_error", "request_id": 2, "error": TOO_LARGE}
    assert replies[3] == {"type": "response_error", "request_id": 3, "error": TOO_LARGE}
    assert replies[4]["type"] == "response_ok"  # the stream goes on
    with libsql_client.create_client_sync(server.url + "/turso") as client, pytest.raises(libsql_client.LibsqlError) as caught:
        client.execute(big)
    assert caught.value.code == "RESPONSE_TOO_LARGE"
