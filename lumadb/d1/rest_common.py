"""What every D1 REST handler shares: the success envelope and reading the JSON body."""

from __future__ import annotations

from typing import Any

import orjson

from lumadb.d1.errors import D1ApiError
from lumadb.d1.results import envelope
from lumadb.http import Request, Response


def ok(result: Any, status: int = 200, **extra: Any) -> Response:
    return Response(status, envelope(result, **extra), b"application/json", [])


def json_body(request: Request, *, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object (D1 ignores the declared content type)."""
    if not request.body.strip():
        if optional:
            return {}
        raise D1ApiError.malformed_json()
    try:
        data = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        raise D1ApiError.malformed_json() from None
    if not isinstance(data, dict):
        raise D1ApiError.bad_request("The request body must be a JSON object")
    return data
