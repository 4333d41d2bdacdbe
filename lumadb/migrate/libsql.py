"""Copy a libSQL database (Turso, sqld, or another LumaDB) into LumaDB.

The source's `GET /dump` (sqld's SQL dump: schema, rows, indexes, triggers, in one
transaction) is replayed on the target through Hrana: one stream, the dump's statements sent
in chunks as `sequence` requests, so the dump's own BEGIN ... COMMIT makes the copy all or
nothing. The target database must be empty; `--to-database` names (and if need be creates)
one other than the default. Row counts are compared table by table at the end.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

from lumadb.migrate.web import MigrationError, call, call_json, compare_counts, read_file
from lumadb.storage.sqlite import apsw

CHUNK_BYTES = 512 * 1024  # SQL per request: well under the server's body limit


def http_url(url: str) -> str:
    """A libSQL URL as the HTTP base its Hrana endpoints hang from."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme = {"libsql": "https", "wss": "https", "ws": "http"}.get(parts.scheme, parts.scheme)
    if scheme not in ("http", "https"):
        raise MigrationError(f"not a libSQL URL: {url}")
    return urllib.parse.urlunsplit((scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


class Hrana:
    """Hrana over HTTP (v2 pipeline) to one database; `namespace` sets sqld's x-namespace."""

    def __init__(self, url: str, token: str | None, namespace: str | None = None) -> None:
        self.base, self.token, self.namespace = http_url(url), token, namespace
        self.baton: str | None = None

    def pipeline(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = json.dumps({"baton": self.baton, "requests": requests}).encode()
        namespace = {"x-namespace": self.namespace} if self.namespace else None
        raw = call("POST", self.base + "/v2/pipeline", raw=body, token=self.token, headers=namespace)
        answer = json.loads(raw)
        self.baton = answer.get("baton")  # (a `base_url` hint is not needed: the URL keeps working)
        results: list[dict[str, Any]] = answer["results"]
        for result in results:
            if result["type"] == "error":
                raise MigrationError(f"{result['error'].get('code', 'error')}: {result['error']['message']}")
        return results

    def rows(self, sql: str) -> list[list[Any]]:
        """The rows of one statement, each value decoded to Python (integers from their text)."""
        self.baton = None
        result = self.pipeline([{"type": "execute", "stmt": {"sql": sql}}, {"type": "close"}])
        return [[_value(v) for v in row] for row in result[0]["response"]["result"]["rows"]]


def _value(value: dict[str, Any]) -> Any:
    kind = value["type"]
    if kind == "integer":
        return int(value["value"])
    return None if kind == "null" else value.get("value", value.get("base64"))


def statements(dump: str) -> Iterator[str]:
    """The dump's statements: lines gathered until one ends in `;` and SQLite agrees the
    statement is complete (a string value may hold `;` and line breaks). Not dump_load's
    reader, which copies sqld's and drops a line starting with `--` even inside a string: a
    copy keeps every line of a statement."""
    pending: list[str] = []
    for line in dump.splitlines(keepends=True):
        if not pending and (not line.strip() or line.startswith("--")):
            continue
        pending.append(line)
        if line.rstrip().endswith(";") and apsw.complete("".join(pending)):
            yield "".join(pending)
            pending = []
    if "".join(pending).strip():
        raise MigrationError("the dump ends inside a statement")


def chunks(sqls: Iterator[str], limit: int = CHUNK_BYTES) -> Iterator[str]:
    batch: list[str] = []
    size = 0
    for sql in sqls:
        if batch and size + len(sql) > limit:
            yield "".join(batch)
            batch, size = [], 0
        batch.append(sql)
        size += len(sql)
    if batch:
        yield "".join(batch)


def _ensure_database(target_url: str, token: str | None, name: str) -> None:
    """Create database `name` on the target (sqld's admin API) unless it exists."""
    probe = Hrana(target_url, token, name)
    try:
        probe.rows("SELECT 1")
        return
    except MigrationError as exc:
        if exc.status != 404:
            raise
    call_json("POST", f"{http_url(target_url)}/v1/namespaces/{urllib.parse.quote(name)}/create", {}, token)


def user_tables(db: Hrana) -> list[str]:
    return [row[0] for row in db.rows(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "AND name NOT LIKE '\\_litestream%' ESCAPE '\\' ORDER BY name")]


def migrate(source_url: str | None, source_token: str | None, target_url: str, target_token: str | None,
            target_database: str | None = None, say: Callable[[str], None] = print,
            dump_file: str | None = None) -> dict[str, int]:
    """Copy the source database, or a SQL dump file (`sqlite3 .dump`, `turso db shell .dump`),
    into the (empty) target; the row count of every table."""
    if target_database:
        _ensure_database(target_url, target_token, target_database)
    target = Hrana(target_url, target_token, target_database)
    existing = user_tables(target)
    if existing:
        raise MigrationError(f"the target database is not empty (it has table {existing[0]!r}): "
                             "copy into a new database (--to-database NAME)")
    source = Hrana(source_url, source_token) if source_url else None
    if source is not None:
        origin = source.base + "/dump"
        dump = call("GET", origin, token=source_token).decode("utf-8")
    else:
        assert dump_file is not None
        origin = dump_file
        try:
            dump = read_file(dump_file).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MigrationError(f"cannot read {dump_file}: {exc}") from None
    target.baton = None
    sent = 0
    try:
        for chunk in chunks(statements(dump)):
            target.pipeline([{"type": "sequence", "sql": chunk}])
            sent += len(chunk)
    finally:
        if target.baton is not None:
            target.pipeline([{"type": "close"}])
    say(f"replayed {sent:,} bytes of SQL from {origin}")

    def counter(db: Hrana) -> Callable[[str], int]:
        return lambda quoted: int(db.rows(f"SELECT count(*) FROM {quoted}")[0][0])

    return compare_counts(user_tables(source or target), counter(source) if source else None, counter(target), say)
