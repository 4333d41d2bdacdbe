"""The Python clients against a real LumaDB server: libsql-client (pure Python, Hrana v1
over aiohttp) and libsql-experimental (the Rust libsql core: v3 pipeline + cursor)."""

from __future__ import annotations

import asyncio

import libsql
import libsql_client
import libsql_experimental
import pytest

from tests.lumadb_server import LumaServer


def test_libsql_client_v1(server: LumaServer, url_shape: str, unique_name: str) -> None:
    async def scenario() -> dict:
        out: dict = {}
        async with libsql_client.create_client(server.url + url_shape) as client:
            await client.execute(f"CREATE TABLE {unique_name} (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, n)")
            rs = await client.execute(
                f"INSERT INTO {unique_name} (i, r, t, b, n) VALUES (?, ?, ?, ?, ?)",
                [9223372036854775807, 1.5, "héllo", b"\x00\x01\xff", None],
            )
            out["insert"] = (rs.rows_affected, rs.last_insert_rowid)
            rs = await client.execute(f"SELECT i, r, t, b, n FROM {unique_name}")
            out["columns"] = rs.columns
            out["rows"] = [tuple(row) for row in rs.rows]
            named = await client.execute("SELECT :a AS a, $b AS b", {"a": -9223372036854775808, "b": "x"})
            out["named"] = [tuple(row) for row in named.rows]
            batch = await client.batch([
                f"INSERT INTO {unique_name} (i) VALUES (2)",
                libsql_client.Statement(f"SELECT count(*) FROM {unique_name} WHERE i = ?", [2]),
            ])
            out["batch"] = [[tuple(row) for row in rs.rows] for rs in batch]
            for sql in ("SELEC 1", "SELECT * FROM no_such_table_here"):
                try:
                    await client.execute(sql)
                except libsql_client.LibsqlError as exc:
                    out.setdefault("errors", []).append(exc.code)
            try:
                await client.batch([f"INSERT INTO {unique_name} (id) VALUES (1)"])
            except libsql_client.LibsqlError as exc:
                out["batch_error"] = exc.code
        return out

    out = asyncio.run(scenario())
    assert out["insert"] == (1, 1)
    assert out["columns"] == ("i", "r", "t", "b", "n")
    assert out["rows"] == [(9223372036854775807, 1.5, "héllo", b"\x00\x01\xff", None)]
    assert out["named"] == [(-9223372036854775808, "x")]
    assert out["batch"] == [[], [(1,)]]
    assert out["errors"] == ["SQL_PARSE_ERROR", "SQLITE_ERROR"]
    assert out["batch_error"] == "SQLITE_CONSTRAINT"


# `libsql` and `libsql-experimental` are the same Rust core under two package names.
RUST_CLIENTS = {"libsql-experimental": libsql_experimental, "libsql": libsql}


@pytest.fixture(params=sorted(RUST_CLIENTS))
def rust_client(request: pytest.FixtureRequest):
    return RUST_CLIENTS[request.param]


@pytest.fixture
def experimental(server: LumaServer, url_shape: str, rust_client):
    conn = rust_client.connect(database=server.url + url_shape, auth_token="")
    yield conn
    conn.close()


def test_libsql_experimental_execute_and_fetch_every_type(experimental, unique_name: str) -> None:
    conn = experimental
    conn.execute(f"CREATE TABLE {unique_name} (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, n)")
    conn.execute(f"INSERT INTO {unique_name} (i, r, t, b, n) VALUES (?, ?, ?, ?, ?)", (42, 2.5, "héllo", b"\x01\x02", None))
    conn.execute(f"INSERT INTO {unique_name} (i) VALUES (9223372036854775807), (-9223372036854775808)")
    conn.commit()
    cursor = conn.execute(f"SELECT i, r, t, b, n FROM {unique_name} ORDER BY id")
    assert [d[0] for d in cursor.description] == ["i", "r", "t", "b", "n"]
    assert cursor.fetchall() == [
        (42, 2.5, "héllo", b"\x01\x02", None),
        (9223372036854775807, None, None, None, None),
        (-9223372036854775808, None, None, None, None),
    ]
    assert conn.execute("SELECT ? + 1, ? || 'b'", (1, "a")).fetchall() == [(2, "ab")]


def test_libsql_experimental_executemany_and_executescript(experimental, unique_name: str) -> None:
    conn = experimental
    conn.executescript(
        f"CREATE TABLE {unique_name} (v INTEGER); INSERT INTO {unique_name} VALUES (1); INSERT INTO {unique_name} VALUES (2);"
    )
    conn.executemany(f"INSERT INTO {unique_name} VALUES (?)", [(3,), (4,), (5,)])
    conn.commit()
    assert conn.execute(f"SELECT sum(v), count(*) FROM {unique_name}").fetchall() == [(15, 5)]


def test_libsql_experimental_dbapi_transactions(experimental, rust_client, server: LumaServer, unique_name: str) -> None:
    conn = experimental
    conn.execute(f"CREATE TABLE {unique_name} (v)")
    conn.commit()
    conn.execute(f"INSERT INTO {unique_name} VALUES (1)")
    assert conn.in_transaction
    other = rust_client.connect(database=server.url, auth_token="")
    assert other.execute(f"SELECT count(*) FROM {unique_name}").fetchall() == [(0,)]
    conn.commit()
    assert other.execute(f"SELECT count(*) FROM {unique_name}").fetchall() == [(1,)]
    conn.execute(f"INSERT INTO {unique_name} VALUES (2)")
    conn.rollback()
    assert conn.execute(f"SELECT count(*) FROM {unique_name}").fetchall() == [(1,)]
    other.close()


def test_libsql_experimental_errors(experimental) -> None:
    with pytest.raises(Exception, match="syntax error"):
        experimental.execute("SELEC 1")
    with pytest.raises(Exception, match="no such table"):
        experimental.execute("SELECT * FROM no_such_table_here")
