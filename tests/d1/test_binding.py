"""The Workers-binding wire protocol over HTTP, checked against what Miniflare's D1 (Cloudflare's
reference backend) answers: formats, typing, one transaction per request, D1's error texts,
its authorizer policy and limits, meta and the session token."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.d1.conftest import D1Http
from tests.lumadb_server import LumaServer

TRANSACTION_REFUSED = (
    "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() "
    "APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it "
    "will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' "
    "automatic atomic write coalescing."
)


def test_unknown_name_is_created_on_first_use_then_found_by_name_and_uuid(d1: D1Http, db_name: str) -> None:
    assert d1.run(db_name, "CREATE TABLE t (x)")["success"] is True
    listed = d1.rest("GET", params={"name": db_name}).json()["result"]
    assert [d["name"] for d in listed] == [db_name]
    uuid = listed[0]["uuid"]
    d1.run(uuid, "INSERT INTO t VALUES (1)")
    assert d1.run(db_name, "SELECT count(*) AS n FROM t")["results"] == {"columns": ["n"], "rows": [[1]]}


@pytest.mark.parametrize(("fmt", "expected"), [
    ("ROWS_AND_COLUMNS", {"columns": ["a", "b"], "rows": [[1, "x"]]}),
    ("ARRAY_OF_OBJECTS", [{"a": 1, "b": "x"}]),
    ("NONE", [{"a": 1, "b": "x"}]),
    ("bogus", [{"a": 1, "b": "x"}]),
    (None, [{"a": 1, "b": "x"}]),
])
def test_results_format_shapes_results(d1: D1Http, db_name: str, fmt: str | None, expected: object) -> None:
    body = d1.binding(db_name, {"sql": "SELECT 1 AS a, 'x' AS b", "params": []}, fmt=fmt).json()
    assert [list(e) for e in body] == [["success", "results", "meta"]]
    assert body[0]["results"] == expected


def test_numbers_bind_as_real_blobs_as_byte_arrays(d1: D1Http, db_name: str) -> None:
    d1.run(db_name, "CREATE TABLE t (i INTEGER, t TEXT, b BLOB)")
    d1.run(db_name, "INSERT INTO t VALUES (?, ?, ?)", 10, 42, [1, 2, 255])
    row = d1.run(db_name, "SELECT i, typeof(i), t, b, typeof(b), typeof(?), ? || '', CAST(? AS TEXT) FROM t", 1, 1, 3)
    assert row["results"]["rows"] == [[10, "integer", "42.0", [1, 2, 255], "blob", "real", "1.0", "3.0"]]
    fraction = d1.run(db_name, "INSERT INTO t (i) VALUES (?)", 10.5)
    assert fraction == {"success": True, "results": {"columns": [], "rows": []}, "meta": fraction["meta"]}
    mismatch = d1.run(db_name, "CREATE TABLE r (id INTEGER PRIMARY KEY); INSERT INTO r VALUES (?)", 1.5)
    assert mismatch == {"success": False, "error": "datatype mismatch: SQLITE_MISMATCH"}


def test_non_finite_floats_are_null_and_integral_reals_print_as_integers(d1: D1Http, db_name: str) -> None:
    row = d1.run(db_name, "SELECT 1e999, -1e999, 25.0, 0.5, -0.0, 9007199254740992, x'00ff'")
    assert row["results"]["rows"] == [[None, None, 25, 0.5, 0, 9007199254740992, [0, 255]]]
    assert row["results"]["columns"] == ["1e999", "-1e999", "25.0", "0.5", "-0.0", "9007199254740992", "x'00ff'"]


def test_integers_beyond_2_53_come_back_as_javascript_numbers(d1: D1Http, db_name: str) -> None:
    """D1 hands SQLite's integers to JavaScript: beyond 2^53 they round to the nearest double,
    which JSON.stringify prints as its shortest digits padded with zeros (Miniflare's D1 does)."""
    d1.run(db_name, "CREATE TABLE t (id INTEGER PRIMARY KEY, v)")
    d1.run(db_name, "INSERT INTO t VALUES (9223372036854775807, 1e20)")
    response = d1.binding(db_name, {"sql": "SELECT 9007199254740993 AS a, -9223372036854775808 AS b, "
                                           "1152921504606846976 AS c, v, id FROM t", "params": []},
                          fmt="ROWS_AND_COLUMNS")
    assert b"[[9007199254740992,-9223372036854776000,1152921504606847000,100000000000000000000," \
           b"9223372036854776000]]" in response.content
    assert response.json()[0]["meta"]["last_row_id"] == 9223372036854776000


def test_several_statements_run_and_answer_the_last(d1: D1Http, db_name: str) -> None:
    reply = d1.run(db_name, "CREATE TABLE t (x); INSERT INTO t VALUES (1); INSERT INTO t VALUES (?)", 2)
    assert reply["meta"]["changes"] == 2 and reply["meta"]["last_row_id"] == 2
    assert d1.run(db_name, "SELECT 1 AS a; SELECT sum(x) AS s FROM t")["results"]["rows"] == [[3]]
    assert d1.run(db_name, "SELECT ?; SELECT ?", 1, 2) == {"success": False, "error": (
        "When executing multiple SQL statements in a single call, only the last statement can have parameters.")}
    assert d1.run(db_name, "SELECT 1;; SELECT 2")["results"]["rows"] == [[2]]
    assert d1.run(db_name, "SELECT 1; -- done") == {"success": False, "error": "SQL code did not contain a statement."}
    # an error in a later statement counts its offset from that statement
    assert d1.run(db_name, "SELECT 1;\n -- x\n SELECT nope")["error"] == "no such column: nope at offset 13: SQLITE_ERROR"


def test_a_write_returning_rows_before_the_last_statement_fails_the_request(d1: D1Http, db_name: str) -> None:
    # workerd leaves such a statement running, and the request's savepoint cannot be released
    # (Miniflare: an internal error); everything the request wrote is rolled back
    d1.run(db_name, "CREATE TABLE t (id INTEGER PRIMARY KEY, v)")
    for sql in ("INSERT INTO t (v) VALUES ('r1') RETURNING id; SELECT 'second' AS s",
                "INSERT INTO t (v) VALUES ('a'); UPDATE t SET v = 'b' RETURNING v; SELECT 1"):
        assert d1.run(db_name, sql) == {"success": False, "error": "cannot release savepoint - SQL statements in progress: SQLITE_BUSY"}
    assert d1.run(db_name, "SELECT count(*) FROM t")["results"]["rows"] == [[0]]
    # a read, or a write without RETURNING, before the last statement runs as before
    assert d1.run(db_name, "SELECT 1; INSERT INTO t (v) VALUES ('c'); SELECT v FROM t")["results"]["rows"] == [["c"]]
    assert d1.run(db_name, "INSERT INTO t (v) VALUES ('d') RETURNING v")["results"]["rows"] == [["d"]]


def test_a_request_is_one_transaction(d1: D1Http, db_name: str) -> None:
    d1.run(db_name, "CREATE TABLE t (x UNIQUE)")
    batch = [{"sql": "INSERT INTO t VALUES (?)", "params": [1]}, {"sql": "INSERT INTO t VALUES (?)", "params": [1]}]
    assert d1.binding(db_name, batch).json() == {
        "success": False, "error": "UNIQUE constraint failed: t.x: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)"}
    exec_lines = [{"sql": "INSERT INTO t VALUES (5)"}, {"sql": "SELECT nope"}]
    assert d1.binding(db_name, exec_lines, path="/execute", fmt="NONE").json()["success"] is False
    assert d1.run(db_name, "SELECT count(*) FROM t")["results"]["rows"] == [[0]]
    ok = d1.binding(db_name, [{"sql": "INSERT INTO t VALUES (1)"}, {"sql": "SELECT count(*) AS n FROM t"}]).json()
    assert [e["results"]["rows"] for e in ok] == [[], [[1]]]


def test_concurrent_batches_stay_atomic(server: LumaServer, d1: D1Http, db_name: str) -> None:
    d1.run(db_name, "CREATE TABLE t (k INTEGER, v INTEGER CHECK (v < 20))")

    async def send_all() -> list[dict]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            async def one(k: int) -> dict:
                body = [{"sql": "INSERT INTO t VALUES (?, ?)", "params": [k, 1]},
                        {"sql": "INSERT INTO t VALUES (?, ?)", "params": [k, k]}]
                reply = await client.post("/query", json=body, headers={"x-lumadb-database": db_name})
                return reply.json()
            return await asyncio.gather(*(one(k) for k in range(40)))

    replies = asyncio.run(send_all())
    failed = [k for k, r in enumerate(replies) if isinstance(r, dict)]
    assert failed == list(range(20, 40))
    rows = d1.run(db_name, "SELECT k, count(*) FROM t GROUP BY k ORDER BY k")["results"]["rows"]
    assert rows == [[k, 2] for k in range(20)]


@pytest.mark.parametrize(("sql", "params", "error"), [
    ("SELEC 1", [], 'near "SELEC": syntax error at offset 0: SQLITE_ERROR'),
    ("SELECT (", [], "incomplete input: SQLITE_ERROR"),
    ("SELECT * FROM nope", [], "no such table: nope: SQLITE_ERROR"),
    ("SELECT nope", [], "no such column: nope at offset 7: SQLITE_ERROR"),
    ("SELECT abs(1, 2)", [], "wrong number of arguments to function abs() at offset 7: SQLITE_ERROR"),
    ("SELECT nofunc()", [], "no such function: nofunc at offset 7: SQLITE_ERROR"),
    ("SELECT json('{')", [], "malformed JSON: SQLITE_ERROR"),
    ("SELECT ?", [], "Wrong number of parameter bindings for SQL query."),
    ("SELECT ?", [1, 2], "Wrong number of parameter bindings for SQL query."),
    ("SELECT ?3", [1], "Wrong number of parameter bindings for SQL query."),
    ("SELECT ?101", [1], "variable number must be between ?1 and ?100 at offset 7: SQLITE_ERROR"),
    ("-- only a comment", [], "SQL code did not contain a statement."),
    # a comment after the last `;` is the last statement, which takes the parameters
    ("SELECT 1; -- c", [7], "SQL code did not contain a statement."),
    ("SELECT ?; -- c", [7], "When executing multiple SQL statements in a single call, only the last statement can "
                            "have parameters."),
    ("VACUUM", [], "cannot VACUUM from within a transaction: SQLITE_ERROR"),
])
def test_error_texts_match_d1(d1: D1Http, db_name: str, sql: str, params: list, error: str) -> None:
    assert d1.run(db_name, sql, *params) == {"success": False, "error": error}


def test_constraint_error_texts_match_d1(d1: D1Http, db_name: str) -> None:
    d1.run(db_name, "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE u (x UNIQUE NOT NULL, y CHECK (y > 0), "
                    "p INTEGER REFERENCES p(id)); CREATE TABLE st (v INTEGER) STRICT")
    d1.run(db_name, "INSERT INTO u (x, y) VALUES (1, 1)")
    cases = {
        "INSERT INTO u (x, y) VALUES (1, 1)": "UNIQUE constraint failed: u.x: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)",
        "INSERT INTO u (x, y) VALUES (NULL, 1)": "NOT NULL constraint failed: u.x: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_NOTNULL)",
        "INSERT INTO u (x, y) VALUES (2, 0)": "CHECK constraint failed: y > 0: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_CHECK)",
        "INSERT INTO u (x, y, p) VALUES (3, 1, 9)": "FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)",
        "INSERT INTO st VALUES ('a')": "cannot store TEXT value in INTEGER column st.v: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_DATATYPE)",
        "CREATE TABLE u (z)": "table u already exists at offset 13: SQLITE_ERROR",
    }
    for sql, error in cases.items():
        assert d1.run(db_name, sql) == {"success": False, "error": error}, sql


def test_a_statement_repeated_after_a_schema_change_keeps_its_offset(d1: D1Http, db_name: str) -> None:
    """D1 prepares each statement afresh; LumaDB reuses prepared statements and must report the
    same error as a fresh prepare does, offset included."""
    create = {"sql": "CREATE TABLE u (x)", "params": []}
    reply = d1.binding(db_name, [create, create], path="/execute", fmt="NONE").json()
    assert reply == {"success": False, "error": "table u already exists at offset 13: SQLITE_ERROR"}
    assert d1.run(db_name, "SELECT json('x')") == {"success": False, "error": "malformed JSON: SQLITE_ERROR"}


def test_every_database_holds_d1s_internal_table(d1: D1Http, db_name: str) -> None:
    d1.run(db_name, "CREATE TABLE t (a)")
    schema = d1.run(db_name, "SELECT type, name, sql FROM sqlite_master ORDER BY name")["results"]["rows"]
    # in the words a new D1 database lists it
    assert schema == [["table", "_cf_KV", "CREATE TABLE _cf_KV (\n        key TEXT PRIMARY KEY,\n        value BLOB\n      ) WITHOUT ROWID"],
                      ["table", "t", "CREATE TABLE t (a)"]]
    # so SQL that looks into every table it finds there (kysely's migrator) fails, as on D1
    walk = "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'"
    assert d1.run(db_name, walk) == {"success": False, "error": "not authorized: SQLITE_AUTH"}
    assert d1.run(db_name, walk + " AND m.name NOT LIKE '\\_cf\\_%' ESCAPE '\\'")["results"]["rows"] == [["t", "a"]]
    assert d1.rest("GET", f"/{db_name}").json()["result"]["num_tables"] == 1


@pytest.mark.parametrize(("sql", "error"), [
    ("BEGIN", TRANSACTION_REFUSED),
    ("BEGIN IMMEDIATE", TRANSACTION_REFUSED),
    ("COMMIT", TRANSACTION_REFUSED),
    ("ROLLBACK", TRANSACTION_REFUSED),
    ("SAVEPOINT job", TRANSACTION_REFUSED),
    ("RELEASE job", TRANSACTION_REFUSED),
    ("ATTACH DATABASE 'x.db' AS x", "not authorized: SQLITE_AUTH"),
    ("DETACH x", "not authorized: SQLITE_AUTH"),
    ("PRAGMA journal_mode", "not authorized: SQLITE_AUTH"),
    ("PRAGMA journal_mode = wal", "not authorized: SQLITE_AUTH"),
    ('pragma synchronous="OFF"', "not authorized: SQLITE_AUTH"),
    ("PRAGMA user_version", "not authorized: SQLITE_AUTH"),
    ("PRAGMA integrity_check", "not authorized: SQLITE_AUTH"),
    ("PRAGMA table_info", "not authorized: SQLITE_AUTH"),
    ("PRAGMA foreign_keys = maybe", "not authorized: SQLITE_AUTH"),
    ("SELECT sqlite_version()", "not authorized to use function: sqlite_version at offset 7: SQLITE_ERROR"),
    ("SELECT json_pretty('{}')", "not authorized to use function: json_pretty at offset 7: SQLITE_ERROR"),
    ("SELECT power(2, 2)", "not authorized to use function: power at offset 7: SQLITE_ERROR"),
    ("SELECT load_extension('x')", "not authorized: SQLITE_ERROR"),
    ("CREATE TABLE _cf_mine (a)", "not authorized: SQLITE_AUTH"),
    # D1's internal tables: `_cf_KV`, which every database holds, and one it does not
    ("SELECT * FROM _cf_METADATA", "not authorized: SQLITE_AUTH"),
    ("DELETE FROM main._cf_KV", "not authorized: SQLITE_AUTH"),
    ("SELECT * FROM pragma_table_info('_cf_KV')", "not authorized: SQLITE_AUTH"),
    ("DROP TABLE _cf_KV", "not authorized: SQLITE_AUTH"),
    ("SELECT * FROM _cf_other", "no such table: _cf_other: SQLITE_ERROR"),
    ("CREATE TEMP TABLE tt (a)", "not authorized: SQLITE_AUTH"),
    ("CREATE VIRTUAL TABLE g USING geopoly(a)", "not authorized: SQLITE_AUTH"),
    ("CREATE VIRTUAL TABLE f USING fts4(a)", "not authorized: SQLITE_AUTH"),
    ("PRAGMA page_size = 4096", "not authorized: SQLITE_AUTH"),
    ("CREATE TABLE sqlite_mine (a)", "object name reserved for internal use: sqlite_mine: SQLITE_ERROR"),
    # left out of workerd's build of SQLite 3.54.1 (checked against Miniflare on workerd 1.20261117)
    ("SELECT 1, median(1)", "no such function: median at offset 10: SQLITE_ERROR"),
    ("SELECT geopoly_area()", "no such function: geopoly_area at offset 7: SQLITE_ERROR"),
    # ... but a DEFAULT's functions go to the authorizer by name before they are looked up
    ("CREATE TABLE dm (a DEFAULT ((1 + median(1))))", "not authorized to use function: median at offset 33: SQLITE_ERROR"),
    ("CREATE TABLE dm (a, b AS (median(a)))", "no such function: median at offset 26: SQLITE_ERROR"),
    # in that build but refused by workerd's allowlist
    ("SELECT unistr('a')", "not authorized to use function: unistr at offset 7: SQLITE_ERROR"),
    ("SELECT if(1, 2)", "not authorized to use function: if at offset 7: SQLITE_ERROR"),
    ("SELECT rtreedepth(x'00')", "not authorized to use function: rtreedepth at offset 7: SQLITE_ERROR"),
    # SQLite 3.53's ALTER TABLE forms run SQL functions D1 does not let through
    ("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)", "not authorized to use function: sqlite_fail at offset 7: SQLITE_ERROR"),
    ("ALTER TABLE t ALTER COLUMN a SET NOT NULL", "not authorized to use function: sqlite_fail at offset 7: SQLITE_ERROR"),
    ("ALTER TABLE t DROP CONSTRAINT c",
     "not authorized to use function: sqlite_drop_constraint at offset 38: SQLITE_ERROR"),
])
def test_authorizer_refuses_what_d1_refuses(d1: D1Http, db_name: str, sql: str, error: str) -> None:
    d1.run(db_name, "CREATE TABLE IF NOT EXISTS t (a)")
    assert d1.run(db_name, sql) == {"success": False, "error": error}


@pytest.mark.parametrize("sql", [
    "PRAGMA table_list", "PRAGMA table_info(t)", "PRAGMA main.table_info(t)", "PRAGMA table_xinfo(t)",
    "PRAGMA foreign_keys", "PRAGMA foreign_keys = ON", "PRAGMA defer_foreign_keys", "PRAGMA data_version",
    "PRAGMA foreign_key_list(t)", "PRAGMA index_list(t)", "PRAGMA quick_check", "PRAGMA quick_check(1)",
    "PRAGMA optimize", "PRAGMA case_sensitive_like = 'true'", "SELECT * FROM pragma_table_info('t')",
    "CREATE VIRTUAL TABLE f USING fts5(a)", "CREATE TABLE _CF_upper (a)", "ANALYZE", "REINDEX",
    "SELECT jsonb('{}'), unhex('41'), concat('a', 'b'), iif(1, 2, 3), ceil(1.5), pow(2, 2), unixepoch('now')",
    "SELECT * FROM json_each('[1, 2]')", "SELECT row_number() OVER () FROM t", "EXPLAIN QUERY PLAN SELECT * FROM t",
    "SELECT 1_000, log(2, 8), group_concat(a, ',' ORDER BY a) FROM t",
    # since workerd 1.20261117 (SQLite 3.54.1, R*Tree)
    "SELECT iif(1, 2), iif(0, 1, 0, 2, 3)", "SELECT value FROM jsonb_each('[1]')", "PRAGMA page_size",
    "CREATE VIRTUAL TABLE r USING rtree(id, a, b)", "CREATE VIRTUAL TABLE r32 USING rtree_i32(id, a, b, +aux)",
])
def test_authorizer_allows_what_d1_allows(d1: D1Http, db_name: str, sql: str) -> None:
    d1.run(db_name, "CREATE TABLE IF NOT EXISTS t (a)")
    reply = d1.run(db_name, sql)
    assert reply["success"] is True, reply


def test_d1_limits(d1: D1Http, db_name: str) -> None:
    hundred = ", ".join("?" for _ in range(100))
    assert d1.run(db_name, f"SELECT {hundred}", *range(100))["success"] is True
    too_many = d1.run(db_name, f"SELECT {hundred}, ?", *range(101))
    assert too_many == {"success": False, "error": "too many SQL variables at offset 307: SQLITE_ERROR"}
    wide = ", ".join(f"c{i}" for i in range(101))
    assert d1.run(db_name, f"CREATE TABLE wide101 ({wide})") == {
        "success": False, "error": "too many columns on wide101: SQLITE_ERROR"}
    deep = "SELECT " + " + ".join("1" for _ in range(102))
    assert d1.run(db_name, deep) == {
        "success": False, "error": "Expression tree is too large (maximum depth 100): SQLITE_ERROR"}
    # a statement of 100,000 bytes, 5,880 rows of 5 values (~35,000 VDBE ops), runs on D1 since
    # workerd 1.20261117 (on 3,500 rows before), so does an IN list of 49,000 values (~147,000)
    rows = ", ".join("(1, 1, 1, 1, 1)" for _ in range(5880))
    assert d1.run(db_name, f"SELECT count(*) AS n FROM (VALUES {rows})")["results"]["rows"] == [[5880]]
    values = ",".join("1" for _ in range(49_000))
    assert d1.run(db_name, f"SELECT 1 WHERE 2 IN ({values})")["success"] is True
    # strings and blobs up to 8,388,642 bytes (2,200,000 up to workerd 1.20260730)
    assert d1.run(db_name, "SELECT length(zeroblob(8388642))")["results"]["rows"] == [[8388642]]
    assert d1.run(db_name, "SELECT length(randomblob(8388643))") == {
        "success": False, "error": "string or blob too big: SQLITE_TOOBIG"}


def test_foreign_keys_are_on_and_deferred_checks_happen_at_the_end(d1: D1Http, db_name: str) -> None:
    assert d1.run(db_name, "PRAGMA foreign_keys")["results"]["rows"] == [[1]]
    d1.run(db_name, "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid INTEGER REFERENCES p(id))")
    fixed_later = [{"sql": "PRAGMA defer_foreign_keys = ON"}, {"sql": "INSERT INTO c VALUES (1)"},
                   {"sql": "INSERT INTO p VALUES (1)"}]
    assert all(e["success"] for e in d1.binding(db_name, fixed_later).json())
    never_fixed = [{"sql": "PRAGMA defer_foreign_keys = ON"}, {"sql": "INSERT INTO c VALUES (2)"}]
    assert d1.binding(db_name, never_fixed).json() == {
        "success": False, "error": "FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)"}
    assert d1.run(db_name, "SELECT count(*) FROM c")["results"]["rows"] == [[1]]
    assert d1.run(db_name, "PRAGMA defer_foreign_keys")["results"]["rows"] == [[0]]
    # turning the setting off discards what it deferred, as SQLite (and so D1) does: committed
    switched_off = [{"sql": "PRAGMA defer_foreign_keys = ON"}, {"sql": "INSERT INTO c VALUES (3)"},
                    {"sql": "PRAGMA defer_foreign_keys = OFF"}]
    assert all(e["success"] for e in d1.binding(db_name, switched_off).json())
    assert d1.run(db_name, "SELECT count(*) FROM c")["results"]["rows"] == [[2]]


def test_a_deferred_key_left_broken_fails_its_request_alone(d1: D1Http, db_name: str) -> None:
    """A DEFERRABLE INITIALLY DEFERRED key is checked at the end of each request, which shares
    its transaction with the requests written beside it: only the broken one fails."""
    d1.run(db_name, "CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE other (v INTEGER); "
                    "CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id) "
                    "DEFERRABLE INITIALLY DEFERRED)")  # fmt: skip
    broken = {"sql": "INSERT INTO child (pid) VALUES (42)"}

    async def side_by_side() -> list:
        async with httpx.AsyncClient(base_url=d1.url, timeout=30) as client:
            def post(body: dict) -> Any:
                return client.post("/query?resultsFormat=ROWS_AND_COLUMNS", json=body,
                                   headers={"x-lumadb-database": db_name})  # fmt: skip
            bodies = [broken if i == 15 else {"sql": "INSERT INTO other (v) VALUES (?)", "params": [i]} for i in range(30)]
            return [r.json() for r in await asyncio.gather(*(post(b) for b in bodies))]

    replies = asyncio.run(side_by_side())
    assert replies[15] == {"success": False, "error": "FOREIGN KEY constraint failed: SQLITE_CONSTRAINT "
                                                      "(extended: SQLITE_CONSTRAINT_FOREIGNKEY)"}  # fmt: skip
    assert all(reply[0]["success"] for i, reply in enumerate(replies) if i != 15), replies
    assert d1.run(db_name, "SELECT count(*) FROM other")["results"]["rows"] == [[29]]
    assert d1.run(db_name, "SELECT count(*) FROM child")["results"]["rows"] == [[0]]


def test_connection_settings_do_not_outlive_the_request(d1: D1Http, db_name: str) -> None:
    assert d1.run(db_name, "PRAGMA case_sensitive_like = ON; SELECT 'a' LIKE 'A'")["results"]["rows"] == [[0]]
    assert d1.run(db_name, "SELECT 'a' LIKE 'A'")["results"]["rows"] == [[1]]


def test_empty_requests_are_errors(d1: D1Http, db_name: str) -> None:
    assert d1.binding(db_name, []).json() == {"success": False, "error": "No SQL statements detected."}
    assert d1.binding(db_name, [{"sql": ""}], path="/execute").json()["error"] == "No SQL statements detected."
    assert d1.binding(db_name, [{"sql": "  -- note"}, {"sql": "SELECT 1"}]).json()[0]["results"]["rows"] == [[1]]


def test_meta_reports_changes_row_ids_and_size(d1: D1Http, db_name: str) -> None:
    created = d1.run(db_name, "CREATE TABLE t (id INTEGER PRIMARY KEY, v)")["meta"]
    assert list(created) == ["served_by", "served_by_region", "served_by_primary", "timings", "duration", "changes",
                             "last_row_id", "changed_db", "size_after", "rows_read", "rows_written"]
    assert created["changed_db"] is True and created["changes"] == 0
    inserted = d1.run(db_name, "INSERT INTO t (v) VALUES (?), (?)", "a", "b")["meta"]
    assert (inserted["changes"], inserted["last_row_id"], inserted["rows_written"]) == (2, 2, 2)
    read = d1.run(db_name, "SELECT * FROM t")["meta"]
    assert (read["changes"], read["last_row_id"], read["changed_db"], read["rows_read"]) == (0, 2, False, 2)
    assert read["size_after"] == inserted["size_after"] > 0
    updated = d1.run(db_name, "UPDATE t SET v = 'c'")["meta"]
    assert (updated["changes"], updated["rows_read"], updated["rows_written"]) == (2, 2, 2)


def test_reads_after_writes_see_them(d1: D1Http, db_name: str) -> None:
    d1.run(db_name, "CREATE TABLE t (x)")
    for i in range(30):  # the same read moves from the reader pool to the inline reader
        d1.run(db_name, "INSERT INTO t VALUES (?)", i)
        assert d1.run(db_name, "SELECT count(*) FROM t")["results"]["rows"] == [[i + 1]]


def test_session_token_is_returned_and_grows_with_writes(d1: D1Http, db_name: str) -> None:
    first = d1.binding(db_name, {"sql": "CREATE TABLE t (x)", "params": []},
                       headers={"x-cf-d1-session-commit-token": "first-unconstrained"})
    token = first.headers["x-cf-d1-session-commit-token"]
    assert len(token.split("-")) == 4
    read = d1.binding(db_name, {"sql": "SELECT 1", "params": []}, headers={"x-cf-d1-session-commit-token": token})
    assert read.headers["x-cf-d1-session-commit-token"] == token
    wrote = d1.binding(db_name, {"sql": "INSERT INTO t VALUES (1)", "params": []})
    assert wrote.headers["x-cf-d1-session-commit-token"] > token
    newer = "ffffffff" + token[8:]
    echoed = d1.binding(db_name, {"sql": "SELECT 1", "params": []}, headers={"x-cf-d1-session-commit-token": newer})
    assert echoed.headers["x-cf-d1-session-commit-token"] == newer


def test_dump_returns_the_database_file(d1: D1Http, db_name: str) -> None:
    d1.run(db_name, "CREATE TABLE t (x); INSERT INTO t VALUES ('dumped')")
    reply = d1.client.post("/dump", headers={"x-lumadb-database": db_name})
    assert reply.status_code == 200 and reply.content.startswith(b"SQLite format 3\x00") and b"dumped" in reply.content
    under_prefix = d1.client.post("/d1/dump", headers={"x-lumadb-database": db_name})
    assert under_prefix.content == reply.content


def test_routes_under_the_d1_prefix(d1: D1Http, db_name: str) -> None:
    reply = d1.client.post("/d1/execute?resultsFormat=NONE", json={"sql": "SELECT 7 AS n", "params": []},
                           headers={"x-lumadb-database": db_name})
    assert reply.json()[0]["results"] == [{"n": 7}]


@pytest.mark.parametrize(("headers", "body", "error"), [
    ({}, {"sql": "SELECT 1"}, "Missing X-LumaDB-Database header naming the D1 database"),
    ({"x-lumadb-database": "../../etc/passwd"}, {"sql": "SELECT 1"},
     "Invalid database name: use 1 to 64 letters, digits, '_' or '-', starting with a letter, digit or '_'"),
    ({"x-lumadb-database": "ok-name"}, {"sql": 1}, "Each query must be an object with a string 'sql'"),
    ({"x-lumadb-database": "ok-name"}, {"sql": "SELECT ?", "params": [{"a": 1}]},
     "Type 'object' not supported for value '[object Object]'"),
])
def test_unreadable_requests_answer_the_binding_error_shape(d1: D1Http, headers: dict, body: object, error: str) -> None:
    reply = d1.client.post("/query", json=body, headers=headers)
    assert (reply.status_code, reply.json()) == (400, {"success": False, "error": error})


def test_malformed_json_and_wrong_method(d1: D1Http) -> None:
    reply = d1.client.post("/query", content=b"{nope", headers={"x-lumadb-database": "ok-name"})
    assert (reply.status_code, reply.json()) == (400, {"success": False, "error": "Failed to parse body as JSON"})
    wrong = d1.client.get("/query", headers={"x-lumadb-database": "ok-name"})
    assert wrong.status_code == 405 and wrong.json()["success"] is False
