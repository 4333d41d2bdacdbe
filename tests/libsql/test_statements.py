"""Statements over raw Hrana: values, arguments, results, batches, describe, the cursor and
the v1 endpoints, with the exact shapes and texts sqld produces."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import libsql_client
import pytest

from tests.libsql.conftest import call, execute, integer, ok_result, pipeline, results
from tests.lumadb_server import LumaServer


def run(server: LumaServer, *requests: dict, version: int = 2) -> list[dict]:
    return results(pipeline(server.url, [*requests, {"type": "close"}], version=version))[:-1]


def test_values_round_trip_exactly(server: LumaServer) -> None:
    args = [integer(9223372036854775807), integer(-9223372036854775808), {"type": "float", "value": 1.5},
            {"type": "float", "value": 3}, {"type": "text", "value": "héllo"}, {"type": "blob", "base64": "AQIDBA=="},
            {"type": "blob", "base64": "AQIDBA"}, {"type": "null"}]
    result = ok_result(run(server, execute("SELECT " + ", ".join("?" * len(args)), *args))[0])
    assert result["rows"] == [[integer(9223372036854775807), integer(-9223372036854775808),
                               {"type": "float", "value": 1.5}, {"type": "float", "value": 3.0},
                               {"type": "text", "value": "héllo"}, {"type": "blob", "base64": "AQIDBA"},
                               {"type": "blob", "base64": "AQIDBA"}, {"type": "null"}]]
    assert result["cols"] == [{"name": "?", "decltype": None}] * len(args)


@pytest.mark.parametrize(("value", "message"), [
    ({"type": "integer", "value": "abc"}, 'invalid value: string "abc", expected decimal integer as a string'),
    ({"type": "integer", "value": "9223372036854775808"},
     'invalid value: string "9223372036854775808", expected decimal integer as a string'),
    ({"type": "integer", "value": 5}, "invalid type: integer `5`, expected a borrowed string"),
    ({"type": "float", "value": "1.5"}, 'invalid type: string "1.5", expected f64'),
    ({"type": "bogus"}, "unknown variant `bogus`, expected one of `null`, `integer`, `float`, `text`, `blob`"),
])
def test_malformed_values_are_protocol_errors(server: LumaServer, value: dict, message: str) -> None:
    reply = pipeline(server.url, [execute("SELECT ?", value)])
    assert (reply.status, reply.content_type) == (400, "text/plain")
    assert reply.text == "Cannot deserialize client message from JSON: " + message


@pytest.mark.parametrize("field", ["args", "named_args"])
def test_null_argument_lists_are_refused_as_sqld_refuses_them(server: LumaServer, field: str) -> None:
    reply = pipeline(server.url, [{"type": "execute", "stmt": {"sql": "SELECT 1", field: None}}])
    assert reply.status == 400
    assert reply.text == "Cannot deserialize client message from JSON: invalid type: null, expected a sequence"
    # left out, they are empty
    assert ok_result(run(server, {"type": "execute", "stmt": {"sql": "SELECT 1"}})[0])["rows"] == [[integer(1)]]


def test_named_arguments_with_or_without_prefix(server: LumaServer) -> None:
    named = [{"name": "a", "value": integer(1)}, {"name": "@b", "value": integer(2)}, {"name": "$c", "value": integer(3)}]
    result = ok_result(run(server, execute("SELECT :a, @b, $c", named=named))[0])
    assert result["rows"] == [[integer(1), integer(2), integer(3)]]
    assert [c["name"] for c in result["cols"]] == [":a", "@b", "$c"]


def test_argument_errors(server: LumaServer) -> None:
    both = execute("SELECT ?", integer(1), named=[{"name": "a", "value": integer(1)}])
    few = execute("SELECT ?, ?", integer(1))
    many = execute("SELECT ?", integer(1), integer(2))
    unnamed = execute("SELECT :a", named=[{"name": "b", "value": integer(1)}])
    errors = [r["error"] for r in run(server, both, few, many, unnamed)]
    assert errors == [
        {"message": "Specifying both positional and named arguments is not supported", "code": "ARGS_BOTH_POSITIONAL_AND_NAMED"},
        {"message": "Arguments do not match SQL parameters: value for parameter 2 not found", "code": "ARGS_INVALID"},
        {"message": "Arguments do not match SQL parameters: too many parameters, expected 1 found 2", "code": "ARGS_INVALID"},
        {"message": "Arguments do not match SQL parameters: value for parameter :a not found", "code": "ARGS_INVALID"},
    ]


def test_statement_count_and_parse_errors(server: LumaServer) -> None:
    errors = [r.get("error") for r in run(server, execute("  -- nothing\n"), execute("SELECT 1; SELECT 2"),
                                          execute("SELECT 1;"), execute("SELEC 1"))]
    assert errors[0] == {"message": "SQL string does not contain any statement", "code": "SQL_NO_STATEMENT"}
    assert errors[1] == {"message": "SQL string contains more than one statement", "code": "SQL_MANY_STATEMENTS"}
    assert errors[2] is None
    assert errors[3]["code"] == "SQL_PARSE_ERROR"


NEWER_SYNTAX = [  # SQLite 3.46-3.53 takes these; sqld (SQLite 3.45.1 and its own parser) does not
    ("SELECT 1_000", 'unrecognized token: "1_000"'),
    ("SELECT 0xFF_FF, 1", 'unrecognized token: "0xFF_FF"'),
    ("SELECT group_concat(x, ',' ORDER BY x) FROM (SELECT 'a' AS x)", 'near "ORDER": syntax error'),
    ("CREATE TRIGGER t BEFORE INSERT ON x BEGIN SELECT RAISE(ABORT, 'no ' || new.b); END", 'near "||": syntax error'),
    ("ALTER TABLE x ADD CONSTRAINT c CHECK (a > 0)", 'near "CONSTRAINT": syntax error'),
    ("ALTER TABLE x ALTER COLUMN a SET NOT NULL", 'near "SET": syntax error'),
]


@pytest.mark.parametrize(("sql", "detail"), NEWER_SYNTAX, ids=[sql[:28] for sql, _ in NEWER_SYNTAX])
def test_syntax_newer_than_sqld_does_not_parse(server: LumaServer, sql: str, detail: str) -> None:
    batch = {"type": "batch", "batch": {"steps": [{"stmt": {"sql": "SELECT 1"}}, {"stmt": {"sql": sql}}]}}
    single, whole = run(server, execute(sql), batch)
    assert single["error"] == {"message": f"SQL string could not be parsed: {detail}", "code": "SQL_PARSE_ERROR"}
    assert whole["error"] == single["error"]  # before any step of the batch ran


def test_functions_newer_than_sqld_fail_when_they_run(server: LumaServer, unique_name: str) -> None:
    async def attempt(sql: str) -> str:
        async with libsql_client.create_client(server.url + "/turso/") as client:
            try:
                await client.execute(sql)
            except libsql_client.LibsqlError as error:
                return str(error)
            return "ran"

    async def attempts() -> list[str]:
        return [await attempt(sql) for sql in (
            "SELECT iif(1, 2)", "SELECT 1, log(2, 8)", "SELECT value FROM jsonb_each('[1]')", "SELECT iif(1, 2, 3), log(8)",
            f"CREATE TABLE {unique_name} (log, iif)", f"INSERT INTO {unique_name}(log, iif) VALUES (1, 2)",
        )]

    assert asyncio.run(attempts()) == [
        "SQL_INPUT_ERROR: SQL input error: wrong number of arguments to function iif() (at offset 7)",
        "SQL_INPUT_ERROR: SQL input error: wrong number of arguments to function log() (at offset 10)",
        "SQLITE_ERROR: SQLite error: no such table: jsonb_each",
        "ran", "ran", "ran",
    ]


def test_sqlite_errors_use_primary_codes(server: LumaServer, unique_name: str) -> None:
    out = run(server, execute(f"CREATE TABLE {unique_name} (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"),
              execute(f"INSERT INTO {unique_name} (v) VALUES ('a')"),
              execute(f"INSERT INTO {unique_name} (v) VALUES ('a')"),
              execute(f"SELECT nope FROM {unique_name}"),
              execute("SELECT * FROM no_such_table_here"))
    assert out[2]["error"] == {"message": f"SQLite error: UNIQUE constraint failed: {unique_name}.v", "code": "SQLITE_CONSTRAINT"}
    assert out[3]["error"] == {"message": "SQL input error: no such column: nope (at offset 7)", "code": "SQL_INPUT_ERROR"}
    assert out[4]["error"] == {"message": "SQLite error: no such table: no_such_table_here", "code": "SQLITE_ERROR"}


def test_a_repeated_create_is_an_input_error_with_its_offset(server: LumaServer, unique_name: str) -> None:
    """sqld prepares every statement, so a second CREATE of a table fails while preparing, with
    an offset; LumaDB reuses prepared statements and recovers the offset the same way."""
    create = execute(f"CREATE TABLE {unique_name} (x)")
    expected = {"message": f"SQL input error: table {unique_name} already exists (at offset 13)",
                "code": "SQL_INPUT_ERROR"}
    assert run(server, create, create)[1]["error"] == expected  # shared writer connection
    again = {"sql": f"CREATE TABLE {unique_name}_b (x)"}
    batch = ok_result(run(server, {"type": "batch", "batch": {"steps": [{"stmt": again}, {"stmt": again}]}})[0])
    assert batch["step_errors"] == [None, {  # on a stream's own connection
        "message": f"SQL input error: table {unique_name}_b already exists (at offset 13)", "code": "SQL_INPUT_ERROR"}]
    assert run(server, execute("SELECT json('x')"))[0]["error"] == {  # an error while stepping has no offset
        "message": "SQLite error: malformed JSON", "code": "SQLITE_ERROR"}


def test_want_rows_false_answers_no_rows(server: LumaServer, unique_name: str) -> None:
    """The Hrana spec: with want_rows false the result has its columns but no rows (sqld sends them)."""
    sql = f"SELECT 1 AS a UNION ALL SELECT 2 -- {unique_name}"
    wanted = {"type": "execute", "stmt": {"sql": sql, "want_rows": True}}
    unwanted = {"type": "execute", "stmt": {"sql": sql, "want_rows": False}}
    first, second, third = (ok_result(r) for r in run(server, wanted, unwanted, wanted))
    assert first["rows"] == third["rows"] == [[integer(1)], [integer(2)]]
    assert second["rows"] == [] and second["cols"] == [{"name": "a", "decltype": None}]
    steps = [{"stmt": {"sql": sql, "want_rows": False}}, {"stmt": {"sql": sql}}]
    batch = ok_result(run(server, {"type": "batch", "batch": {"steps": steps}})[0])
    assert [r["rows"] for r in batch["step_results"]] == [[], [[integer(1)], [integer(2)]]]
    reply = call(server.url, "POST", "/v3/cursor", {"baton": None, "batch": {"steps": steps[:1]}})
    assert [json.loads(line)["type"] for line in reply.text.splitlines()[1:]] == ["step_begin", "step_end"]
    v1 = call(server.url, "POST", "/v1/execute", {"stmt": {"sql": sql, "want_rows": False}})
    assert v1.json["result"]["rows"] == []


def test_result_counters_follow_sqld(server: LumaServer, unique_name: str) -> None:
    out = [ok_result(r) for r in run(
        server, execute(f"CREATE TABLE {unique_name} (id INTEGER PRIMARY KEY, v INT, w FURRY BUNNY)"),
        execute(f"INSERT INTO {unique_name} (v) VALUES (1), (2), (3)"),
        execute(f"UPDATE {unique_name} SET v = v + 1 WHERE v > 1"),
        execute(f"SELECT id, v, w, v * 2 AS twice FROM {unique_name} WHERE v > 10"),
        execute(f"DELETE FROM {unique_name} WHERE v = 1"),
        execute(f"INSERT INTO {unique_name} (v) VALUES (9) RETURNING id"),
    )]
    assert [(r["affected_row_count"], r["last_insert_rowid"]) for r in out] == [
        (0, None), (3, "3"), (2, None), (0, None), (1, None), (1, "4")]
    assert out[3]["cols"] == [{"name": "id", "decltype": "INTEGER"}, {"name": "v", "decltype": "INT"},
                              {"name": "w", "decltype": "FURRY BUNNY"}, {"name": "twice", "decltype": None}]
    assert out[5]["rows"] == [[integer(4)]]
    assert all(set(r) == {"cols", "rows", "affected_row_count", "last_insert_rowid", "replication_index",
                          "rows_read", "rows_written", "query_duration_ms"} for r in out)


def test_batch_conditions(server: LumaServer) -> None:
    steps = [
        {"stmt": {"sql": "SELECT 1"}},
        {"stmt": {"sql": "SELECT * FROM no_such_table_here"}},
        {"stmt": {"sql": "SELECT 3"}, "condition": {"type": "ok", "step": 1}},
        {"stmt": {"sql": "SELECT 4"}, "condition": {"type": "error", "step": 1}},
        {"stmt": {"sql": "SELECT 5"}, "condition": {"type": "not", "cond": {"type": "ok", "step": 0}}},
        {"stmt": {"sql": "SELECT 6"}, "condition": {"type": "and", "conds": [{"type": "ok", "step": 0}, {"type": "error", "step": 1}]}},
        {"stmt": {"sql": "SELECT 7"}, "condition": {"type": "or", "conds": []}},
        {"stmt": {"sql": "SELECT 8"}, "condition": {"type": "and", "conds": []}},
        {"stmt": {"sql": "SELECT 9"}, "condition": {"type": "error", "step": 2}},
    ]
    result = ok_result(run(server, {"type": "batch", "batch": {"steps": steps}})[0])
    ran = [None if r is None else r["rows"][0][0]["value"] for r in result["step_results"]]
    assert ran == ["1", None, None, "4", None, "6", None, "8", None]
    assert result["step_errors"][1] == {"message": "SQLite error: no such table: no_such_table_here", "code": "SQLITE_ERROR"}
    assert [e is None for e in result["step_errors"]] == [True, False] + [True] * 7
    bad = pipeline(server.url, [{"type": "batch", "batch": {"steps": [
        {"stmt": {"sql": "SELECT 1"}, "condition": {"type": "ok", "step": 0}}]}}])
    assert (bad.status, bad.text) == (400, "Invalid reference to step in a batch condition")
    unparsable = run(server, {"type": "batch", "batch": {"steps": [{"stmt": {"sql": "SELECT 1"}}, {"stmt": {"sql": "SELEC"}}]}})
    assert unparsable[0]["error"]["code"] == "SQL_PARSE_ERROR"


def test_describe_without_running(server: LumaServer, unique_name: str) -> None:
    tx = pipeline(server.url, [execute("BEGIN"), execute(f"CREATE TABLE {unique_name} (a INTEGER, b TEXT)"),
                               {"type": "describe", "sql": f"SELECT a, b, :x, ?3 FROM {unique_name} WHERE a = ?"},
                               {"type": "describe", "sql": f"INSERT INTO {unique_name} VALUES (@p, $q)"},
                               {"type": "describe", "sql": "EXPLAIN QUERY PLAN SELECT 1"},
                               {"type": "describe", "sql": "SELEC"},
                               {"type": "describe", "sql": ""},
                               execute("ROLLBACK"), {"type": "close"}])
    res = tx.json["results"]
    assert res[2]["response"]["result"] == {
        "params": [{"name": ":x"}, {"name": None}, {"name": "?3"}, {"name": None}],
        "cols": [{"name": "a", "decltype": "INTEGER"}, {"name": "b", "decltype": "TEXT"},
                 {"name": ":x", "decltype": None}, {"name": "?3", "decltype": None}],
        "is_explain": False, "is_readonly": True,
    }
    assert res[3]["response"]["result"] == {"params": [{"name": "@p"}, {"name": "$q"}], "cols": [],
                                            "is_explain": False, "is_readonly": False}
    assert res[4]["response"]["result"]["is_explain"] is True
    assert res[5]["error"] == {"message": 'SQL input error: near "SELEC": syntax error (at offset 0)', "code": "SQL_INPUT_ERROR"}
    assert res[6]["response"]["result"] == {"params": [], "cols": [], "is_explain": False, "is_readonly": True}
    gone = run(server, {"type": "describe", "sql": f"SELECT * FROM {unique_name}"})
    assert gone[0]["error"]["code"] == "SQLITE_ERROR"  # the table was rolled back


def test_cursor_streams_json_lines(server: LumaServer, unique_name: str) -> None:
    run(server, execute(f"CREATE TABLE {unique_name} (v)"))
    steps = [
        {"stmt": {"sql": "SELECT 1 AS x UNION ALL SELECT 2"}},
        {"stmt": {"sql": "SELECT * FROM no_such_table_here"}},
        {"stmt": {"sql": "SELECT 3"}, "condition": {"type": "ok", "step": 1}},
        {"stmt": {"sql": f"INSERT INTO {unique_name} VALUES (1)"}},
    ]
    reply = call(server.url, "POST", "/v3/cursor", {"baton": None, "batch": {"steps": steps}})
    assert (reply.status, reply.content_type) == (200, "text/plain")
    lines = [json.loads(line) for line in reply.text.splitlines()]
    assert set(lines[0]) == {"baton", "base_url"} and lines[0]["base_url"] is None
    assert lines[1:] == [
        {"type": "step_begin", "step": 0, "cols": [{"name": "x", "decltype": None}]},
        {"type": "row", "row": [integer(1)]},
        {"type": "row", "row": [integer(2)]},
        {"type": "step_end", "affected_row_count": 0, "last_insert_rowid": None},
        {"type": "step_error", "step": 1, "error": {"message": "SQLite error: no such table: no_such_table_here", "code": "SQLITE_ERROR"}},
        {"type": "step_begin", "step": 3, "cols": []},
        {"type": "step_end", "affected_row_count": 1, "last_insert_rowid": "1"},
    ]
    follow = pipeline(server.url, [execute(f"SELECT count(*) FROM {unique_name}"), {"type": "close"}],
                      lines[0]["baton"], version=3)
    assert ok_result(follow.json["results"][0])["rows"] == [[integer(1)]]


def test_v1_statuses(server: LumaServer) -> None:
    ok = call(server.url, "POST", "/v1/execute", {"stmt": {"sql": "SELECT ?", "args": [integer(1)]}})
    assert ok.status == 200 and ok.json["result"]["rows"] == [[integer(1)]]
    cases = [
        ({"sql": "SELEC 1"}, 400, "SQL_PARSE_ERROR"),
        ({"sql": "SELECT * FROM no_such_table_here"}, 500, "SQLITE_ERROR"),
        ({"sql": "SELECT ?"}, 400, "ARGS_INVALID"),
        ({"sql": "SELECT ?", "args": [integer(1)], "named_args": [{"name": "a", "value": integer(1)}]}, 501,
         "ARGS_BOTH_POSITIONAL_AND_NAMED"),
        ({"sql": "SELECT 1; SELECT 2"}, 400, "SQL_MANY_STATEMENTS"),
    ]
    for stmt, status, code in cases:
        reply = call(server.url, "POST", "/v1/execute", {"stmt": stmt})
        assert (reply.status, reply.content_type, reply.json["code"]) == (status, "application/json", code), stmt
    batch = call(server.url, "POST", "/turso/v1/batch", {"batch": {"steps": [
        {"stmt": {"sql": "SELECT * FROM no_such_table_here"}},
        {"stmt": {"sql": "SELECT 2"}, "condition": {"type": "error", "step": 0}}]}})
    assert batch.status == 200
    assert batch.json["result"]["step_results"][0] is None
    assert batch.json["result"]["step_results"][1]["rows"] == [[integer(2)]]


def test_connections_are_set_as_sqld_sets_them(server: LumaServer) -> None:
    # foreign keys enforced, and no way to rewrite the schema behind SQLite's back
    assert ok_result(run(server, execute("PRAGMA foreign_keys"))[0])["rows"] == [[integer(1)]]
    setup = run(server, {"type": "batch", "batch": {"steps": [
        {"stmt": {"sql": "CREATE TABLE fk_parent (id INTEGER PRIMARY KEY)"}},
        {"stmt": {"sql": "CREATE TABLE fk_child (p INTEGER REFERENCES fk_parent(id))"}},
    ]}})
    assert ok_result(setup[0])["step_errors"] == [None, None]
    orphan = run(server, execute("INSERT INTO fk_child VALUES (999)"))[0]
    assert orphan["type"] == "error"
    assert orphan["error"]["code"] == "SQLITE_CONSTRAINT"  # as sqld reports it
    assert "FOREIGN KEY constraint failed" in orphan["error"]["message"]
    # sqld refuses the PRAGMA itself (the whole batch, before any step runs)
    rewrite = run(server, {"type": "batch", "batch": {"steps": [
        {"stmt": {"sql": "PRAGMA writable_schema = ON"}},
        {"stmt": {"sql": "UPDATE sqlite_schema SET sql = 'CREATE TABLE fk_parent (id, other)' WHERE name = 'fk_parent'"}},
    ]}})[0]
    assert rewrite["error"] == {"message": "SQL string could not be parsed: unsupported statement: "
                                           "PRAGMA writable_schema = ON", "code": "SQL_PARSE_ERROR"}
    # and without it, SQLite's defensive mode keeps the schema table read-only
    direct = run(server, execute(
        "UPDATE sqlite_schema SET sql = 'CREATE TABLE fk_parent (id, other)' WHERE name = 'fk_parent'"))[0]
    assert direct["error"]["message"] == "SQLite error: table sqlite_master may not be modified"
    columns = ok_result(run(server, execute("SELECT count(*) FROM pragma_table_info('fk_parent')"))[0])
    assert columns["rows"] == [[integer(1)]]


def side_by_side(base: str, count: int, requests_of: Callable[[int], list[dict]]) -> list:
    """`count` pipeline requests from eight threads at once, their replies in order."""
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda i: pipeline(base, requests_of(i)), range(count)))


def test_invalid_text_is_a_statement_error_and_concurrent_writes_go_on(server: LumaServer) -> None:
    """A row whose text is not valid UTF-8 fails its statement (sqld: `invalid utf-8 sequence`)
    and undoes it; requests writing beside it, in the same group commit, are answered."""
    base, t = server.url + "/turso", f"bad_{uuid.uuid4().hex}"
    assert results(pipeline(base, [execute(f"CREATE TABLE {t} (a)"), {"type": "close"}]))
    bad = [execute(f"INSERT INTO {t} VALUES (CAST(x'ff61' AS TEXT)) RETURNING a"), {"type": "close"}]
    good = [execute(f"INSERT INTO {t} VALUES ('fine')"), {"type": "close"}]
    for i, reply in enumerate(side_by_side(base, 60, lambda i: bad if i % 3 == 0 else good)):
        first = results(reply)[0]
        if i % 3 == 0:
            assert first["type"] == "error"
            assert first["error"]["message"] == "SQLite error: invalid utf-8 sequence of 1 bytes from index 0"
        else:
            assert first["type"] == "ok"
    count = results(pipeline(base, [execute(f"SELECT count(*), count(DISTINCT a) FROM {t}"), {"type": "close"}]))
    assert ok_result(count[0])["rows"] == [[{"type": "integer", "value": "40"}, {"type": "integer", "value": "1"}]]


def test_a_transaction_wide_rollback_fails_no_other_request(server: LumaServer) -> None:
    """ON CONFLICT ROLLBACK ends the whole transaction; requests that shared its group commit
    run again and succeed, as each is its own transaction on sqld."""
    base, t = server.url + "/turso", f"gr_{uuid.uuid4().hex}"
    setup = [f"CREATE TABLE {t}_ok (a)", f"CREATE TABLE {t}_u (a PRIMARY KEY ON CONFLICT ROLLBACK)",
             f"INSERT INTO {t}_u VALUES (1)"]  # fmt: skip
    assert results(pipeline(base, [*(execute(sql) for sql in setup), {"type": "close"}]))
    dup = [execute(f"INSERT INTO {t}_u VALUES (1)"), {"type": "close"}]
    good = [execute(f"INSERT INTO {t}_ok VALUES (1)"), {"type": "close"}]
    for i, reply in enumerate(side_by_side(base, 200, lambda i: dup if i % 4 == 0 else good)):
        first = results(reply)[0]
        assert first["type"] == ("error" if i % 4 == 0 else "ok"), first
    count = results(pipeline(base, [execute(f"SELECT count(*) FROM {t}_ok"), {"type": "close"}]))
    assert ok_result(count[0])["rows"] == [[{"type": "integer", "value": "150"}]]


def test_a_comment_after_the_statement_is_not_a_second_statement(server: LumaServer) -> None:
    base = server.url + "/turso"
    for sql in ("SELECT 1; -- trailing comment", "SELECT 1; /* c */", "SELECT 1;;"):
        first = results(pipeline(base, [execute(sql), {"type": "close"}]))[0]
        assert ok_result(first)["rows"] == [[{"type": "integer", "value": "1"}]], sql
    second = results(pipeline(base, [execute("SELECT 1; -- c\nSELECT 2"), {"type": "close"}]))[0]
    assert second["type"] == "error" and second["error"]["code"] == "SQL_MANY_STATEMENTS"


def test_a_schema_changed_on_another_connection_is_seen(server: LumaServer) -> None:
    """ALTER TABLE run on a stream's own connection (inside BEGIN ... COMMIT, as @libsql/client's
    migrate() and batch() do): statements on the shared connections compile against the new
    schema, also those SQLite would not re-check by itself (a column count)."""
    base, t = server.url + "/turso", f"sc_{uuid.uuid4().hex}"
    close = {"type": "close"}
    assert results(pipeline(base, [execute(f"CREATE TABLE {t} (a)"), execute(f"INSERT INTO {t} VALUES (1)"), close]))
    # the shared connections compile something against the old schema first
    assert results(pipeline(base, [execute(f"SELECT * FROM {t}"), close]))[0]["type"] == "ok"
    changed = pipeline(base, [execute("BEGIN"), execute(f"ALTER TABLE {t} ADD COLUMN b"), execute("COMMIT"), close])
    assert all(entry["type"] == "ok" for entry in results(changed))
    insert = results(pipeline(base, [execute(f"INSERT INTO {t} VALUES (2, 'two')"), close]))[0]
    assert insert["type"] == "ok", insert
    union = results(pipeline(base, [execute(f"SELECT * FROM {t} UNION ALL SELECT 3, 'three'"), close]))[0]
    assert len(ok_result(union)["rows"]) == 3
    described = results(pipeline(base, [{"type": "describe", "sql": f"SELECT * FROM {t}"}, close]))[0]
    assert [c["name"] for c in described["response"]["result"]["cols"]] == ["a", "b"]


def test_a_statement_that_failed_against_one_schema_runs_against_the_next(server: LumaServer) -> None:
    """The same statement text, run on the shared connections before, during and after schema
    changes made on a stream's own connection (a batch holding a PRAGMA): it fails while the
    schema makes it fail, and runs once it no longer does (sqld, side by side: the same)."""
    base, t = server.url + "/turso", f"ss_{uuid.uuid4().hex}"
    close = {"type": "close"}

    def shared(sql: str) -> dict:
        return results(pipeline(base, [execute(sql), close]))[0]

    def own_connection(*sqls: str) -> None:
        steps = [{"stmt": {"sql": sql}} for sql in ("PRAGMA foreign_keys = ON", *sqls)]
        reply = results(pipeline(base, [{"type": "batch", "batch": {"steps": steps}}, close]))[0]
        assert ok_result(reply)["step_errors"] == [None] * len(steps)

    insert = f"INSERT INTO {t} VALUES (1)"
    assert shared(f"CREATE TABLE {t} (a)")["type"] == "ok" and shared(insert)["type"] == "ok"
    own_connection(f"ALTER TABLE {t} ADD COLUMN b DEFAULT 7")
    for _ in range(2):
        assert shared(insert)["error"]["message"] == f"SQLite error: table {t} has 2 columns but 1 values were supplied"
    own_connection(f"ALTER TABLE {t} DROP COLUMN b")
    assert [shared(insert)["type"] for _ in range(2)] == ["ok", "ok"]
    # an index dropped with its table elsewhere, then created again on the shared connections
    index = f"CREATE INDEX {t}_i ON {t} (lower(a))"
    assert shared(index)["type"] == "ok"
    own_connection(f"DROP TABLE {t}", f"CREATE TABLE {t} (a)")
    assert shared(index)["type"] == "ok"
    assert shared(index)["error"]["message"] == f"SQLite error: index {t}_i already exists"


def test_double_quotes_name_never_a_string(server: LumaServer) -> None:
    """sqld's SQLite is built with DQS=0: "hello" is a column name, in DML and DDL alike."""
    base, t = server.url + "/turso", f"dq_{uuid.uuid4().hex}"
    close = {"type": "close"}
    word = results(pipeline(base, [execute('SELECT "hello"'), close]))[0]
    assert word["error"]["code"] == "SQL_INPUT_ERROR"  # (this SQLite, newer than sqld's, adds a hint)
    assert word["error"]["message"].startswith('SQL input error: no such column: "hello"')
    assert results(pipeline(base, [execute(f'CREATE TABLE {t} ("a")'), close]))[0]["type"] == "ok"
    index = results(pipeline(base, [execute(f'CREATE INDEX {t}_i ON {t}("nocol")'), close]))[0]
    assert index["type"] == "error" and "nocol" in index["error"]["message"]
    quoted = results(pipeline(base, [execute(f"INSERT INTO {t} (\"a\") VALUES ('x') RETURNING \"a\""), close]))[0]
    assert ok_result(quoted)["rows"] == [[{"type": "text", "value": "x"}]]


def test_a_deferred_key_left_broken_fails_its_statement_alone(server: LumaServer) -> None:
    """A DEFERRABLE INITIALLY DEFERRED key fails the statement's own COMMIT on sqld
    (`SQLite error: FOREIGN KEY constraint failed`, SQLITE_CONSTRAINT, same text checked on sqld
    0.24); statements committed beside it here are not touched."""
    base, t = server.url + "/turso", f"fk_{uuid.uuid4().hex}"
    close = {"type": "close"}
    setup = [f"CREATE TABLE {t}_p (id INTEGER PRIMARY KEY)", f"CREATE TABLE {t}_o (v)",
             f"CREATE TABLE {t}_c (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES {t}_p(id) DEFERRABLE INITIALLY DEFERRED)"]  # fmt: skip
    assert all(e["type"] == "ok" for e in results(pipeline(base, [*(execute(sql) for sql in setup), close])))
    broken = [execute(f"INSERT INTO {t}_c (pid) VALUES (42)"), close]
    other = [execute(f"INSERT INTO {t}_o VALUES (1)"), close]
    replies = side_by_side(base, 30, lambda i: broken if i == 7 else other)
    assert results(replies[7])[0]["error"] == {"message": "SQLite error: FOREIGN KEY constraint failed",
                                               "code": "SQLITE_CONSTRAINT"}  # fmt: skip
    assert all(results(r)[0]["type"] == "ok" for i, r in enumerate(replies) if i != 7)
    count = results(pipeline(base, [execute(f"SELECT (SELECT count(*) FROM {t}_o), (SELECT count(*) FROM {t}_c)"), close]))
    assert ok_result(count[0])["rows"] == [[{"type": "integer", "value": "29"}, {"type": "integer", "value": "0"}]]
