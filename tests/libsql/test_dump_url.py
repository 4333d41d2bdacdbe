"""`POST /v1/namespaces/:ns/create` with a `dump_url`: the dump is fetched over HTTP and loaded
as sqld 0.24.32 loads it (texts observed against it), with the kept differences listed in
docs/compatibility.md (no `file` URLs, HTTP errors refused, 400 where sqld answers 500, no
database left behind by a failed load)."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.libsql.conftest import call, execute, integer, ok_result, pipeline
from tests.lumadb_server import LumaServer

DUMPS = {
    "no-transaction.sql": "CREATE TABLE a (x);\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\n",
    "two-statements.sql": "CREATE TABLE a (x);\nINSERT INTO a VALUES (1);\n",
    "no-commit.sql": "BEGIN TRANSACTION;\nCREATE TABLE a (x);\nINSERT INTO a VALUES (1);\n",
    "syntax.sql": "BEGIN TRANSACTION;\nCREATE TABLE a (x);\nINSERT INTO a VALUES (1;\nCOMMIT;\n",
    "unique.sql": "BEGIN TRANSACTION;\nCREATE TABLE a (x UNIQUE);\nINSERT INTO a VALUES (1);\n"
                  "INSERT INTO a VALUES (1);\nCOMMIT;\n",
    "comments.sql": "-- a comment\nBEGIN TRANSACTION;\n\nCREATE TABLE a (x, -- inline\n y);\n"
                    "INSERT INTO a VALUES (1, 'semi;\n');\nCOMMIT;\n",
    "attach.sql": "BEGIN TRANSACTION;\nATTACH DATABASE '/tmp/lumadb-dump-attach.db' AS other;\nCOMMIT;\n",
}


@dataclass
class DumpServer:
    url: str  # http://127.0.0.1:PORT
    root: Path  # the directory it serves


@pytest.fixture(scope="module")
def dumps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DumpServer]:
    """A static HTTP server for dump files."""
    root = tmp_path_factory.mktemp("dumps")
    for name, text in DUMPS.items():
        (root / name).write_text(text)
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield DumpServer(f"http://127.0.0.1:{httpd.server_address[1]}", root)
    finally:
        httpd.shutdown()
        httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def create(server: LumaServer, name: str, body: object) -> tuple[int, object]:
    reply = call(server.url, "POST", f"/v1/namespaces/{name}/create", body)
    return reply.status, (reply.json if reply.body else None)


def rows(server: LumaServer, name: str, sql: str) -> list:
    reply = pipeline(server.url, [execute(sql), {"type": "close"}], headers={"x-namespace": name})
    return ok_result(reply.json["results"][0])["rows"]


def test_a_database_is_created_from_a_lumadb_dump(server: LumaServer, unique_name: str, dumps: DumpServer) -> None:
    source = {"x-namespace": f"{unique_name}src"}
    assert create(server, f"{unique_name}src", {}) == (200, None)
    pipeline(server.url, [execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"),
                          execute("INSERT INTO t VALUES (1, 'a;b'), (2, NULL)"), execute("CREATE INDEX ti ON t (v)"),
                          {"type": "close"}], headers=source)
    dump = call(server.url, "GET", "/dump", headers=source).body
    (dumps.root / f"{unique_name}.sql").write_bytes(dump)
    assert create(server, unique_name, {"dump_url": f"{dumps.url}/{unique_name}.sql"}) == (200, None)
    assert rows(server, unique_name, "SELECT id, v FROM t ORDER BY id") == [
        [integer(1), {"type": "text", "value": "a;b"}], [integer(2), {"type": "null"}]]
    assert rows(server, unique_name, "SELECT name FROM sqlite_schema WHERE type = 'index'") == [
        [{"type": "text", "value": "ti"}]]


def test_comments_blank_lines_and_two_statements_without_a_transaction(server: LumaServer, unique_name: str,
                                                                        dumps: DumpServer) -> None:
    assert create(server, unique_name, {"dump_url": f"{dumps.url}/comments.sql"}) == (200, None)
    assert rows(server, unique_name, "SELECT x, y FROM a") == [[integer(1), {"type": "text", "value": "semi;\n"}]]
    assert create(server, f"{unique_name}b", {"dump_url": f"{dumps.url}/two-statements.sql"}) == (200, None)
    assert rows(server, f"{unique_name}b", "SELECT x FROM a") == [[integer(1)]]


@pytest.mark.parametrize(("dump", "error"), [
    ("no-transaction.sql", "A dump should execute within a transaction."),
    ("no-commit.sql", "The dump should commit the transaction."),
    ("syntax.sql", 'The passed dump sql is invalid: msg: near ";": syntax error, sql: INSERT INTO a VALUES (1;\n, '
                   "offset: 23"),
    ("unique.sql", "Internal error: line: 4, error: UNIQUE constraint failed: a.x"),  # sqld: 500
    ("attach.sql", "Internal error: line: 2, error: not authorized"),  # sqld: 500
    ("missing.sql", "Internal error: failed to fetch the dump: HTTP status 404 File not found"),  # sqld loads the page
])
def test_refused_dumps_leave_no_database(server: LumaServer, unique_name: str, dumps: DumpServer, dump: str,
                                         error: str) -> None:
    assert create(server, unique_name, {"dump_url": f"{dumps.url}/{dump}"}) == (400, {"error": error})
    assert create(server, unique_name, {}) == (200, None)  # nothing was left behind
    assert rows(server, unique_name, "SELECT count(*) FROM sqlite_schema") == [[integer(0)]]


@pytest.mark.parametrize(("dump_url", "status", "error"), [
    ("ftp://x/dump", 400, "Unsupported dump url scheme `ftp`, supported schemes are: `http`, `file`"),
    ("file:///etc/passwd", 400, "Loading a dump from a `file` URL is not supported by LumaDB: serve the dump over http(s)"),
    ("not a url", 422, 'Failed to deserialize the JSON body into the target type: dump_url: invalid value: string '
                       '"not a url", expected relative URL without a base'),
    ("", 422, 'Failed to deserialize the JSON body into the target type: dump_url: invalid value: string "", '
              "expected relative URL without a base"),
    (5, 422, "Failed to deserialize the JSON body into the target type: dump_url: invalid type: integer `5`, "
             "expected a string representing an URL"),
])
def test_urls_that_cannot_be_fetched(server: LumaServer, unique_name: str, dump_url: object, status: int,
                                     error: str) -> None:
    assert create(server, unique_name, {"dump_url": dump_url}) == (status, {"error": error})
    assert create(server, unique_name, {"dump_url": None}) == (200, None)  # null: an empty database


def test_unreachable_dump_is_a_client_error(server: LumaServer, unique_name: str) -> None:
    status, body = create(server, unique_name, {"dump_url": "http://127.0.0.1:1/dump.sql"})
    assert status == 400 and isinstance(body, dict)
    assert body["error"].startswith("Internal error: error trying to connect: "), body  # sqld: 500


def test_an_existing_database_is_not_overwritten(server: LumaServer, unique_name: str, dumps: DumpServer) -> None:
    assert create(server, unique_name, {}) == (200, None)
    reply = create(server, unique_name, {"dump_url": f"{dumps.url}/two-statements.sql"})
    assert reply == (400, {"error": f"Namespace `{unique_name}` already exists"})
    assert rows(server, unique_name, "SELECT count(*) FROM sqlite_schema") == [[integer(0)]]
