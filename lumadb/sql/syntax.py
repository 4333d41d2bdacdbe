"""Syntax checking without a schema: prepare the statement on an empty in-memory database
and keep only the errors that are about the text itself (not unknown tables or columns)."""

from __future__ import annotations

import threading
from functools import lru_cache

from lumadb.sql.errors import SqlError, error_info
from lumadb.sql.split import until_nul
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
        return info if info.is_syntax_error else None
    except Exception:
        return None
    return None
