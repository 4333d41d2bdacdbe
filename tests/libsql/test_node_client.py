"""@libsql/client (Node) against a real LumaDB server, with every URL shape users configure."""

from __future__ import annotations

import pytest

from tests.conftest import run_node
from tests.lumadb_server import LumaServer

pytestmark = pytest.mark.node


def test_values_round_trip(server: LumaServer, url_shape: str, unique_name: str) -> None:
    out = run_node("libsql_client.mjs", server.url + url_shape, "values", unique_name)
    # JS numbers travel as floats, bigints and booleans as integers
    assert out["select"]["rows"] == [[1, 2.5, "x", {"blob": "010203"}, None, {"bigint": "1"}]]
    assert out["select"]["columnTypes"] == ["", "", "", "", "", ""]
    assert out["insert"]["rowsAffected"] == 1
    assert out["insert"]["lastInsertRowid"] == {"bigint": "5"}
    read = out["read"]
    assert read["columns"] == ["id", "i", "r", "t", "b", "n"]
    assert read["columnTypes"] == ["INTEGER", "INTEGER", "REAL", "TEXT", "BLOB", ""]
    assert [row[1] for row in read["rows"]] == [
        {"bigint": "9223372036854775807"}, {"bigint": "-9223372036854775808"}, {"bigint": "0"},
        {"bigint": "42"}, {"bigint": "7"},
    ]
    assert read["rows"][4][2:] == [1.5, "héllo ✓", {"blob": "00ff10"}, None]
    assert out["named"]["rows"] == [[{"bigint": "1"}, "two", 3.5]]
    assert out["strings"]["rows"] == [["9223372036854775807"], ["-9223372036854775808"]]


def test_batches_in_every_mode(server: LumaServer, url_shape: str, unique_name: str) -> None:
    out = run_node("libsql_client.mjs", server.url + url_shape, "batches", unique_name)
    assert [r["rowsAffected"] for r in out["write"]] == [1, 1, 0]
    assert out["write"][2]["rows"] == [[2]]
    assert out["read"][0]["rows"] == [["a"], ["b"]]
    assert out["deferred"][1]["rows"] == [[3]]
    assert out["failed"]["code"] == "SQLITE_CONSTRAINT"
    assert out["afterFailed"] == [["a"], ["b"], ["c"]]  # the failed batch left nothing behind
    assert out["multiple"] == [[1], [2]]
    assert out["migrate"][1]["rowsAffected"] == 1


def test_interactive_transactions(server: LumaServer, url_shape: str, unique_name: str) -> None:
    out = run_node("libsql_client.mjs", server.url + url_shape, "transactions", unique_name)
    assert out == {
        "insideTx": [[1]],
        "otherDuringTx": [[0]],  # another stream does not see uncommitted rows
        "afterCommit": [[1]],
        "afterRollback": [[1]],
        "readTx": [[1]],
        "afterDeferred": [[1], [4], [5], [6]],
        "afterAbandoned": [[7], [8], [9]],
    }


def test_errors_have_sqlite_codes(server: LumaServer, unique_name: str) -> None:
    out = run_node("libsql_client.mjs", server.url + "/turso", "errors", unique_name)
    assert out["unique"]["code"] == "SQLITE_CONSTRAINT"
    assert "UNIQUE constraint failed" in out["unique"]["message"]
    assert out["syntax"]["code"] == "SQL_PARSE_ERROR"
    assert out["noTable"]["code"] == "SQLITE_ERROR"
    assert "no such table: no_such_table_here" in out["noTable"]["message"]
    assert out["args"]["code"] == "ARGS_INVALID"
    assert out["many"]["code"] == "SQL_MANY_STATEMENTS"
    assert out["batch"]["code"] == "SQLITE_CONSTRAINT"
    assert out["afterBatch"] == [["a"]]
    assert all(v["libsql"] for k, v in out.items() if k != "afterBatch")


def test_blocked_writer_gets_busy_after_the_timeout(start_server, unique_name: str) -> None:
    srv = start_server(env={"LUMADB_BUSY_TIMEOUT_MS": "300"})
    out = run_node("libsql_client.mjs", srv.url, "busy", unique_name)
    assert out["readWhileLocked"] == [[0]]
    assert out["blocked"]["code"] == "SQLITE_BUSY"
    assert 250 <= out["waitedMs"] < 5000
    assert out["after"] == [[1]]


def test_vector_search(server: LumaServer, unique_name: str) -> None:
    out = run_node("libsql_client.mjs", server.url + "/turso", "vectors", unique_name)
    assert out["top"] == [["Arrival", 2016], ["Blade Runner", 1982], ["Napoleon", 2023]]
    assert out["distances"][0][:2] == ["Napoleon", "[0.8,0.579,0.481,0.229]"]
    assert out["distances"][0][2] < 1e-6 and out["distances"][1][0] == "Gladiator"
    column = out["column"]
    assert column["columnTypes"] == ["F32_BLOB(4)"]
    assert column["rows"] == [[{"blob": bytes(__import__("struct").pack("<4f", 0.064, 0.777, 0.661, 0.687)).hex()}]]
    assert out["wrongSize"]["code"] == "SQLITE_ERROR"
    assert out["wrongSize"]["message"].endswith("vector index(insert): dimensions are different: 3 != 4")
