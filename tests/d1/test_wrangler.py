"""`wrangler d1 ... --remote` against LumaDB through CLOUDFLARE_API_BASE_URL: list, info,
execute --command (and its error), execute --file (the import flow), export (the export flow)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import NODE_DIR, node_available
from tests.d1.conftest import ACCOUNT, D1Http
from tests.lumadb_server import LumaServer

pytestmark = pytest.mark.node
WRANGLER = NODE_DIR / "node_modules" / ".bin" / "wrangler"


def wrangler(server: LumaServer, cwd: Path, *args: str, account: bool = True) -> subprocess.CompletedProcess[str]:
    if not node_available() or not WRANGLER.exists():
        pytest.fail("wrangler is required in tests/node (npm install there)")
    env = {
        **os.environ,
        "CLOUDFLARE_API_BASE_URL": server.url + "/client/v4",
        "CLOUDFLARE_API_TOKEN": "local-token",
        "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
        "WRANGLER_SEND_METRICS": "false",
        "XDG_CONFIG_HOME": str(cwd / ".config"),
        "NO_COLOR": "1",
        "CI": "1",
    }
    if not account:
        del env["CLOUDFLARE_ACCOUNT_ID"]
    return subprocess.run([str(WRANGLER), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_wrangler_list_info_execute_export_and_import(server: LumaServer, d1: D1Http, db_name: str,
                                                      tmp_path: Path) -> None:
    d1.run(db_name, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('one')")

    listed = wrangler(server, tmp_path, "d1", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert db_name in [d["name"] for d in json.loads(listed.stdout)]

    info = wrangler(server, tmp_path, "d1", "info", db_name, "--json")
    assert info.returncode == 0, info.stderr + info.stdout
    described = json.loads(info.stdout)
    assert described["name"] == db_name and described["num_tables"] == 1 and described["read_queries_24h"] == 0

    executed = wrangler(server, tmp_path, "d1", "execute", db_name, "--remote", "--json",
                        "--command", "INSERT INTO t (v) VALUES ('two'); SELECT v FROM t ORDER BY id")
    assert executed.returncode == 0, executed.stderr
    results = json.loads(executed.stdout)
    assert [r["results"] for r in results] == [[], [{"v": "one"}, {"v": "two"}]]

    failed = wrangler(server, tmp_path, "d1", "execute", db_name, "--remote", "--command", "SELECT nope FROM t")
    assert failed.returncode != 0
    assert "no such column: nope at offset 7: SQLITE_ERROR [code: 7500]" in failed.stdout + failed.stderr

    sql_file = tmp_path / "seed.sql"
    sql_file.write_text("CREATE TABLE seeded (x);\nINSERT INTO seeded VALUES (1);\nINSERT INTO seeded VALUES (2);\n")
    imported = wrangler(server, tmp_path, "d1", "execute", db_name, "--remote", "--yes", "--file", str(sql_file))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "Executed 3 queries" in imported.stdout
    assert d1.run(db_name, "SELECT sum(x) FROM seeded")["results"]["rows"] == [[3]]

    out = tmp_path / "export.sql"
    exported = wrangler(server, tmp_path, "d1", "export", db_name, "--remote", "--output", str(out))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    assert out.read_text().splitlines() == [
        "PRAGMA defer_foreign_keys=TRUE;",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);",
        "INSERT INTO \"t\" VALUES(1,'one');",
        "INSERT INTO \"t\" VALUES(2,'two');",
        "CREATE TABLE seeded (x);",
        "INSERT INTO \"seeded\" VALUES(1);",
        "INSERT INTO \"seeded\" VALUES(2);",
    ]


def test_wrangler_finds_lumadbs_account_without_cloudflare_account_id(server: LumaServer, d1: D1Http, db_name: str,
                                                                      tmp_path: Path) -> None:
    d1.run(db_name, "SELECT 1")
    listed = wrangler(server, tmp_path, "d1", "list", "--json", account=False)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert db_name in [d["name"] for d in json.loads(listed.stdout)]
