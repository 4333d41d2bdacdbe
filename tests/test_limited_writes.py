"""UPDATE/DELETE with ORDER BY and LIMIT rewritten for a SQLite built without that option
(lumadb/sql/limited_writes.py), run on apsw's SQLite: the rows changed are the ones the clause
chooses. (D1's own answers for them: tests/node/d1_worker/worker.js, compared with Miniflare.)"""

from __future__ import annotations

import pytest

from lumadb.sql.limited_writes import refusal, rewritten, table_of
from lumadb.storage.sqlite import apsw


@pytest.fixture
def conn() -> apsw.Connection:
    conn = apsw.Connection(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, g INTEGER, v TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, i % 2, f"v{i}") for i in range(1, 7)])
    return conn


def run(conn: apsw.Connection, sql: str, *params: object) -> list[tuple]:
    text = rewritten(sql)
    assert text is not None, sql
    return list(conn.execute(text, params))


def ids(conn: apsw.Connection) -> list[int]:
    return [row[0] for row in conn.execute("SELECT id FROM t ORDER BY id")]


def test_the_clause_chooses_the_rows(conn: apsw.Connection) -> None:
    # (RETURNING lists rows in no particular order, as SQLite says)
    assert sorted(run(conn, "DELETE FROM t WHERE g = ? RETURNING id ORDER BY id DESC LIMIT ?;", 0, 2)) == [(4,), (6,)]
    assert ids(conn) == [1, 2, 3, 5]
    run(conn, "UPDATE OR IGNORE t AS x SET v = 'z' WHERE x.id IN (SELECT id FROM t LIMIT 3) ORDER BY x.id LIMIT 1 OFFSET 1")
    assert [row[0] for row in conn.execute("SELECT id FROM t WHERE v = 'z'")] == [2]
    run(conn, "delete /* c */ from t limit 1")
    assert ids(conn) == [2, 3, 5]


def test_comments_and_a_column_named_rowid(conn: apsw.Connection) -> None:
    """A `--` comment must not swallow the text the rewrite adds, and a user column named
    `rowid` must not stand for the real one (both changed every row once)."""
    run(conn, "update t set v = 'c' -- reset\nlimit 1")
    run(conn, "delete from t -- oldest\norder by id limit 1 -- one row\n;")
    assert [(row[0], row[1]) for row in conn.execute("SELECT id, v FROM t ORDER BY id")][:2] == [(2, "v2"), (3, "v3")]
    assert ids(conn) == [2, 3, 4, 5, 6]
    conn.execute("CREATE TABLE r (rowid TEXT, v INTEGER)")
    conn.executemany("INSERT INTO r VALUES ('a', ?)", [(1,), (2,), (3,)])
    run(conn, "update r set v = 0 order by v desc limit 1")
    assert [row[0] for row in conn.execute("SELECT v FROM r ORDER BY _rowid_")] == [1, 2, 0]
    run(conn, "WITH old(id) AS (SELECT id FROM t WHERE id < 5) DELETE FROM t WHERE id IN old ORDER BY id DESC LIMIT 1")
    assert ids(conn) == [2, 3, 5, 6]
    plan = run(conn, "explain query plan delete from t order by id limit 1")
    assert plan and rewritten("EXPLAIN DELETE FROM t LIMIT 1") is not None


def test_a_without_rowid_table_by_its_primary_key(conn: apsw.Connection) -> None:
    conn.execute("CREATE TABLE w (a TEXT, b INTEGER, v INTEGER, PRIMARY KEY (b, a)) WITHOUT ROWID")
    conn.executemany("INSERT INTO w VALUES (?, ?, ?)", [("x", 1, 1), ("y", 1, 2), ("x", 2, 3)])
    sql = "DELETE FROM main.w WHERE v > 1 ORDER BY v DESC LIMIT 1"
    assert table_of(sql) == ("main.", "w") and table_of("update or replace w set v = 0 limit 1") == ("", "w")
    conn.execute(rewritten(sql, ('"b"', '"a"')))
    assert list(conn.execute("SELECT a, b FROM w ORDER BY v")) == [("x", 1), ("y", 1)]


def test_parameters_in_returning_and_in_the_clause_bind_where_written(conn: apsw.Connection) -> None:
    """RETURNING moves after the LIMIT in the rewritten text: numbered as SQLite numbered them
    before, its values and the clause's stay theirs (else `LIMIT 'tag'`, RETURNING 1)."""
    assert run(conn, "UPDATE t SET v = ? WHERE g = ? RETURNING id, ?, v ORDER BY id LIMIT ?", "z", 1, "tag", 1) == [(1, "tag", "z")]
    assert run(conn, "DELETE FROM t WHERE g = :g RETURNING id, :g, ?2 ORDER BY id DESC LIMIT ?", 0, "two", 1) == [
        (6, 0, "two")
    ]
    assert ids(conn) == [1, 2, 3, 4, 5]
    assert run(conn, "DELETE FROM t RETURNING ?2 LIMIT ?1", 1, "two") == [("two",)]


def test_what_is_left_alone_and_what_is_refused() -> None:
    for sql in ("SELECT 1 LIMIT 1", "DELETE FROM t WHERE id IN (SELECT id FROM t LIMIT 1)",
                "UPDATE t SET v = u.v FROM u LIMIT 1", "WITH c AS (SELECT 1) SELECT 1 LIMIT 1",
                "UPDATE t SET v = 1 RETURNING ?99999 LIMIT ?"):  # fmt: skip
        assert rewritten(sql) is None, sql
    assert refusal("DELETE FROM t ORDER BY id") == "ORDER BY without LIMIT on DELETE"
    assert refusal("update t set v = 1 order by id") == "ORDER BY without LIMIT on UPDATE"
    assert refusal("DELETE FROM t ORDER BY id LIMIT 1") is None and refusal("SELECT 1 ORDER BY 1") is None
    assert refusal("EXPLAIN DELETE FROM t ORDER BY id") == "ORDER BY without LIMIT on DELETE"
    assert refusal("WITH c AS (SELECT 1 ORDER BY 1) DELETE FROM t ORDER BY id") == "ORDER BY without LIMIT on DELETE"
