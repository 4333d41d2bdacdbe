"""D1's error shapes: SQL failures in D1's words, the REST envelope and the binding's body.

A `D1QueryError` carries D1's text (`no such table: t: SQLITE_ERROR`); the REST API answers
it with HTTP 400 and code 7500, the binding protocol with `{"success": false, "error"}`.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from lumadb.errors import ProtocolError
from lumadb.sql.errors import error_info
from lumadb.sql.split import tokens


class D1QueryError(Exception):
    """A statement failed; `message` is exactly what D1 reports."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Functions of this SQLite that workerd's build of the same SQLite (3.54.1) leaves out (FTS3's,
# Geopoly's, the percentile extension's): D1 finds no such function where the authorizer here
# refuses them (each probed against Miniflare's D1 on workerd 1.20261117)
_REFUSED_FUNCTION = "not authorized to use function: "
_NOT_IN_D1_NAMES = """
fts3_tokenizer geopoly_area geopoly_bbox geopoly_blob geopoly_ccw geopoly_contains_point geopoly_debug
geopoly_group_bbox geopoly_json geopoly_overlap geopoly_regular geopoly_svg geopoly_within geopoly_xform
matchinfo median offsets optimize percentile percentile_cont percentile_disc
"""
_NOT_IN_D1 = frozenset(_NOT_IN_D1_NAMES.split())
_WRONG_ARGUMENTS = re.compile(r"wrong number of arguments to function (\w+)\(\)")


def _missing_function(text: str) -> str | None:
    """The function of a refusal, or of a call with the wrong arguments, that D1 has not."""
    name = text[len(_REFUSED_FUNCTION):] if text.startswith(_REFUSED_FUNCTION) else None
    if name is None:
        wrong = _WRONG_ARGUMENTS.fullmatch(text)
        name = wrong.group(1) if wrong else None
    return name if name is not None and name.lower() in _NOT_IN_D1 else None


def _in_default(sql: str, offset: int) -> bool:
    """Whether byte `offset` of `sql` lies inside a column's `DEFAULT (...)`: SQLite asks the
    authorizer about those functions by name before it looks them up, so D1 refuses one its
    build lacks there ("not authorized") instead of finding no such function."""
    at = len(sql.encode()[:offset].decode(errors="ignore"))
    opened: list[bool] = []  # per open parenthesis: a DEFAULT's?
    previous = ""
    for token in tokens(sql):
        if token.start >= at:
            return any(opened)
        if token.kind in ("ws", "comment"):
            continue
        if token.text == "(":
            opened.append(previous == "DEFAULT")
        elif token.text == ")" and opened:
            opened.pop()
        previous = token.text.upper()
    return False


# D1's own tables, which its authorizer keeps SQL away from (reading `_cf_METADATA` answers "not
# authorized" there); LumaDB's databases hold only `_cf_KV` (catalog.py), the others are missing.
_INTERNAL_TABLE = re.compile(r"no such table: (?:main\.)?_cf_(?:METADATA|KV)")


def sqlite_message(exc: BaseException, sql: str | None = None) -> str:
    """`<message>[ at offset N]: SQLITE_<CODE>[ (extended: SQLITE_<EXT>)]`, workerd's format
    (`sql`: the statement that failed, if known)."""
    info = error_info(exc)
    text = info.message
    if _INTERNAL_TABLE.fullmatch(text):
        return "not authorized: SQLITE_AUTH"
    missing = _missing_function(text)
    if missing is not None and not (
        sql is not None and info.offset is not None and text.startswith(_REFUSED_FUNCTION) and _in_default(sql, info.offset)
    ):
        text = "no such function: " + missing
    if info.offset is not None:
        text += f" at offset {info.offset}"
    text += f": {info.code}"
    if info.extended_code != info.code:
        text += f" (extended: {info.extended_code})"
    return text


def envelope(errors: list[dict[str, Any]], result: Any = None, error: str | None = None) -> bytes:
    body: dict[str, Any] = {"result": result, "success": False, "errors": errors, "messages": []}
    if error is not None:
        body["error"] = error
    return orjson.dumps(body)


class D1ApiError(ProtocolError):
    """An error of the Cloudflare v4 API, in its envelope."""

    def __init__(self, code: int, message: str, status: int = 400, *, extra: list[dict[str, Any]] | None = None,
                 result: Any = None, for_binding_too: bool = False) -> None:
        super().__init__(message, status)
        self.code = code
        self.extra = extra or []
        self.result = result
        # The router renders oversized bodies and crashes without knowing the route: such
        # errors also carry the binding protocol's `error`, which the Workers binding reads.
        self.for_binding_too = for_binding_too
        self.allow = ""  # the methods a 405's route takes

    def body(self) -> bytes:
        errors = [{"code": self.code, "message": self.message}, *self.extra]
        return envelope(errors, self.result, self.message if self.for_binding_too else None)

    def headers(self) -> list[tuple[bytes, bytes]]:
        if self.allow:
            return [(b"allow", self.allow.encode())]
        return [(b"cf-d1", f"err={self.code}".encode())] if 7400 <= self.code < 7600 else []

    @classmethod
    def sql(cls, message: str) -> D1ApiError:
        # Since 2024-04 D1 answers invalid SQL with 400 (was 500); `result` is an empty list.
        return cls(7500, message, 400, result=[])

    @classmethod
    def not_found(cls, database_id: str) -> D1ApiError:
        return cls(7404, f"The database {database_id} could not be found", 404)

    @classmethod
    def no_route(cls, path: str) -> D1ApiError:
        return cls(7003, f"Could not route to {path}, perhaps your object identifier is invalid?", 400,
                   extra=[{"code": 7000, "message": "No route for that URI"}])

    @classmethod
    def method_not_allowed(cls, method: str, allowed: tuple[str, ...] | list[str] = ()) -> D1ApiError:
        error = cls(7001, f"Method {method} not allowed for this route", 405)
        error.allow = ", ".join(allowed)
        return error

    @classmethod
    def bad_request(cls, message: str) -> D1ApiError:
        return cls(7400, message, 400)

    @classmethod
    def malformed_json(cls) -> D1ApiError:
        return cls(7400, "Malformed JSON in request body", 400)

    @classmethod
    def too_large(cls, limit: int) -> D1ApiError:
        return cls(7400, f"Request body is larger than {limit} bytes", 413, for_binding_too=True)

    @classmethod
    def internal(cls, request_id: str, cause: str = "") -> D1ApiError:
        reason = f": {cause}" if cause else ""
        return cls(7500, f"internal error; reference = {request_id}{reason}", 500, for_binding_too=True)

    @classmethod
    def unauthorized(cls) -> D1ApiError:
        # Cloudflare's answer to a missing or unknown API token (HTTP 403, code 10000)
        return cls(10000, "Authentication error", 403)


class D1BindingError(ProtocolError):
    """A failure of the Workers-binding wire protocol: the binding reads `error` and throws
    `D1_ERROR: <error>`."""

    def body(self) -> bytes:
        return orjson.dumps({"success": False, "error": self.message})
