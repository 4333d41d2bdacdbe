"""Reads and writes after a schema change made by an earlier request: each request sees the
schema as it is now (a reader connection prepares statements with the schema it last loaded)."""

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
