"""The Hrana `describe` request: parameters, columns with declared types, is_explain and
is_readonly of a statement, without running it (clients decide from it whether to fetch rows)."""

from __future__ import annotations

from typing import Any

from lumadb.libsql.errors import StmtError
from lumadb.sql import Description, describe, is_blank
from lumadb.sql.split import leading_keywords
from lumadb.storage.sqlite import apsw

EMPTY = {"params": [], "cols": [], "is_explain": False, "is_readonly": True}


def describe_result(conn: apsw.Connection, sql: str) -> dict[str, Any]:
    """The description of the first statement in `sql`; StmtError when it does not prepare."""
    if is_blank(sql):
        return dict(EMPTY)
    try:
        description = describe(conn, sql)
    except apsw.AuthError as exc:
        if leading_keywords(sql, 1) != ("ATTACH",):
            raise StmtError.from_sqlite(exc) from None
        description = _describe_attach(conn, sql)
    except (apsw.Error, ValueError) as exc:
        raise StmtError.from_sqlite(exc) from None
    return {
        "params": [{"name": name} for name in description.params],
        "cols": [{"name": col.name, "decltype": col.decltype} for col in description.columns],
        "is_explain": description.is_explain,
        "is_readonly": description.is_readonly,
    }


def _describe_attach(conn: apsw.Connection, sql: str) -> Description:
    """sqld describes an ATTACH of a file (refusing it only when it runs): prepared here with
    the authorizer's refusal lifted, as preparing opens no file."""
    authorizer = conn.authorizer

    def attach_allowed(action: int, *args: Any) -> int:
        if action == apsw.SQLITE_ATTACH or authorizer is None:
            return apsw.SQLITE_OK
        return authorizer(action, *args)

    conn.authorizer = attach_allowed
    try:
        return describe(conn, sql)
    except (apsw.Error, ValueError) as exc:
        raise StmtError.from_sqlite(exc) from None
    finally:
        conn.authorizer = authorizer
