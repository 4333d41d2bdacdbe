"""Pure parts of the D1 front end: statement planning, the authorizer's decisions, value
conversion, the dump's literals and the workerd config generator."""

from __future__ import annotations

import math
from pathlib import Path

import orjson
import pytest

from lumadb.d1 import authorizer
from lumadb.d1.dump import dump_sql, literal, quote_text
from lumadb.d1.runner import parameter_count
from lumadb.d1.statements import is_dropped, plan
from lumadb.d1.values import BadParameter, bind_params, describe_bad, json_rows
from lumadb.d1.workerd_config import ConfigError, D1Binding, WorkerSpec, from_wrangler, render
from lumadb.storage.sqlite import apsw


@pytest.mark.parametrize(("sql", "pieces", "trailing_empty"), [
    ("SELECT 1", ["SELECT 1"], False),
    ("SELECT 1;", ["SELECT 1;"], False),
    ("SELECT 1; \n\t", ["SELECT 1;"], False),
    ("SELECT 1; SELECT 2", ["SELECT 1;", "SELECT 2"], False),
    ("SELECT 1;; SELECT 2", ["SELECT 1;", "; SELECT 2"], False),
    (";SELECT 1", [";SELECT 1"], False),
    ("SELECT 1;\n -- x\n SELECT 2", ["SELECT 1;", "-- x\n SELECT 2"], False),
    ("SELECT 1; -- done", ["SELECT 1;"], True),
    ("SELECT 1;;", ["SELECT 1;"], True),
    ("-- nothing", [], True),
    ("", [], True),
    ("SELECT 1\x00 junk", ["SELECT 1"], True),
    ("SELECT ';'; SELECT \"a;b\"", ["SELECT ';';", 'SELECT "a;b"'], False),
    ("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END; SELECT 3",
     ["CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;", "SELECT 3"], False),
])
def test_plan_cuts_like_workerd(sql: str, pieces: list[str], trailing_empty: bool) -> None:
    result = plan(sql)
    assert [p.sql for p in result.pieces] == pieces
    assert result.trailing_empty is trailing_empty


def test_plan_knows_each_piece_first_keyword() -> None:
    assert [p.first_word for p in plan("/* c */ begin; pragma x; ;select 1").pieces] == ["BEGIN", "PRAGMA", "SELECT"]


@pytest.mark.parametrize(("sql", "dropped"), [
    ("", True), ("   ", True), ("  -- note", True), ("\n  -- a\n  -- b", True),
    ("-- no indent", False), ("SELECT 1", False), ("  -- note\nSELECT 1", False),
])
def test_entries_d1_drops_before_running(sql: str, dropped: bool) -> None:
    assert is_dropped(sql) is dropped


@pytest.mark.parametrize(("sql", "count"), [
    ("SELECT 1", 0), ("SELECT ?, ?", 2), ("SELECT ?3", 3), ("SELECT ?, ?1", 1), ("SELECT :a, :a, @b", 2),
    ("SELECT '?'", 0), ("SELECT ?2, ?", 3),
])
def test_parameter_count_matches_sqlite(sql: str, count: int) -> None:
    assert parameter_count(sql) == count
    conn = apsw.Connection(":memory:")
    cursor = conn.cursor()
    seen: list[int] = []
    cursor.exec_trace = lambda cur, _sql, _b: seen.append(cur.bindings_count) or False
    with pytest.raises(apsw.ExecTraceAbort):
        cursor.execute(sql, tuple(range(count)))
    assert seen == [count]


@pytest.mark.parametrize(("pragma", "arg", "allowed"), [
    ("table_list", None, True), ("table_info", "t", True), ("table_info", None, False), ("table_info", "_cf_x", False),
    ("data_version", None, True), ("data_version", "1", False), ("foreign_keys", None, True),
    ("foreign_keys", "ON", True), ("foreign_keys", "'yes'", True), ("foreign_keys", "maybe", False),
    ("optimize", "-1", True), ("optimize", "x", False), ("optimize", "0x10002", True), ("optimize", "0X10", True),
    ("optimize", "0x100000000", False), ("quick_check", "5", True), ("quick_check", "t", True),
    ("index_list", None, False), ("journal_mode", None, False), ("user_version", "3", False),
])
def test_pragma_policy(pragma: str, arg: str | None, allowed: bool) -> None:
    assert authorizer._decide(apsw.SQLITE_PRAGMA, pragma, arg, "main") is allowed


def test_authorizer_is_off_outside_user_sql() -> None:
    conn = apsw.Connection(":memory:")
    authorizer.setup_connection(conn)
    assert conn.execute("PRAGMA journal_mode").fetchall()  # trusted: allowed
    with authorizer.user_sql(), pytest.raises(apsw.AuthError):
        conn.execute("PRAGMA page_size = 8192", can_cache=False)
    assert conn.limit(apsw.SQLITE_LIMIT_VARIABLE_NUMBER, -1) == 100
    assert conn.pragma("foreign_keys") == 1


def test_bind_values_like_workerd() -> None:
    assert bind_params([1, 2.5, "x", None, True, False, [1, 256, -1, 1.9], []]) == (
        1.0, 2.5, "x", None, 1.0, 0.0, bytes([1, 0, 255, 1]), b"")
    assert bind_params(None) == ()
    for bad in ([{"a": 1}], [["x"]], {"a": 1}):
        with pytest.raises(BadParameter):
            bind_params(bad)
    assert describe_bad({"a": 1}) == "Type 'object' not supported for value '[object Object]'"


def test_json_rows_convert_only_what_json_cannot_hold() -> None:
    rows = [(1, "a"), (math.inf, b"\x01"), (2.0, -math.inf), (math.nan, 1.5), (1e21, 1e20)]
    assert orjson.dumps(json_rows(rows)) == b'[[1,"a"],[null,[1]],[2,null],[null,1.5],[1e+21,100000000000000000000]]'
    plain = [(1, "a"), (2**53, -(2**53))]
    assert json_rows(plain) is plain


@pytest.mark.parametrize(("value", "text"), [
    # what JSON.stringify prints for the double nearest to each value (node -p)
    (2**53 + 1, b"9007199254740992"),
    (2**63 - 1, b"9223372036854776000"),
    (-(2**63), b"-9223372036854776000"),
    (2**60, b"1152921504606847000"),
    (123456789012345678, b"123456789012345680"),
    (2.0**63, b"9223372036854776000"),
    (-(2.0**64), b"-18446744073709552000"),
    (1e20, b"100000000000000000000"),
    (2.0**70, b"1.1805916207174113e+21"),
])
def test_json_rows_print_large_integers_as_javascript_does(value: float, text: bytes) -> None:
    assert orjson.dumps(json_rows([(value,)])) == b"[[" + text + b"]]"


def test_dump_literals() -> None:
    assert quote_text("it's") == "'it''s'"
    assert quote_text("a\nb\rc") == "replace(replace('a\\nb\\rc','\\r',char(13)),'\\n',char(10))"
    assert [literal(v) for v in (None, 5, 2.0, 1.5, math.inf, b"\x00\xff", "x")] == [
        "NULL", "5", "2.0", "1.5", "1e999", "X'00ff'", "'x'"]


def test_dump_round_trips_including_fts5(tmp_path: Path) -> None:
    source = apsw.Connection(str(tmp_path / "a.sqlite"))
    source.execute("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v); INSERT INTO t (v) VALUES ('a\nb'), (x'01');"
                   "CREATE INDEX tv ON t (v); CREATE VIRTUAL TABLE f USING fts5(body);"
                   "INSERT INTO f VALUES ('hello world'); CREATE VIEW vv AS SELECT * FROM t;")
    lines = list(dump_sql(source))
    assert lines[0] == "PRAGMA defer_foreign_keys=TRUE;"
    assert not any("f_data" in line or "f_idx" in line for line in lines)
    copy = apsw.Connection(str(tmp_path / "b.sqlite"))
    authorizer.setup_connection(copy)
    with authorizer.user_sql():
        copy.execute("\n".join(lines), can_cache=False)
    assert copy.execute("SELECT v FROM t ORDER BY id").fetchall() == [("a\nb",), (b"\x01",)]
    assert copy.execute("SELECT body FROM f WHERE f MATCH 'hello'").fetchall() == [("hello world",)]
    assert copy.execute("SELECT seq FROM sqlite_sequence").fetchall() == [(2,)]


def test_workerd_config_from_wrangler_toml(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.js").write_text("export default {}")
    toml = tmp_path / "wrangler.toml"
    toml.write_text('name = "app"\nmain = "src/index.js"\ncompatibility_date = "2025-03-01"\n'
                    'compatibility_flags = ["nodejs_compat"]\n[vars]\nGREETING = "hi"\nLIMITS = { n = 2 }\n'
                    '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "prod-db"\ndatabase_id = "abc"\n'
                    '[env.staging]\n[[env.staging.d1_databases]]\nbinding = "DB"\ndatabase_name = "staging-db"\n')
    spec = from_wrangler(toml)
    assert spec.d1 == [D1Binding("DB", "prod-db")] and spec.compatibility_flags == ["nodejs_compat"]
    assert from_wrangler(toml, "staging").d1 == [D1Binding("DB", "staging-db")]
    text = render(spec, lumadb_url="http://10.0.0.5:8000", listen="*:8080", token="s3cret", config_dir=tmp_path)
    assert 'embed "src/index.js"' in text
    assert ('(name = "lumadb-d1-DB", external = (address = "10.0.0.5:8000", http = (injectRequestHeaders = ['
            '(name = "x-lumadb-database", value = "prod-db"), (name = "authorization", value = "Bearer s3cret")])))') in text
    assert ('(name = "DB", wrapped = (moduleName = "cloudflare-internal:d1-api", '
            'innerBindings = [(name = "fetcher", service = "lumadb-d1-DB")]))') in text
    assert '(name = "GREETING", text = "hi")' in text and '(name = "LIMITS", json = "{\\"n\\": 2}")' in text
    assert 'compatibilityFlags = ["nodejs_compat"]' in text
    https = render(WorkerSpec(main=tmp_path / "src" / "index.js", d1=[D1Binding("DB", "x")]),
                   lumadb_url="https://db.example.com", listen="*:8080", token=None, config_dir=tmp_path)
    assert 'address = "db.example.com:443", https = (options = (injectRequestHeaders' in https
    with pytest.raises(ConfigError):
        render(spec, lumadb_url="ftp://x", listen="*:1", token=None, config_dir=tmp_path)
    with pytest.raises(ConfigError, match="bundle the Worker first"):
        render(WorkerSpec(main=tmp_path / "src" / "index.ts", d1=[D1Binding("DB", "x")]),
               lumadb_url="http://h:1", listen="*:1", token=None, config_dir=tmp_path)
    with pytest.raises(ConfigError):
        from_wrangler(tmp_path / "missing.toml")
