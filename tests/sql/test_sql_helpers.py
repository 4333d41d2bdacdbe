"""Unit tests of the shared SQL helpers (pure: an in-memory apsw connection)."""

from __future__ import annotations

import pytest

from lumadb.sql import (
    ManyStatements,
    NotReadOnly,
    count_statements,
    describe,
    error_info,
    execute_statement,
    is_blank,
    split_statements,
    statement_info,
    statement_kind,
)
from lumadb.storage.sqlite import apsw


@pytest.fixture
def conn() -> apsw.Connection:
    c = apsw.Connection(":memory:")
    c.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE, fur FURRY BUNNY)")
    return c


def test_split_keeps_semicolons_inside_strings_comments_and_triggers() -> None:
    sql = """
        INSERT INTO t VALUES (1, 'a;b', 2); -- a comment; with a semicolon
        /* block; comment */ SELECT "we;ird" FROM t;;
        CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET fur = 1; DELETE FROM t WHERE 0; END;
        SELECT 3
    """
    assert split_statements(sql) == [
        "INSERT INTO t VALUES (1, 'a;b', 2)",
        "-- a comment; with a semicolon\n        /* block; comment */ SELECT \"we;ird\" FROM t",
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET fur = 1; DELETE FROM t WHERE 0; END",
        "SELECT 3",
    ]


@pytest.mark.parametrize(("sql", "statements"), [
    ("SELECT 1 ; ", ["SELECT 1"]), (" ; ", []), ("SELECT 'a;", ["SELECT 'a;"]), ("SELECT 'a;b'", ["SELECT 'a;b'"]),
    ("SELECT [a;b];", ["SELECT [a;b]"]), (";SELECT 1", ["SELECT 1"]), ("SELECT 1;;", ["SELECT 1"]),
    ("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;", ["CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END"]),
])
def test_split_without_comments_or_with_one_semicolon(sql: str, statements: list[str]) -> None:
    # (text with no comment and one `;` at most takes a path of its own: no scan of its tokens)
    assert split_statements(sql) == statements


def test_split_takes_a_long_statement_whole() -> None:
    big = "INSERT INTO t (id) VALUES " + ",".join(f"({i})" for i in range(20_000))
    assert split_statements(big) == [big]
    assert split_statements(big + " ;\n") == [big]
    assert split_statements(big + "; SELECT 1") == [big, "SELECT 1"]


@pytest.mark.parametrize(
    ("sql", "count"),
    [("", 0), ("  ", 0), (";", 0), (" ;; ", 0), ("-- only a comment", 0), ("/* x */ ;", 0),
     ("SELECT 1", 1), ("SELECT 1;", 1), ("SELECT 1; -- trailing", 1), ("SELECT 1; SELECT 2", 2),
     ("SELECT 'unterminated", 1)],
)
def test_count_statements(sql: str, count: int) -> None:
    assert count_statements(sql) == count
    assert is_blank(sql) == (count == 0)


@pytest.mark.parametrize(
    ("sql", "kind"),
    [("select 1", "select"), ("VALUES (1)", "select"), ("insert into t values (1)", "insert"),
     ("REPLACE INTO t VALUES (1)", "insert"), ("/* c */ update t set fur=1", "update"),
     ("delete from t", "delete"), ("WITH x(a) AS (SELECT 1) INSERT INTO t(id) SELECT a FROM x", "insert"),
     ("with x as (select 1) select * from x", "select"), ("EXPLAIN SELECT 1", "explain"),
     ("CREATE TABLE u(a)", "other"), ("BEGIN", "other")],
)
def test_statement_kind(sql: str, kind: str) -> None:
    assert statement_kind(sql) == kind


def test_error_info_has_primary_and_extended_codes(conn: apsw.Connection) -> None:
    conn.execute("INSERT INTO t(name) VALUES ('x')")
    with pytest.raises(apsw.ConstraintError) as caught:
        conn.execute("INSERT INTO t(name) VALUES ('x')")
    info = error_info(caught.value)
    assert (info.code, info.extended_code, info.message, info.offset) == (
        "SQLITE_CONSTRAINT", "SQLITE_CONSTRAINT_UNIQUE", "UNIQUE constraint failed: t.name", None,
    )


def test_error_info_reports_offset_and_syntax(conn: apsw.Connection) -> None:
    with pytest.raises(apsw.SQLError) as caught:
        conn.execute("SELECT nope FROM t")
    info = error_info(caught.value)
    assert (info.code, info.extended_code, info.message, info.offset) == (
        "SQLITE_ERROR", "SQLITE_ERROR", "no such column: nope", 7,
    )
    assert not info.is_syntax_error
    with pytest.raises(apsw.SQLError) as caught:
        conn.execute("SELEC 1")
    assert error_info(caught.value).is_syntax_error


def test_execute_reports_the_prepare_offset_of_a_cached_statement(conn: apsw.Connection) -> None:
    """The second CREATE comes from apsw's statement cache and fails while stepping (SQLite
    prepares it again); its error keeps the offset a fresh prepare reports."""
    execute_statement(conn, "CREATE TABLE u (x)")
    with pytest.raises(apsw.SQLError) as caught:
        execute_statement(conn, "CREATE TABLE u (x)")
    assert (error_info(caught.value).message, error_info(caught.value).offset) == ("table u already exists", 13)
    with pytest.raises(apsw.SQLError) as caught:
        execute_statement(conn, "SELECT json('x')")
    assert (error_info(caught.value).message, error_info(caught.value).offset) == ("malformed JSON", None)


def test_execute_insert_reports_changes_and_rowid(conn: apsw.Connection) -> None:
    result = execute_statement(conn, "INSERT INTO t(name, fur) VALUES (?, ?)", ("a", 1.5))
    assert (result.changes, result.last_insert_rowid, result.rows_written, result.rows) == (1, 1, 1, [])
    assert result.kind == "insert"


def test_execute_select_has_decltypes_even_without_rows(conn: apsw.Connection) -> None:
    result = execute_statement(conn, "SELECT id, name, fur, 1 + 1 AS two FROM t")
    assert result.columns == ["id", "name", "fur", "two"]
    assert result.decltypes == ["INTEGER", "TEXT", "FURRY BUNNY", None]
    assert result.rows == []
    assert (result.changes, result.last_insert_rowid) == (0, None)


def test_execute_select_values_and_counters(conn: apsw.Connection) -> None:
    conn.execute("INSERT INTO t(name, fur) VALUES ('a', x'0102'), ('b', 9223372036854775807)")
    result = execute_statement(conn, "SELECT name, fur FROM t ORDER BY id")
    assert result.rows == [("a", b"\x01\x02"), ("b", 9223372036854775807)]
    assert (result.rows_read, result.rows_written) == (2, 0)
    hidden = execute_statement(conn, "SELECT name FROM t", want_rows=False)
    assert (hidden.rows, hidden.row_count, hidden.columns) == ([], 2, ["name"])


def test_execute_update_counts_changes(conn: apsw.Connection) -> None:
    conn.execute("INSERT INTO t(name) VALUES ('a'), ('b'), ('c')")
    result = execute_statement(conn, "UPDATE t SET fur = 1 WHERE name <> 'a'")
    assert (result.changes, result.rows_read, result.rows_written, result.last_insert_rowid) == (2, 2, 2, None)
    # sqlite3_changes() is stale after a non-DML statement: not reported
    assert execute_statement(conn, "CREATE TABLE u(a)").changes == 0


def test_execute_readonly_only_refuses_writes_without_running(conn: apsw.Connection) -> None:
    with pytest.raises(NotReadOnly):
        execute_statement(conn, "INSERT INTO t(name) VALUES ('z')", readonly_only=True)
    assert conn.execute("SELECT count(*) FROM t").fetchall() == [(0,)]
    assert execute_statement(conn, "SELECT 1", readonly_only=True).rows == [(1,)]


def test_execute_refuses_a_second_statement(conn: apsw.Connection) -> None:
    with pytest.raises(ManyStatements):
        execute_statement(conn, "INSERT INTO t(name) VALUES ('a'); INSERT INTO t(name) VALUES ('b')")
    assert conn.execute("SELECT name FROM t").fetchall() == [("a",)]


def test_describe_params_keep_their_prefixes(conn: apsw.Connection) -> None:
    d = describe(conn, "SELECT id, name, ?3, :x, @y, $z FROM t WHERE id = ?1 OR id = ?")
    assert d.params == ("?1", None, "?3", ":x", "@y", "$z", None)
    assert [(c.name, c.decltype) for c in d.columns] == [
        ("id", "INTEGER"), ("name", "TEXT"), ("?3", None), (":x", None), ("@y", None), ("$z", None),
    ]
    assert (d.is_explain, d.is_readonly) == (False, True)
    # Tcl-style names: `::` segments and a `(...)` suffix belong to the name (sqld keeps the `$`)
    assert describe(conn, "SELECT $a(x), $b::c(d), @f::g").params == ("$a(x)", "$b::c(d)", "@f::g")


def test_describe_anonymous_params_explain_and_writes(conn: apsw.Connection) -> None:
    assert describe(conn, "SELECT ?, ?").params == (None, None)
    assert describe(conn, "EXPLAIN QUERY PLAN SELECT * FROM t").is_explain
    write = describe(conn, "INSERT INTO t(name) VALUES (:n)")
    assert (write.params, write.columns, write.is_readonly) == ((":n",), (), False)
    assert describe(conn, "COMMIT").is_readonly
    assert conn.execute("SELECT count(*) FROM t").fetchall() == [(0,)]  # nothing ran


def test_describe_raises_sqlite_errors(conn: apsw.Connection) -> None:
    with pytest.raises(apsw.SQLError):
        describe(conn, "SELECT * FROM nosuch")


def test_statement_info_is_cached_by_text(conn: apsw.Connection) -> None:
    info = statement_info(conn, "SELECT :a, @a")
    assert info.params == (":a", "@a")
    assert statement_info(apsw.Connection(":memory:"), "SELECT :a, @a") is info
