"""Hrana / sqld errors in the envelopes sqld uses for each kind of failure.

- protocol errors (bad JSON, bad baton, bad step reference, v3-only request on v2): 400 text/plain;
- statement errors (`{"message", "code"}`): inside results, or as the body of `/v1/execute`;
- stream errors (expired stream): 400 `{"message", "code"}`;
- auth, namespace and server errors: `{"error": "..."}` with 401, 403, 404, 413 or 500.
Every response carries sqld's permissive CORS header.
"""

from __future__ import annotations

from dataclasses import replace

import orjson

from lumadb.errors import ProtocolError
from lumadb.sql import error_info, older_sqlite

CORS_HEADERS: list[tuple[bytes, bytes]] = [(b"access-control-allow-origin", b"*")]
JSON_PREFIX = "Cannot deserialize client message from JSON: "


def unexpected(value: object) -> str:
    """serde's name for an unexpected JSON value in its messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{value}`"
    if isinstance(value, str):
        return f'string "{value}"'
    return "sequence" if isinstance(value, list) else "map"


def invalid_type(value: object, expected: str, fields: int | None = None) -> HranaError:
    """serde's refusal of `value` where `expected` was wanted; a struct of `fields` fields may
    also be given as a sequence, which serde refuses by its length."""
    if fields is not None and isinstance(value, list) and len(value) < fields:
        return HranaError.json(f"invalid length {len(value)}, expected {expected} with {fields} elements")
    return HranaError.json(f"invalid type: {unexpected(value)}, expected {expected}")


_REFUSED_FUNCTION = "not authorized to use function: "


class StmtError(Exception):
    """An error of one statement or request, reported in the results, not as HTTP status."""

    def __init__(self, message: str, code: str, detail: str | None = None, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.detail = detail if detail is not None else message  # the message without sqld's prefix
        self.offset = offset  # where in the SQL text SQLite failed to prepare it

    def as_dict(self) -> dict[str, str]:
        return {"message": self.message, "code": self.code}

    @classmethod
    def from_sqlite(cls, exc: BaseException) -> StmtError:
        """sqld's mapping (rusqlite's): a statement that fails to prepare with SQLITE_ERROR
        and an error offset is SQL_INPUT_ERROR; every other error (prepare errors without an
        offset, errors while stepping) is `SQLite error: ...` with its primary code."""
        info = error_info(exc)
        if info.message.startswith(_REFUSED_FUNCTION):  # (namespaces.authorize refuses only what sqld lacks)
            info = replace(info, message="no such function: " + info.message.removeprefix(_REFUSED_FUNCTION))
        if info.offset is not None and info.code == "SQLITE_ERROR":
            return cls(f"SQL input error: {info.message} (at offset {info.offset})", "SQL_INPUT_ERROR", info.message,
                       info.offset)
        return cls(f"SQLite error: {info.message}", info.code, info.message)

    @classmethod
    def from_older_sqlite(cls, problem: older_sqlite.Problem) -> StmtError:
        """sqld's error for a call its SQLite refuses at prepare: an input error where SQLite
        gives an offset, else its plain error."""
        if problem.offset is None:
            return cls(f"SQLite error: {problem.detail}", "SQLITE_ERROR", problem.detail)
        return cls(f"SQL input error: {problem.detail} (at offset {problem.offset})", "SQL_INPUT_ERROR",
                   problem.detail, problem.offset)

    def shifted(self, by: int) -> StmtError:
        """The same input error for a statement that sat `by` bytes further into the text."""
        if self.offset is None or self.code != "SQL_INPUT_ERROR" or not by:
            return self
        offset = self.offset + by
        return StmtError(f"SQL input error: {self.detail} (at offset {offset})", self.code, self.detail, offset)

    @classmethod
    def parse(cls, detail: str) -> StmtError:
        return cls(f"SQL string could not be parsed: {detail}", "SQL_PARSE_ERROR", detail)

    @classmethod
    def no_statement(cls) -> StmtError:
        return cls("SQL string does not contain any statement", "SQL_NO_STATEMENT")

    @classmethod
    def many_statements(cls) -> StmtError:
        return cls("SQL string contains more than one statement", "SQL_MANY_STATEMENTS")

    @classmethod
    def args_invalid(cls, detail: str) -> StmtError:
        return cls(f"Arguments do not match SQL parameters: {detail}", "ARGS_INVALID", detail)

    @classmethod
    def args_both(cls) -> StmtError:
        return cls("Specifying both positional and named arguments is not supported",
                   "ARGS_BOTH_POSITIONAL_AND_NAMED")


class HranaError(ProtocolError):
    """An error that ends the whole HTTP request."""

    def __init__(self, message: str, status: int = 400, *, envelope: str = "text", code: str = "") -> None:
        super().__init__(message, status)
        self.envelope = envelope  # text | stmt | error
        self.code = code

    def body(self) -> bytes:
        if self.envelope == "text":
            return self.message.encode()
        if self.envelope == "stmt":
            return orjson.dumps({"message": self.message, "code": self.code})
        return orjson.dumps({"error": self.message})

    def content_type(self) -> bytes:
        return b"text/plain" if self.envelope == "text" else b"application/json"

    def headers(self) -> list[tuple[bytes, bytes]]:
        return list(CORS_HEADERS)

    # -- protocol errors: 400 text/plain ------------------------------------------
    @classmethod
    def protocol(cls, message: str) -> HranaError:
        return cls(message)

    @classmethod
    def json(cls, detail: str) -> HranaError:
        return cls(JSON_PREFIX + detail)

    @classmethod
    def baton_invalid(cls) -> HranaError:
        return cls("Received an invalid baton")

    @classmethod
    def baton_reused(cls) -> HranaError:
        return cls("Received a baton that has already been used")

    @classmethod
    def stream_closed(cls) -> HranaError:
        return cls("Stream for this baton was closed")

    @classmethod
    def not_supported(cls, what: str, version: int) -> HranaError:
        return cls(f"{what} is only supported in protocol version hrana{version} and higher")

    @classmethod
    def bad_step(cls) -> HranaError:
        return cls("Invalid reference to step in a batch condition")

    # -- JSON {"message", "code"} -----------------------------------------------------
    @classmethod
    def stream_expired(cls) -> HranaError:
        return cls("The stream has expired due to inactivity", envelope="stmt", code="STREAM_EXPIRED")

    @classmethod
    def statement(cls, error: StmtError, status: int) -> HranaError:
        return cls(error.message, status, envelope="stmt", code=error.code)

    # -- JSON {"error"} ---------------------------------------------------------------
    @classmethod
    def unauthorized(cls, detail: str) -> HranaError:
        return cls(f"Unauthorized: `{detail}`", 401, envelope="error")

    @classmethod
    def forbidden(cls, namespace: str) -> HranaError:
        # sqld's text, grammar included, so that clients matching on it keep working
        return cls(
            f"Authorization forbidden: Current session doesn't not have Write permission to namespace {namespace}",
            403, envelope="error",
        )

    @classmethod
    def namespace_missing(cls, name: str) -> HranaError:
        return cls(f"Namespace `{name}` doesn't exist", 404, envelope="error")

    @classmethod
    def namespace_exists(cls, name: str) -> HranaError:
        return cls(f"Namespace `{name}` already exists", 400, envelope="error")

    @classmethod
    def namespace_invalid(cls, name: str, reason: str) -> HranaError:
        return cls(f"Invalid namespace `{name}`: {reason}", 400, envelope="error")

    @classmethod
    def too_large(cls, limit: int) -> HranaError:
        return cls(f"Request body is larger than the limit of {limit} bytes", 413, envelope="error")

    @classmethod
    def internal(cls, request_id: str, cause: str = "") -> HranaError:
        reason = cause or "see the server log"
        return cls(f"Internal Error: `request {request_id} failed; {reason}`", 500, envelope="error")

    @classmethod
    def legacy(cls, message: str, status: int = 400) -> HranaError:
        return cls(message, status, envelope="error")
