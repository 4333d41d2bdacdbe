"""sqld's legacy `{"statements": [...]}` API and `GET /dump`."""

from __future__ import annotations

from tests.libsql.conftest import call, execute, pipeline
from tests.lumadb_server import LumaServer


def test_legacy_statements(server: LumaServer, unique_name: str) -> None:
    body = {"statements": [
        f"CREATE TABLE {unique_name} (a, b)",
        {"q": f"INSERT INTO {unique_name} VALUES (?, ?)", "params": [1, {"base64": "AQI"}]},
        {"q": f"INSERT INTO {unique_name} VALUES (:a, :b)", "params": {"a": 2.5, ":b": "x"}},
        f"SELECT a, b FROM {unique_name} ORDER BY rowid",
        "SELECT * FROM no_such_table_here",
        "SELECT 1",
    ]}
    for path in ("/turso", "/turso/", "/"):
        reply = call(server.url, "POST", path, body if path == "/turso" else {"statements": body["statements"][3:]})
        assert reply.status == 200, reply.text
    out = call(server.url, "POST", "/turso", {"statements": body["statements"][3:]}).json
    assert out[0]["results"]["columns"] == ["a", "b"]
    assert out[0]["results"]["rows"] == [[1, {"base64": "AQI"}], [2.5, "x"]]
    assert out[1:] == [{"error": "no such table: no_such_table_here"}, None]
    # a prepare error with an offset names the statement and the offset, as rusqlite words it for sqld
    column = call(server.url, "POST", "/turso", {"statements": [f"SELECT nope FROM {unique_name}"]}).json
    assert column == [{"error": f"no such column: nope in SELECT nope FROM {unique_name} at offset 7"}]
    unbound = call(server.url, "POST", "/turso", {"statements": ["SELECT ?"]}).json
    assert unbound == [{"error": "LibSQL failed to bind provided query parameters: `value for parameter 1 not found`"}]


def test_legacy_refusals(server: LumaServer) -> None:
    tx = call(server.url, "POST", "/turso", {"statements": ["BEGIN"]})
    assert (tx.status, tx.json) == (400, {"error": "Query error: `interactive transaction not allowed in HTTP queries`"})
    many = call(server.url, "POST", "/turso", {"statements": ["SELECT 1; SELECT 2"]})
    assert many.status == 400 and many.json["error"].startswith("Failed to parse query: `found more than one command")
    missing = call(server.url, "POST", "/turso", {"nope": 1})
    assert (missing.status, missing.text) == (422, "Failed to deserialize the JSON body into the target type: missing field `statements`")
    garbage = call(server.url, "POST", "/turso", b"garbage")
    assert garbage.status == 400 and garbage.text.startswith("Failed to parse the request body as JSON: ")


def test_dump(server: LumaServer, unique_name: str) -> None:
    ns = {"x-namespace": unique_name}
    call(server.url, "POST", f"/v1/namespaces/{unique_name}/create", {})
    pipeline(server.url, [
        execute('CREATE TABLE "odd name" (id INTEGER PRIMARY KEY, v TEXT, b BLOB, r REAL)'),
        execute("""INSERT INTO "odd name" (v, b, r) VALUES ('it''s', x'0102', 1.5), (NULL, NULL, NULL)"""),
        execute('CREATE INDEX odd_v ON "odd name" (v)'),
        {"type": "close"},
    ], headers=ns)
    reply = call(server.url, "GET", "/dump", headers=ns)
    assert reply.status == 200
    assert reply.text == (
        "PRAGMA foreign_keys=OFF;\n"
        "BEGIN TRANSACTION;\n"
        'CREATE TABLE IF NOT EXISTS "odd name" (id INTEGER PRIMARY KEY, v TEXT, b BLOB, r REAL);\n'
        """INSERT INTO "odd name" VALUES(1,'it''s',X'0102',1.5);\n"""
        'INSERT INTO "odd name" VALUES(2,NULL,NULL,NULL);\n'
        'CREATE INDEX odd_v ON "odd name" (v);\n'
        "COMMIT;\n"
    )
    preserved = call(server.url, "GET", "/turso/dump?preserve_row_ids=true", headers=ns).text
    assert """INSERT INTO "odd name"(rowid,id,v,b,r) VALUES(1,1,'it''s',X'0102',1.5);""" in preserved
