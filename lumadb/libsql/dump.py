"""`GET /dump`: the database as SQL text, as sqld (and the sqlite3 shell's .dump) write it:
`PRAGMA foreign_keys=OFF; BEGIN TRANSACTION;` then each table with its rows, then indexes,
triggers and views, then `COMMIT;`. `?preserve_row_ids=true` keeps rowids."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lumadb.http import Request, Response
from lumadb.libsql.errors import CORS_HEADERS
from lumadb.storage.sqlite import apsw

if TYPE_CHECKING:
    from lumadb.libsql.frontend import LibsqlFrontEnd

_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+(?!IF\s+NOT\s+EXISTS)", re.IGNORECASE)


def quote_name(name: str) -> str:
    if _PLAIN_NAME.fullmatch(name) and name.upper() not in apsw.keywords:
        return name
    return '"' + name.replace('"', '""') + '"'


def dump_sql(conn: apsw.Connection, preserve_row_ids: bool = False) -> str:
    lines = ["PRAGMA foreign_keys=OFF;", "BEGIN TRANSACTION;"]
    conn.execute("BEGIN")  # one snapshot for the whole dump
    try:
        objects: list[tuple[str, str, str]] = [
            (str(kind), str(name), str(sql))
            for kind, name, sql in conn.execute(
                "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid"
            )
        ]
        virtual = [name for kind, name, sql in objects if kind == "table" and sql.upper().startswith("CREATE VIRTUAL")]
        later: list[str] = []
        for kind, name, sql in objects:
            if kind != "table":
                later.append(f"{sql};")
                continue
            if name == "sqlite_sequence":
                lines.append("DELETE FROM sqlite_sequence;")
            elif name.startswith("sqlite_"):
                continue
            else:
                lines.append(_CREATE_TABLE.sub("CREATE TABLE IF NOT EXISTS ", sql, count=1) + ";")
            if name in virtual or any(name.startswith(v + "_") for v in virtual):
                continue  # virtual tables keep their rows in shadow tables they rebuild themselves
            lines.extend(_inserts(conn, name, preserve_row_ids and "WITHOUT ROWID" not in sql.upper()))
        lines.extend(later)
    finally:
        conn.execute("COMMIT")
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def _inserts(conn: apsw.Connection, table: str, with_rowid: bool) -> list[str]:
    quoted = quote_name(table)
    columns = [row[1] for row in conn.execute(f"PRAGMA table_info({quoted})")]
    if not columns:
        return []
    selected = ", ".join(f"quote({quote_name(c)})" for c in columns)
    target = quoted
    if with_rowid:
        selected = "quote(rowid), " + selected
        target = f"{quoted}(rowid,{','.join(quote_name(c) for c in columns)})"
    return [f"INSERT INTO {target} VALUES({','.join(row)});" for row in conn.execute(f"SELECT {selected} FROM {quoted}")]


async def handle_dump(front: LibsqlFrontEnd, request: Request) -> Response:
    context = await front.context(request)
    preserve = request.query_value("preserve_row_ids") == "true"
    text = await context.db.read(dump_sql, preserve)
    return Response(200, text.encode(), b"text/plain; charset=utf-8", list(CORS_HEADERS))
