"""Turning an apsw exception into SQLite's own words: result code names and message."""

from __future__ import annotations

from dataclasses import dataclass

from lumadb.storage.sqlite import apsw

SYNTAX_MARKERS = ("syntax error", "incomplete input", "unrecognized token")


@dataclass(frozen=True, slots=True)
class SqlError:
    code: str  # primary result code name: "SQLITE_CONSTRAINT"
    extended_code: str  # extended name: "SQLITE_CONSTRAINT_UNIQUE" (== code when none)
    message: str  # SQLite's message: "UNIQUE constraint failed: t.b"
    offset: int | None  # byte offset of the error in the SQL text (prepare errors), else None

    @property
    def is_syntax_error(self) -> bool:
        return self.code == "SQLITE_ERROR" and any(m in self.message for m in SYNTAX_MARKERS)


def error_info(exc: BaseException) -> SqlError:
    """Codes, message and offset of an exception raised by apsw.

    apsw errors that are not SQLite's (wrong number of bindings, a closed cursor...) map to
    SQLITE_MISUSE / SQLITE_RANGE like the C API would report them; anything else to SQLITE_ERROR.
    """
    result = getattr(exc, "result", None)
    if isinstance(exc, apsw.BindingsError):
        return SqlError("SQLITE_RANGE", "SQLITE_RANGE", str(exc), None)
    if not isinstance(exc, apsw.Error) or not isinstance(result, int) or result < 0:
        return SqlError("SQLITE_ERROR", "SQLITE_ERROR", str(exc) or type(exc).__name__, None)
    extended = getattr(exc, "extendedresult", result)
    code = str(apsw.mapping_result_codes.get(result & 0xFF, "SQLITE_ERROR"))
    extended_code = str(apsw.mapping_extended_result_codes.get(extended, code)) if extended != result else code
    offset = getattr(exc, "error_offset", -1)
    return SqlError(code, extended_code, str(exc), offset if isinstance(offset, int) and offset >= 0 else None)


def restore_prepare_offset(conn: apsw.Connection, sql: str, exc: BaseException) -> None:
    """Give `exc` the error offset SQLite reports when it prepares `sql`.

    A statement taken from apsw's statement cache after the schema changed is prepared again
    inside sqlite3_step, and an error there (`table t already exists` for a repeated CREATE)
    loses its offset. sqld and D1 prepare every statement, so they report it: prepare `sql`
    afresh (never running it) and keep the offset when the error is the same one."""
    if not isinstance(exc, apsw.SQLError) or getattr(exc, "error_offset", -1) >= 0:
        return
    try:
        apsw.ext.query_info(conn, sql)
    except apsw.Error as fresh:
        offset = getattr(fresh, "error_offset", -1)
        if isinstance(offset, int) and offset >= 0 and str(fresh) == str(exc):
            exc.error_offset = offset  # type: ignore[attr-defined]
    except Exception:  # only an offset is at stake: keep the error as it is
        return
