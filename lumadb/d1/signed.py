"""Signed URLs for the files D1's import and export flows move (LumaDB serves them itself):
`/d1/signed/<kind>/<name>?expires=<unix>&sig=<hmac>`, valid for one hour."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from urllib.parse import quote

from lumadb.http import Request

PREFIX = "/d1/signed/"
TTL_SECONDS = 3600
KINDS = ("import", "export")
FILE_NAME = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9A-Za-z_-]{1,64}\.sql")


def _signature(secret: bytes, kind: str, name: str, expires: int) -> str:
    return hmac.new(secret, f"{kind}/{name}/{expires}".encode(), hashlib.sha256).hexdigest()


def base_url(request: Request) -> str:
    scheme = request.headers.get("x-forwarded-proto", "http").split(",")[0].strip() or "http"
    host = request.headers.get("x-forwarded-host") or request.host or "127.0.0.1"
    return f"{scheme}://{host}"


def url(request: Request, kind: str, name: str) -> str:
    expires = int(time.time()) + TTL_SECONDS
    sig = _signature(request.server.secret, kind, name, expires)
    return f"{base_url(request)}{PREFIX}{kind}/{quote(name)}?expires={expires}&sig={sig}"


def verify(request: Request) -> tuple[str, str] | None:
    """(kind, file name) when the request carries a valid, unexpired signature."""
    rest = request.path[len(PREFIX):]
    kind, _, name = rest.partition("/")
    if kind not in KINDS or not FILE_NAME.fullmatch(name):
        return None
    expires_text = request.query_value("expires") or ""
    sig = request.query_value("sig") or ""
    if not expires_text.isdigit() or int(expires_text) < time.time():
        return None
    expected = _signature(request.server.secret, kind, name, int(expires_text))
    return (kind, name) if hmac.compare_digest(expected, sig) else None
