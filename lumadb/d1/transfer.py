"""D1's export and import flows, as `wrangler d1 export --remote` and `wrangler d1 execute
--remote --file` drive them, with LumaDB serving the signed download and upload URLs.

Export: `POST .../export {"output_format": "polling"}` dumps the database at once and
answers `status: complete` with a signed URL. Import: `init` (answers an upload URL), a
PUT of the file there (answers its md5 as ETag), `ingest` (runs the file in one
transaction, through D1's SQL policy, and answers `complete`), `poll` (repeats that answer).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.d1 import authorizer, results, signed, timetravel
from lumadb.d1.dump import dump_sql
from lumadb.d1.errors import D1ApiError, D1QueryError, sqlite_message
from lumadb.d1.rest_common import json_body, ok
from lumadb.d1.runner import Outcome
from lumadb.http import Request, Response
from lumadb.storage.sqlite import apsw

if TYPE_CHECKING:
    from lumadb.d1.catalog import D1Handle
    from lumadb.d1.service import D1Service

_MD5 = re.compile(r"[0-9a-f]{32}")
_SIZE_SQL = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"


def _size(conn: apsw.Connection) -> int:
    row = conn.execute(_SIZE_SQL).fetchone()
    return int(row[0]) if row else 0


def _sweep(folder: Path) -> None:
    """Transfer files, and the answers `poll` repeats, live as long as the signed URLs."""
    limit = time.time() - signed.TTL_SECONDS
    for pattern in ("*.sql", "*.import.json"):
        for path in folder.glob(pattern):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
            except OSError:
                pass


# An import's answer is kept in a file, so that `poll` finds it in every worker process
# (`--workers N`), whichever ran the ingest.
_BOOKMARK = re.compile(r"[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}")


def _answer_path(folder: Path, bookmark: str) -> Path:
    return folder / f"{bookmark}.import.json"


def _save_answer(folder: Path, bookmark: str, answer: dict[str, Any]) -> None:
    path = _answer_path(folder, bookmark)
    partial = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    partial.write_bytes(orjson.dumps(answer))
    partial.replace(path)  # whole or not at all, for a poll in another process


def _saved_answer(folder: Path, bookmark: Any) -> dict[str, Any] | None:
    if not isinstance(bookmark, str) or not _BOOKMARK.fullmatch(bookmark):
        return None
    try:
        answer: dict[str, Any] = orjson.loads(_answer_path(folder, bookmark).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return answer


# -- export ------------------------------------------------------------------------------
def _write_dump(conn: apsw.Connection, target: str, options: dict[str, Any]) -> None:
    conn.execute("BEGIN")  # one snapshot for the whole dump
    try:
        with open(target, "w", encoding="utf-8") as out:
            for line in dump_sql(conn, no_schema=bool(options.get("no_schema")),
                                 no_data=bool(options.get("no_data")), tables=options.get("tables") or ()):
                out.write(line)
                out.write("\n")
    finally:
        conn.execute("COMMIT")


async def export(service: D1Service, request: Request, handle: D1Handle) -> Response:
    body = json_body(request)
    if body.get("output_format") != "polling":
        raise D1ApiError.bad_request("output_format must be 'polling'")
    options = body.get("dump_options") or {}
    tables = options.get("tables") if isinstance(options, dict) else None
    if not isinstance(options, dict) or not (
        tables is None or (isinstance(tables, list) and all(isinstance(t, str) for t in tables))
    ):
        raise D1ApiError.bad_request("dump_options must be {no_data?, no_schema?, tables?: [string]}")
    _sweep(service.transfer_root)
    bookmark = results.bookmark(handle.uuid, handle.state)
    filename = f"{handle.uuid}-{secrets.token_hex(8)}.sql"
    target = service.transfer_root / filename
    await handle.db.read(_write_dump, str(target), options)
    return ok({
        "success": True,
        "type": "export",
        "at_bookmark": bookmark,
        "status": "complete",
        "messages": ["Uploaded part 1", f"Generated {filename}"],
        "result": {"filename": filename, "signed_url": signed.url(request, "export", filename)},
    })


# -- import ------------------------------------------------------------------------------
def _ingest(conn: apsw.Connection, sql: str) -> tuple[int, Outcome]:
    started = time.perf_counter()
    count = 0

    def counted(_cursor: apsw.Cursor, _sql: str, _bindings: Any) -> bool:
        nonlocal count
        count += 1
        return True

    size_before = _size(conn)
    changes_before = conn.total_changes()
    row_id_before = conn.last_insert_rowid()
    cursor = conn.cursor()
    cursor.exec_trace = counted
    rows_read = 0
    try:
        with authorizer.user_sql():
            for _ in cursor.execute(sql, can_cache=False):
                rows_read += 1
        if "defer_foreign_keys" in sql.lower() and conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise D1QueryError(
                "FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)")
    except apsw.Error as exc:
        if authorizer.take_transaction_refusal():
            raise D1QueryError(authorizer.TRANSACTION_REFUSED) from None
        raise D1QueryError(sqlite_message(exc, sql)) from None
    finally:
        conn.execute("PRAGMA defer_foreign_keys = OFF")
        for pragma, default in authorizer.CONNECTION_TOGGLES.items():
            conn.execute(f"PRAGMA {pragma} = {default}")
    changes = conn.total_changes() - changes_before
    size_after = _size(conn)
    row_id = conn.last_insert_rowid()
    changed = changes != 0 or row_id != row_id_before or size_after != size_before
    duration = (time.perf_counter() - started) * 1000.0
    return count, Outcome([], [], duration, changes, row_id, changed, size_after, rows_read + changes, changes)


async def import_(service: D1Service, request: Request, handle: D1Handle) -> Response:
    body = json_body(request)
    action = body.get("action")
    if action == "init":
        return _init(service, request, handle, body)
    if action == "ingest":
        return await _run_import(service, request, handle, body)
    if action == "poll":
        bookmark = body.get("current_bookmark")
        answer = _saved_answer(service.transfer_root, bookmark)
        if answer is None:
            return ok(_failed(str(bookmark), f"No import is known for bookmark {bookmark}", []))
        return ok(answer)
    raise D1ApiError.bad_request("action must be one of init, ingest, poll")


def _etag(body: dict[str, Any]) -> str:
    etag = body.get("etag")
    if not isinstance(etag, str) or not _MD5.fullmatch(etag):
        raise D1ApiError.bad_request("etag must be the md5 hex digest of the SQL file")
    return etag


def _init(service: D1Service, request: Request, handle: D1Handle, body: dict[str, Any]) -> Response:
    filename = f"{handle.uuid}-{_etag(body)}.sql"
    _sweep(service.transfer_root)
    return ok({
        "success": True,
        "type": "import",
        "at_bookmark": results.bookmark(handle.uuid, handle.state),
        "filename": filename,
        "upload_url": signed.url(request, "import", filename),
        "messages": [],
    })


def _failed(bookmark: str, error: str, messages: list[str]) -> dict[str, Any]:
    return {"success": False, "type": "import", "at_bookmark": bookmark, "status": "error",
            "error": error, "errors": [error], "messages": messages}


async def _run_import(service: D1Service, request: Request, handle: D1Handle, body: dict[str, Any]) -> Response:
    etag = _etag(body)
    filename = f"{handle.uuid}-{etag}.sql"
    if body.get("filename") not in (None, filename):
        raise D1ApiError.bad_request(f"filename must be {filename}")
    at_bookmark = results.bookmark(handle.uuid, handle.state)
    path = service.transfer_root / filename
    if not path.exists():
        return ok(_failed(at_bookmark, f"File {filename} was not uploaded", []))
    data = path.read_bytes()
    if hashlib.md5(data).hexdigest() != etag:
        return ok(_failed(at_bookmark, "The uploaded file does not match its etag", []))
    try:
        sql = data.decode("utf-8")
    except UnicodeDecodeError:
        return ok(_failed(at_bookmark, "The uploaded file is not UTF-8 text", []))
    try:
        count, outcome = await handle.db.write(_ingest, sql)
    except D1QueryError as exc:
        return ok(_failed(at_bookmark, exc.message, [f"Ingesting {filename} failed"]))
    finally:
        path.unlink(missing_ok=True)
    handle.state.bookmark_counter = max(handle.state.bookmark_counter + 1, time.time_ns() // 1000)
    handle.state.size = outcome.size_after
    handle.state.last_row_id = outcome.last_row_id
    final = await timetravel.take(service, handle)
    region = results.REGIONS.get(handle.entry.primary_location_hint or "", "WNAM")
    answer = {
        "success": True,
        "type": "import",
        "at_bookmark": at_bookmark,
        "status": "complete",
        "messages": [f"Processed {count} queries from {filename}"],
        "result": {"num_queries": count, "final_bookmark": final, "meta": results.meta(outcome, region)},
    }
    _save_answer(service.transfer_root, at_bookmark, answer)
    return ok(answer)


# -- the signed URLs ---------------------------------------------------------------------
async def serve_signed(service: D1Service, request: Request) -> Response:
    found = signed.verify(request)
    if found is None:
        raise D1ApiError(7403, "The signed URL is invalid or has expired", 403)
    kind, name = found
    path = service.transfer_root / name
    if kind == "export":
        if request.method not in ("GET", "HEAD"):
            raise D1ApiError.method_not_allowed(request.method, ["GET", "HEAD"])
        if not path.exists():
            raise D1ApiError(7404, f"The export {name} could not be found", 404)
        data = path.read_bytes()
        return Response(200, b"" if request.method == "HEAD" else data, b"application/sql", [])
    if request.method != "PUT":
        raise D1ApiError.method_not_allowed(request.method, ["PUT"])
    partial = path.with_suffix(".partial")
    partial.write_bytes(request.body)
    partial.replace(path)
    etag = hashlib.md5(request.body).hexdigest()
    return Response(200, b"", None, [(b"etag", f'"{etag}"'.encode())])


download = upload = serve_signed  # the spec's names for the two signed URLs
