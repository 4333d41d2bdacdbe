"""The few HTTP calls the migrations make, with the standard library only."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

TIMEOUT_S = 120


class MigrationError(Exception):
    """A migration cannot go on; the message says why, for the command line. `status`: the
    HTTP status of the answer that stopped it, if one did."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def call(method: str, url: str, body: Any = None, token: str | None = None, raw: bytes | None = None,
         content_type: str = "application/json", headers: dict[str, str] | None = None) -> bytes:
    """The response body of a request; MigrationError with the server's answer on an error status."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    headers = {"User-Agent": "lumadb-migrate", **(headers or {})}
    if data is not None:
        headers["Content-Type"] = content_type
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:500]
        exc.close()
        raise MigrationError(f"{method} {url}: HTTP {exc.code}: {detail}", exc.code) from None
    except urllib.error.URLError as exc:
        raise MigrationError(f"{method} {url}: {exc.reason}") from None
    except (http.client.HTTPException, OSError) as exc:  # the answer broke off (IncompleteRead, a reset)
        raise MigrationError(f"{method} {url}: the answer broke off: {exc!r}") from None


def call_json(method: str, url: str, body: Any = None, token: str | None = None) -> Any:
    return json.loads(call(method, url, body, token) or b"null")


def read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as exc:
        raise MigrationError(f"cannot read {path}: {exc}") from None


def compare_counts(tables: list[str], count_source: Callable[[str], int] | None, count_target: Callable[[str], int],
                   say: Callable[[str], None]) -> dict[str, int]:
    """Each table's rows in the copy, checked against the source's where there is one
    (`count_*` take the table's quoted name)."""
    counts: dict[str, int] = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        got = count_target(quoted)
        want = count_source(quoted) if count_source is not None else got
        if want != got:
            raise MigrationError(f"table {table!r}: {want} rows in the source, {got} copied")
        counts[table] = got
        say(f"{table}: {got:,} rows")
    return counts
