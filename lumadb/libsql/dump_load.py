"""A new database from a SQL dump at a URL (`dump_url` of `POST /v1/namespaces/:ns/create`),
read the way sqld 0.24 reads it: line by line, blank and `--` lines skipped, a statement ends
on a line ending in `;` where SQLite agrees it is complete; from the third statement on the
dump must run inside its transaction, and it must commit. Error texts are sqld's.

Kept differences (docs/compatibility.md): `http`/`https` URLs only (a `file` URL would let
any client read the server's files: the admin API shares the public port); an HTTP error
status is refused instead of loaded as SQL; failures are 400 where sqld answers 500.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Any

from lumadb.libsql.errors import HranaError
from lumadb.libsql.errors import unexpected as json_kind
from lumadb.libsql.namespaces import authorize
from lumadb.sql.errors import error_info
from lumadb.storage.sqlite import Clock, apsw

FETCH_TIMEOUT_S = 30
_DESERIALIZE = "Failed to deserialize the JSON body into the target type: dump_url: "


def refused(message: str) -> HranaError:
    """A dump that cannot be fetched or loaded: 400 `{"error"}`."""
    return HranaError.legacy(message, 400)


def parse_dump_url(value: Any) -> urllib.parse.SplitResult:
    """`dump_url` as sqld's JSON extractor parses it (422 when it is not a URL), then the
    schemes that can be fetched (400 for the others)."""
    if not isinstance(value, str):
        raise HranaError.legacy(
            _DESERIALIZE + f"invalid type: {json_kind(value)}, expected a string representing an URL", 422)
    url = urllib.parse.urlsplit(value.strip())
    scheme = url.scheme.lower()
    if not scheme:
        raise HranaError.legacy(_DESERIALIZE + f'invalid value: string "{value}", expected relative URL without a base',
                                422)
    if scheme in ("http", "https"):
        try:
            valid = bool(url.hostname) and (url.port is None or url.port >= 0)
        except ValueError:  # a port that is not a number or out of range
            valid = False
        if not valid:
            raise HranaError.legacy(_DESERIALIZE + f'invalid value: string "{value}", expected a URL with a host',
                                    422)
        return url
    if scheme == "file":
        raise refused("Loading a dump from a `file` URL is not supported by LumaDB: serve the dump over http(s)")
    raise refused(f"Unsupported dump url scheme `{scheme}`, supported schemes are: `http`, `file`")


def open_dump(url: urllib.parse.SplitResult) -> Any:
    """The HTTP response whose body is the dump (blocking: run it in a thread)."""
    request = urllib.request.Request(url.geturl(), headers={"User-Agent": "LumaDB"})
    try:
        return urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise refused(f"Internal error: failed to fetch the dump: HTTP status {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise refused(f"Internal error: error trying to connect: {exc.reason}") from None
    except (OSError, ValueError) as exc:
        raise refused(f"Internal error: error trying to connect: {exc}") from None


def load_dump(conn: apsw.Connection, lines: Iterable[bytes], clock: Clock | None = None) -> None:
    """Run a dump's statements on `conn` (each under `clock`'s statement time limit);
    HranaError with sqld's refusals, after rolling back whatever transaction the dump left open."""
    conn.authorizer = authorize  # sqld's loader refuses ATTACH too
    try:
        _run(conn, lines, clock)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def _run(conn: apsw.Connection, lines: Iterable[bytes], clock: Clock | None) -> None:
    statement = ""
    count = 0
    line_number = 0
    try:
        for raw in lines:
            line_number += 1
            text = raw.decode("utf-8")
            trimmed = text.strip()
            if not trimmed or trimmed.startswith("--"):
                continue
            statement += text
            if not trimmed.endswith(";") or not apsw.complete(statement):
                continue
            count += 1
            if count > 2 and not conn.in_transaction:
                raise refused("A dump should execute within a transaction.")
            _execute(conn, statement, line_number, clock)
            statement = ""
    except UnicodeDecodeError:
        raise refused("Internal error: stream did not contain valid UTF-8") from None
    except OSError as exc:  # the connection broke or timed out while reading
        raise refused(f"Internal error: {exc}") from None
    if conn.in_transaction:
        raise refused("The dump should commit the transaction.")


def _execute(conn: apsw.Connection, statement: str, line_number: int, clock: Clock | None) -> None:
    if clock is not None:
        clock.start()
    try:
        for _ in conn.cursor().execute(statement, can_cache=False):
            pass
    except apsw.Error as exc:
        info = error_info(exc)
        if info.code == "SQLITE_ERROR" and info.offset is not None:  # rusqlite's SqlInputError
            detail = f"msg: {info.message}, sql: {statement}, offset: {info.offset}"
            if "attach" in statement.lower():
                detail = "attach statements are not allowed in dumps, " + detail
            raise refused(f"The passed dump sql is invalid: {detail}") from None
        raise refused(f"Internal error: line: {line_number}, error: {info.message}") from None
    finally:
        if clock is not None:
            clock.stop()
