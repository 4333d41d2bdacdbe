"""Reads and writes after a schema change made by an earlier request: each request sees the
schema as it is now (a reader connection prepares statements with the schema it last loaded);
and errors this SQLite words differently from D1's."""

from __future__ import annotations

from tests.d1.conftest import D1Http


def test_a_read_after_a_table_is_recreated_names_its_new_columns(d1: D1Http, db_name: str) -> None:
    d1.run(db_name, "CREATE TABLE t2 (a, b)")
    d1.run(db_name, "INSERT INTO t2 VALUES (1, 2)")
    assert d1.run(db_name, "SELECT * FROM t2", fmt="ARRAY_OF_OBJECTS")["results"] == [{"a": 1, "b": 2}]
    d1.run(db_name, "DROP TABLE t2")
    d1.run(db_name, "CREATE TABLE t2 (c, d, e)")
    d1.run(db_name, "INSERT INTO t2 VALUES (7, 8, 9)")
    assert d1.run(db_name, "SELECT * FROM t2", fmt="ARRAY_OF_OBJECTS")["results"] == [{"c": 7, "d": 8, "e": 9}]


def test_columns_added_by_an_earlier_request_can_be_renamed_and_dropped(d1: D1Http, db_name: str) -> None:
    d1.run(db_name, "CREATE TABLE b (x, y)")
    d1.run(db_name, "INSERT INTO b VALUES (1, 2)")
    assert d1.run(db_name, "SELECT * FROM b", fmt="ARRAY_OF_OBJECTS")["results"] == [{"x": 1, "y": 2}]
    d1.run(db_name, "ALTER TABLE b ADD COLUMN z DEFAULT 3")
    assert d1.run(db_name, "SELECT * FROM b", fmt="ARRAY_OF_OBJECTS")["results"] == [{"x": 1, "y": 2, "z": 3}]
    d1.run(db_name, "ALTER TABLE b DROP COLUMN y")
    assert d1.run(db_name, "SELECT * FROM b", fmt="ARRAY_OF_OBJECTS")["results"] == [{"x": 1, "z": 3}]
    d1.run(db_name, "ALTER TABLE b ADD COLUMN w")
    renamed = d1.run(db_name, "ALTER TABLE b RENAME COLUMN w TO w2")
    assert "error" not in renamed, renamed
    assert d1.run(db_name, "SELECT * FROM b", fmt="ARRAY_OF_OBJECTS")["results"] == [{"x": 1, "z": 3, "w2": None}]


def test_limit_errors_in_d1s_words(d1: D1Http, db_name: str) -> None:
    long_sql = "SELECT 1 -- " + "x" * 100_000
    assert d1.run(db_name, long_sql) == {"success": False, "error": "statement too long: SQLITE_TOOBIG"}
    d1.run(db_name, "CREATE TABLE deep (n INTEGER)")
    d1.run(db_name, "PRAGMA recursive_triggers = ON; CREATE TRIGGER again AFTER INSERT ON deep WHEN new.n < 20 "
                    "BEGIN INSERT INTO deep VALUES (new.n + 1); END")
    recursed = d1.run(db_name, "PRAGMA recursive_triggers = ON; INSERT INTO deep VALUES (1)")
    # D1's SQLite 3.47 said "too many levels of trigger recursion" (workerd up to 1.20260730)
    assert recursed == {"success": False, "error": "triggers nested too deep: SQLITE_ERROR"}


def test_a_schema_change_changes_the_database(d1: D1Http, db_name: str) -> None:
    # D1's file shrinks when a table goes (its size, so `changed_db`, moves); this one keeps
    # the freed pages, and the schema change alone counts
    d1.run(db_name, "CREATE TABLE gone (v)")
    d1.run(db_name, "INSERT INTO gone VALUES (randomblob(5000))")
    assert d1.run(db_name, "DROP TABLE gone")["meta"]["changed_db"] is True
    assert d1.run(db_name, "CREATE TABLE again (v)")["meta"]["changed_db"] is True  # into freed pages
    assert d1.run(db_name, "CREATE TABLE IF NOT EXISTS again (v)")["meta"]["changed_db"] is False


def test_a_column_count_checked_against_a_schema_changed_by_a_write(d1: D1Http, db_name: str) -> None:
    """Reads run on a connection that compiled against the old schema: a column count it would
    get wrong (which SQLite does not re-check by itself) is compiled again after the change."""
    d1.run(db_name, "CREATE TABLE t (a)")
    d1.run(db_name, "INSERT INTO t VALUES (1)")
    assert d1.run(db_name, "SELECT * FROM t")["success"]
    d1.run(db_name, "ALTER TABLE t ADD COLUMN b")
    union = d1.run(db_name, "SELECT * FROM t UNION ALL SELECT 3, 'three'")
    assert union["success"], union
    assert union["results"]["rows"] == [[1, None], [3, "three"]]
