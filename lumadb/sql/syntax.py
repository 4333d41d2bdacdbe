"""Syntax checking without a schema: prepare the statement on an empty in-memory database
and keep only the errors that are about the text itself (not unknown tables or columns).

sqld parses SQL with a parser of its own before SQLite sees it, and that parser takes UPDATE and
DELETE with ORDER BY and LIMIT (SQLite's SQLITE_ENABLE_UPDATE_DELETE_LIMIT grammar), which its
SQLite, built without that option, then fails to prepare: the statement is an input error when it
runs, not a parse error up front. Such a statement is not a syntax error here either. Nor is
libSQL's `ALTER TABLE ... ALTER COLUMN` (lumadb/sql/alter_column.py) with a valid definition."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from lumadb.sql import alter_column
from lumadb.sql.errors import SqlError, error_info
from lumadb.sql.split import tokens, until_nul
from lumadb.storage.sqlite import apsw

_local = threading.local()


def _scratch() -> apsw.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = apsw.Connection(":memory:")
    return conn


@lru_cache(maxsize=4096)
def syntax_error(statement: str) -> SqlError | None:
    """The syntax error of the first statement in `statement`, or None when SQLite can
    parse it (it may still fail against the real schema)."""
    try:
        apsw.ext.query_info(_scratch(), until_nul(statement))  # prepares only, never runs
    except apsw.Error as exc:
        info = error_info(exc)
        if not info.is_syntax_error or _ordered_write(statement, info.offset):
            return None
        change = alter_column.parse(statement)
        if change is not None:  # libSQL's ALTER COLUMN: only its column definition is SQLite's
            problem = alter_column.definition_syntax_error(change)
            return None if problem is None else SqlError("SQLITE_ERROR", "SQLITE_ERROR", problem[0], None)
        return info
    except Exception:
        return None
    return None


_TAIL = re.compile(r"(order|limit)\b", re.IGNORECASE)


def _ordered_write(statement: str, offset: int | None) -> bool:
    """An UPDATE or DELETE whose only fault is an ORDER BY or LIMIT clause at its end: the text
    before the clause parses, and the clause parses as a SELECT's."""
    first = next((token.text for token in tokens(statement) if token.kind not in ("ws", "comment")), "")
    if offset is None or first.lower() not in ("update", "delete", "with"):
        return False
    text = until_nul(statement).encode()
    head, tail = text[:offset].decode(errors="replace"), text[offset:].decode(errors="replace")
    if not _TAIL.match(tail):
        return False
    return syntax_error(head) is None and syntax_error("SELECT 1 " + tail) is None
