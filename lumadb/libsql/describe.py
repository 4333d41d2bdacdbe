"""The Hrana `describe` request: parameters, columns with declared types, is_explain and
is_readonly of a statement, without running it (clients decide from it whether to fetch rows)."""

from __future__ import annotations

from typing import Any

from lumadb.libsql.errors import StmtError
from lumadb.sql import describe, is_blank
from lumadb.storage.sqlite import apsw

EMPTY = {"params": [], "cols": [], "is_explain": False, "is_readonly": True}


def describe_result(conn: apsw.Connection, sql: str) -> dict[str, Any]:
    """The description of the first statement in `sql`; StmtError when it does not prepare."""
    if is_blank(sql):
        return dict(EMPTY)
    try:
        description = describe(conn, sql)
    except (apsw.Error, ValueError) as exc:
        raise StmtError.from_sqlite(exc) from None
    return {
        "params": [{"name": name} for name in description.params],
        "cols": [{"name": col.name, "decltype": col.decltype} for col in description.columns],
        "is_explain": description.is_explain,
        "is_readonly": description.is_readonly,
    }
