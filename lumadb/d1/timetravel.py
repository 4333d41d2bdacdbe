"""Time travel: bookmarks LumaDB hands out are backed by a snapshot of the database file
(SQLite's backup API), so any of them can be restored. A bookmark LumaDB never issued, or
a timestamp older than every snapshot, gets an error (D1 keeps 30 days of history;
LumaDB keeps the states someone asked a bookmark for)."""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lumadb.d1 import results
from lumadb.d1.errors import D1ApiError
from lumadb.d1.rest_common import ok
from lumadb.http import Request, Response
from lumadb.storage.sqlite import apsw

if TYPE_CHECKING:
    from lumadb.d1.catalog import D1Handle
    from lumadb.d1.service import D1Service

_BOOKMARK = re.compile(r"[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}")


def _copy_out(conn: apsw.Connection, target: str) -> None:
    dest = apsw.Connection(target)
    try:
        with dest.backup("main", conn, "main") as backup:
            backup.step(-1)
    finally:
        dest.close()


def _copy_in(conn: apsw.Connection, source: str) -> None:
    src = apsw.Connection(source, flags=apsw.SQLITE_OPEN_READONLY)
    try:
        with conn.backup("main", src, "main") as backup:
            backup.step(-1)
    finally:
        src.close()


def _path(service: D1Service, handle: D1Handle, bookmark: str) -> Path:
    return service.snapshot_dir(handle.uuid) / f"{bookmark}.sqlite"


async def take(service: D1Service, handle: D1Handle) -> str:
    """The current bookmark, with a snapshot of the state it names."""
    version = handle.db.data_version()
    if handle.state.snapshot_version != version:
        # something committed since the last snapshot: the state deserves a new bookmark
        handle.state.bookmark_counter = max(handle.state.bookmark_counter + 1, time.time_ns() // 1000)
    bookmark = results.bookmark(handle.uuid, handle.state)
    path = _path(service, handle, bookmark)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        await handle.db.read(_copy_out, str(partial))
        partial.replace(path)
        await service.catalog.add_bookmark(handle.uuid, bookmark)
    handle.state.snapshot_version = version
    return bookmark


def _parse_time(text: str) -> float:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, OverflowError):
        raise D1ApiError.bad_request(f"Invalid timestamp: {text}") from None


def _at_or_before(service: D1Service, handle: D1Handle, timestamp: str) -> str:
    moment = _parse_time(timestamp)
    found = [b for b, taken in service.catalog.bookmarks(handle.uuid) if taken <= moment]
    if not found:
        raise D1ApiError(7400, f"No bookmark is available at or before {timestamp}", 400)
    return found[-1]


async def get_bookmark(service: D1Service, request: Request, handle: D1Handle) -> Response:
    timestamp = request.query_value("timestamp")
    if timestamp and _parse_time(timestamp) < time.time() - 1:
        return ok({"bookmark": _at_or_before(service, handle, timestamp)})
    return ok({"bookmark": await take(service, handle)})


async def restore(service: D1Service, request: Request, handle: D1Handle) -> Response:
    target = request.query_value("bookmark")
    timestamp = request.query_value("timestamp")
    if not target and not timestamp:
        raise D1ApiError.bad_request("Either bookmark or timestamp is required")
    if not target:
        target = _at_or_before(service, handle, str(timestamp))
    path = _path(service, handle, target) if _BOOKMARK.fullmatch(target) else None
    if path is None or not path.exists():
        raise D1ApiError(7400, f"The bookmark {target} could not be found for database {handle.uuid}", 400)
    previous = await take(service, handle)
    await handle.db.write(_copy_in, str(path), transactional=False)
    handle.state.size = None
    service.server.cache.forget(handle.db)
    bookmark = await take(service, handle)
    return ok({
        "bookmark": bookmark,
        "previous_bookmark": previous,
        "message": f"Database {handle.uuid} restored to bookmark {target}",
    })
