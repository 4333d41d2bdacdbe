"""Copy a Cloudflare D1 database into LumaDB through both sides' D1 REST API.

The source exports its SQL (`/export`, polled until complete, then its signed URL); LumaDB
creates a database of the same name and imports the file the way wrangler does (`/import`:
init, upload, ingest, poll). Row counts are compared table by table at the end.
"""

from __future__ import annotations

import hashlib
import re
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from lumadb.migrate.web import MigrationError, call, call_json, compare_counts, read_file

CLOUDFLARE_API = "https://api.cloudflare.com/client/v4"
POLL_SECONDS = 1.0
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


class D1Api:
    """The D1 part of a Cloudflare-style REST API, for one account."""

    def __init__(self, base: str, account: str, token: str | None) -> None:
        self.base = f"{base.rstrip('/')}/accounts/{urllib.parse.quote(account)}/d1/database"
        self.token = token

    def result(self, method: str, path: str = "", body: Any = None) -> Any:
        answer = call_json(method, self.base + path, body, self.token)
        if not answer.get("success"):
            errors = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in answer.get("errors") or [])
            raise MigrationError(f"{method} {self.base + path}: {errors or answer}")
        return answer["result"]

    def find(self, database: str) -> dict[str, Any]:
        """A database by id, or by name (the API lists databases by name)."""
        if _UUID.match(database):
            return dict(self.result("GET", f"/{database}"))
        for listed in self.result("GET", "?" + urllib.parse.urlencode({"name": database, "per_page": 100})):
            if listed["name"] == database:
                return dict(listed)
        raise MigrationError(f"no D1 database named {database!r} in {self.base}")

    def query(self, database_id: str, sql: str) -> list[dict[str, Any]]:
        return list(self.result("POST", f"/{database_id}/query", {"sql": sql})[0]["results"])


def export_sql(api: D1Api, database_id: str, say: Callable[[str], None]) -> bytes:
    """The database's SQL, as `wrangler d1 export` gets it."""
    body: dict[str, Any] = {"output_format": "polling"}
    while True:
        state = api.result("POST", f"/{database_id}/export", body)
        if state.get("status") == "complete":
            return call("GET", state["result"]["signed_url"])
        if state.get("status") == "error" or state.get("error"):
            raise MigrationError(f"export failed: {state.get('error') or state}")
        for message in state.get("messages") or []:
            say(message)
        body = {"output_format": "polling", "current_bookmark": state["at_bookmark"]}
        time.sleep(POLL_SECONDS)


def import_sql(api: D1Api, database_id: str, sql: bytes) -> dict[str, Any]:
    """Run a SQL file on the database, as `wrangler d1 execute --file` does."""
    etag = hashlib.md5(sql).hexdigest()
    init = api.result("POST", f"/{database_id}/import", {"action": "init", "etag": etag})
    if init.get("upload_url"):
        call("PUT", init["upload_url"], raw=sql, content_type="application/sql")
    state = api.result("POST", f"/{database_id}/import",
                       {"action": "ingest", "etag": etag, "filename": init["filename"]})
    while state.get("status") not in ("complete", "error"):
        time.sleep(POLL_SECONDS)
        state = api.result("POST", f"/{database_id}/import",
                           {"action": "poll", "current_bookmark": state["at_bookmark"]})
    if state["status"] == "error" or not state.get("success", True):
        raise MigrationError(f"import failed: {state.get('error') or state}")
    return dict(state)


def user_tables(api: D1Api, database_id: str) -> list[str]:
    rows = api.query(database_id, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
                                  "ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name")
    return [row["name"] for row in rows]


def migrate(source: D1Api | None, database: str | None, target: D1Api, target_name: str | None = None,
            say: Callable[[str], None] = print, sql_file: str | None = None) -> dict[str, int]:
    """Copy `database` (an id or a name), or a SQL file (`wrangler d1 export`), into a new
    LumaDB database; rows per table."""
    found = source.find(database) if source is not None and database else None
    name = target_name or (found["name"] if found else None)
    if not name:
        raise MigrationError("name the new database (--to-name)")
    try:
        target.find(name)
    except MigrationError:
        pass
    else:
        raise MigrationError(f"LumaDB already has a D1 database named {name!r}: choose another (--to-name)")
    if source is not None and found is not None:
        sql = export_sql(source, found["uuid"], say)
        say(f"exported {len(sql):,} bytes of SQL from {found['name']}")
    else:
        assert sql_file is not None
        sql = read_file(sql_file)
    created = target.result("POST", "", {"name": name})
    try:
        done = import_sql(target, created["uuid"], sql)
    except MigrationError:
        target.result("DELETE", f"/{created['uuid']}")  # no half-copied database left behind
        raise
    say(f"imported {done.get('result', {}).get('num_queries', '?')} statements into {name} ({created['uuid']})")

    def counter(api: D1Api, database_id: str) -> Callable[[str], int]:
        return lambda quoted: int(api.query(database_id, f"SELECT count(*) AS n FROM {quoted}")[0]["n"])

    if source is not None and found is not None:
        return compare_counts(user_tables(source, found["uuid"]), counter(source, found["uuid"]),
                              counter(target, created["uuid"]), say)
    return compare_counts(user_tables(target, created["uuid"]), None, counter(target, created["uuid"]), say)
