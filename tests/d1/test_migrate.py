"""`lumadb migrate d1`: a D1 database copied through the REST API's export and import, then
read back on both sides with the `cloudflare` Python SDK. The source is a second LumaDB: no
other implementation of D1's REST export runs here (Miniflare serves the binding only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from cloudflare import Cloudflare

from tests.conftest import NODE_DIR
from tests.d1.conftest import ACCOUNT
from tests.lumadb_server import LumaServer

SCHEMA = """
CREATE TABLE author (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE);
CREATE TABLE post (id INTEGER PRIMARY KEY, author INTEGER REFERENCES author(id) ON DELETE CASCADE,
                   title TEXT, body TEXT, data BLOB, score REAL);
CREATE INDEX post_author ON post (author);
CREATE VIEW post_count AS SELECT author, count(*) AS n FROM post GROUP BY author;
CREATE TRIGGER post_title AFTER INSERT ON post WHEN new.title IS NULL
  BEGIN UPDATE post SET title = 'untitled' WHERE id = new.id; END;
"""
ROWS = 1500
WRANGLER = NODE_DIR / "node_modules" / ".bin" / "wrangler"


def _sdk(server: LumaServer) -> Cloudflare:
    return Cloudflare(api_token="token", base_url=f"{server.url}/client/v4", max_retries=0)


def _fill(cf: Cloudflare, name: str) -> str:
    db = cf.d1.database.create(account_id=ACCOUNT, name=name)
    cf.d1.database.query(db.uuid, account_id=ACCOUNT, sql=SCHEMA)
    cf.d1.database.query(db.uuid, account_id=ACCOUNT, sql="INSERT INTO author (name) VALUES (?), (?)",
                         params=["ann 'quoted'\nline;", "bob"])
    body = "b" * 200
    for start in range(0, ROWS, 250):  # D1 takes statements of up to 100 KB
        values = ", ".join(f"({i}, {1 + i % 2}, {'NULL' if i % 5 == 0 else repr(f't{i} é')}, '{body};{i}\n', "
                           f"x'{i % 256:02x}00ff', {i / 7})" for i in range(start, start + 250))
        cf.d1.database.query(db.uuid, account_id=ACCOUNT, sql=f"INSERT INTO post VALUES {values}")
    return db.uuid


def _read(cf: Cloudflare, database: str) -> dict[str, Any]:
    def rows(sql: str) -> list[dict[str, Any]]:
        return list(cf.d1.database.query(database, account_id=ACCOUNT, sql=sql))[0].results

    return {
        "schema": rows("SELECT type, name, tbl_name, sql FROM sqlite_master "
                       "WHERE name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%' ORDER BY name"),
        "author": rows("SELECT * FROM author ORDER BY id"),
        "post": rows("SELECT id, author, title, body, hex(data) AS data, score FROM post ORDER BY id"),
        "post_count": rows("SELECT * FROM post_count ORDER BY author"),
    }


def _migrate(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    return subprocess.run([sys.executable, "-m", "lumadb.cli", "migrate", "d1", "--account-id", ACCOUNT, *args],
                          capture_output=True, text=True, timeout=300, env=env)


def test_a_database_copies_by_name_and_reads_the_same(start_server: Any) -> None:
    source, target = start_server(), start_server()
    source_id = _fill(_sdk(source), "blog")
    done = _migrate("--from-api", f"{source.url}/client/v4", "--database", "blog", "--to", f"{target.url}/client/v4")
    assert done.returncode == 0, done.stderr
    assert "post: 1,500 rows" in done.stdout and "author: 2 rows" in done.stdout
    copied = _sdk(target).d1.database.get("blog", account_id=ACCOUNT)
    assert copied.name == "blog" and copied.uuid != source_id
    original, copy = _read(_sdk(source), source_id), _read(_sdk(target), copied.uuid)
    assert copy == original
    assert len(copy["post"]) == ROWS and copy["post"][5]["title"] == "untitled"

    again = _migrate("--from-api", f"{source.url}/client/v4", "--database", source_id, "--to", f"{target.url}/client/v4")
    assert again.returncode == 1
    assert again.stderr == ("lumadb migrate: LumaDB already has a D1 database named 'blog': "
                            "choose another (--to-name)\n")
    renamed = _migrate("--from-api", f"{source.url}/client/v4", "--database", source_id,
                       "--to", f"{target.url}/client/v4", "--to-name", "blog-2")
    assert renamed.returncode == 0, renamed.stderr
    assert _read(_sdk(target), _sdk(target).d1.database.get("blog-2", account_id=ACCOUNT).uuid) == original


def test_an_unknown_database_is_reported(start_server: Any) -> None:
    server = start_server()
    done = _migrate("--from-api", f"{server.url}/client/v4", "--database", "nope", "--to", f"{server.url}/client/v4")
    assert done.returncode == 1
    assert done.stderr.startswith("lumadb migrate: no D1 database named 'nope' in ")


def test_a_local_d1_exported_by_wrangler(tmp_path: Path, start_server: Any) -> None:
    """Local development data (wrangler's Miniflare state) moves in from its export file."""
    (tmp_path / "wrangler.toml").write_text(
        'name = "app"\nmain = "index.js"\ncompatibility_date = "2025-01-01"\n'
        '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "shop"\ndatabase_id = "00000000-0000-0000-0000-000000000000"\n')
    (tmp_path / "index.js").write_text('export default { fetch() { return new Response("x") } }\n')
    (tmp_path / "seed.sql").write_text(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, price REAL, img BLOB);\n"
        "INSERT INTO item VALUES (1, 'a''s\ntwo lines', 1.5, x'00ff'), (2, 'b', NULL, NULL);\n"
        "CREATE INDEX item_name ON item (name);\n")
    env = {**os.environ, "WRANGLER_SEND_METRICS": "false", "XDG_CONFIG_HOME": str(tmp_path / ".config"),
           "NO_COLOR": "1", "CI": "1"}
    for args in (["execute", "shop", "--local", "--file", "seed.sql"],
                 ["export", "shop", "--local", "--output", "shop.sql"]):
        ran = subprocess.run([str(WRANGLER), "d1", *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=120)
        assert ran.returncode == 0, ran.stdout + ran.stderr
    server = start_server()
    done = _migrate("--from-file", str(tmp_path / "shop.sql"), "--to-name", "shop", "--to", f"{server.url}/client/v4")
    assert done.returncode == 0, done.stderr
    assert "item: 2 rows" in done.stdout
    copied = _sdk(server).d1.database.get("shop", account_id=ACCOUNT)
    rows = list(_sdk(server).d1.database.query(copied.uuid, account_id=ACCOUNT,
                                               sql="SELECT id, name, price, hex(img) AS img FROM item ORDER BY id"))
    assert rows[0].results == [{"id": 1, "name": "a's\ntwo lines", "price": 1.5, "img": "00FF"},
                               {"id": 2, "name": "b", "price": None, "img": ""}]
    unnamed = _migrate("--from-file", str(tmp_path / "shop.sql"), "--to", f"{server.url}/client/v4")
    assert unnamed.returncode == 1 and unnamed.stderr == "lumadb migrate: name the new database (--to-name)\n"
