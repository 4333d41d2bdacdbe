"""Several libSQL databases: chosen by header or host, created and deleted through sqld's
admin endpoints or `lumadb db`, unknown ones answered with 404 unless auto-create is on."""

from __future__ import annotations

import subprocess
import sys

from tests.libsql.conftest import call, execute, integer, ok_result, pipeline, results
from tests.lumadb_server import ROOT, LumaServer


def count_rows(base: str, table: str, headers: dict[str, str]) -> object:
    reply = pipeline(base, [execute(f"SELECT count(*) FROM {table}"), {"type": "close"}], headers=headers)
    result = reply.json["results"][0]
    return ok_result(result)["rows"][0][0] if result["type"] == "ok" else result["error"]["message"]


def test_databases_are_separate(server: LumaServer, unique_name: str) -> None:
    created = call(server.url, "POST", f"/v1/namespaces/{unique_name}/create", {})
    assert (created.status, created.body) == (200, b"")
    again = call(server.url, "POST", f"/turso/v1/namespaces/{unique_name}/create", {})
    assert (again.status, again.json) == (400, {"error": f"Namespace `{unique_name}` already exists"})
    ns = {"x-namespace": unique_name}
    pipeline(server.url, [execute("CREATE TABLE t (v)"), execute("INSERT INTO t VALUES (1)"), {"type": "close"}], headers=ns)
    assert count_rows(server.url, "t", ns) == integer(1)
    assert count_rows(server.url, "t", {"host": f"{unique_name}.localhost"}) == integer(1)
    assert count_rows(server.url, "t", {"host": f"{unique_name}.localhost:8000"}) == integer(1)
    assert count_rows(server.url, "t", {}) != integer(1)  # default does not have it
    deleted = call(server.url, "DELETE", f"/v1/namespaces/{unique_name}")
    assert deleted.status == 200
    gone = pipeline(server.url, [execute("SELECT 1")], headers=ns)
    assert (gone.status, gone.json) == (404, {"error": f"Namespace `{unique_name}` doesn't exist"})
    again = call(server.url, "DELETE", f"/v1/namespaces/{unique_name}")
    assert (again.status, again.json) == (404, {"error": f"Namespace `{unique_name}` doesn't exist"})


def test_unknown_and_invalid_names(server: LumaServer) -> None:
    for headers in ({"x-namespace": "nope-never-made"}, {"host": "nope-never-made.localhost"}):
        reply = pipeline(server.url, [execute("SELECT 1")], headers=headers)
        assert (reply.status, reply.json) == (404, {"error": "Namespace `nope-never-made` doesn't exist"})
    bad = pipeline(server.url, [execute("SELECT 1")], headers={"x-namespace": "../etc"})
    assert bad.status == 400 and bad.json["error"].startswith("Invalid namespace `../etc`")
    # IP literals and unknown subdomains of other hosts select the default database
    assert pipeline(server.url, [execute("SELECT 1"), {"type": "close"}], headers={"host": "127.0.0.1:9"}).status == 200
    assert pipeline(server.url, [execute("SELECT 1"), {"type": "close"}], headers={"host": "db.example.com"}).status == 200


def test_auto_create(start_server, unique_name: str) -> None:
    srv = start_server("--libsql-auto-create")
    reply = pipeline(srv.url, [execute("CREATE TABLE t (v)"), {"type": "close"}], headers={"x-namespace": unique_name})
    assert reply.status == 200
    assert (srv.data_dir / "libsql" / f"{unique_name}.sqlite").exists()


def test_db_command(tmp_path) -> None:
    def lumadb(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "lumadb.cli", "db", *args, "--data-dir", str(tmp_path)],
                              cwd=ROOT, capture_output=True, text=True)

    assert lumadb("create", "alpha").returncode == 0
    assert lumadb("create", "beta").returncode == 0
    assert lumadb("create", "alpha").returncode == 1
    assert lumadb("list").stdout.split() == ["alpha", "beta"]
    assert lumadb("delete", "alpha").returncode == 0
    assert lumadb("delete", "alpha").returncode == 1
    assert lumadb("create", "../x").returncode == 2
    assert lumadb("list").stdout.split() == ["beta"]
    srv = LumaServer(data_dir=tmp_path).start()
    try:
        reply = pipeline(srv.url, [execute("SELECT 1"), {"type": "close"}], headers={"x-namespace": "beta"})
        assert reply.status == 200
    finally:
        srv.stop()


def test_db_delete_refuses_while_a_server_serves_the_directory(tmp_path) -> None:
    """Deleted under a running server, a database went on taking writes into the deleted file,
    and its next request made it again, empty: the server's admin API deletes it then."""
    def lumadb(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "lumadb.cli", "db", *args, "--data-dir", str(tmp_path)],
                              cwd=ROOT, capture_output=True, text=True)

    def run(url: str, sql: str) -> dict:
        reply = pipeline(url, [execute(sql), {"type": "close"}], headers={"x-namespace": "alpha"})
        assert reply.status == 200, reply.body
        return results(reply)[0]

    assert lumadb("create", "alpha").returncode == 0
    srv = LumaServer(data_dir=tmp_path).start()
    try:
        assert run(srv.url, "CREATE TABLE t (v)")["type"] == "ok"
        refused = lumadb("delete", "alpha")
        assert refused.returncode == 1
        assert "a server is running" in refused.stderr and "DELETE /turso/v1/namespaces/alpha" in refused.stderr
        assert lumadb("list").stdout.split() == ["alpha"]
        assert run(srv.url, "INSERT INTO t VALUES (1)")["type"] == "ok"
    finally:
        srv.stop()
    srv = LumaServer(data_dir=tmp_path).start()
    try:
        assert run(srv.url, "SELECT count(*) FROM t")["response"]["result"]["rows"] == [[{"type": "integer", "value": "1"}]]
    finally:
        srv.stop()
    assert lumadb("delete", "alpha").returncode == 0  # no server now
    assert lumadb("list").stdout.split() == []
