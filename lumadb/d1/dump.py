"""A D1 database as SQL text, in the format D1's export and Miniflare's dump produce:
`PRAGMA defer_foreign_keys=TRUE;`, then each table's CREATE and `INSERT INTO "t" VALUES(...)`
lines, then indexes, triggers and views.

Kept differences (docs/compatibility.md): integers are written exactly (JavaScript would
round beyond 2^53), reals keep a decimal point so they stay REAL, and FTS5 and R*Tree tables
are exported (D1 refuses databases with virtual tables) as their CREATE VIRTUAL TABLE plus
their rows, their shadow tables left out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

from lumadb.storage.sqlite import apsw


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_text(text: str) -> str:
    """SQLite string literal; newlines kept readable the way D1's dump does it."""
    has_lf = "\n" in text
    has_cr = "\r" in text
    body = text.replace("'", "''").replace("\n", "\\n").replace("\r", "\\r")
    out = f"'{body}'"
    if has_cr:
        out = f"replace({out},'\\r',char(13))"
    if has_lf:
        out = f"replace({out},'\\n',char(10))"
    return out


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "1e999" if value > 0 else "-1e999"
        if math.isnan(value):
            return "NULL"
        return repr(value)
    if isinstance(value, bytes):
        return f"X'{value.hex()}'"
    return quote_text(str(value))


def _table_kinds(conn: apsw.Connection) -> dict[str, str]:
    return {row[1]: row[2] for row in conn.execute("PRAGMA main.table_list") if row[0] == "main"}


def dump_sql(conn: apsw.Connection, *, no_schema: bool = False, no_data: bool = False,
             tables: Iterable[str] = ()) -> Iterator[str]:
    """Lines of SQL (each ending with `;`) recreating the database read through `conn`."""
    wanted = set(tables)
    yield "PRAGMA defer_foreign_keys=TRUE;"
    kinds = _table_kinds(conn)
    rows: list[tuple[str, str]] = conn.execute(  # type: ignore[assignment]
        "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql NOT NULL "
        "ORDER BY tbl_name = 'sqlite_sequence', rowid"
    ).fetchall()
    for name, sql in rows:
        if wanted and name not in wanted:
            continue
        if name == "sqlite_sequence":
            if not no_schema:
                yield "DELETE FROM sqlite_sequence;"
        elif name.startswith("sqlite_stat"):
            if not no_schema:
                yield "ANALYZE sqlite_schema;"
        elif name.startswith(("_cf_", "sqlite_")) or kinds.get(name) == "shadow":
            continue
        elif not no_schema:
            if sql.startswith(("CREATE TABLE '", 'CREATE TABLE "')):
                yield f"CREATE TABLE IF NOT EXISTS {sql[13:]};"
            else:
                yield f"{sql};"
        if not no_data:
            yield from _rows(conn, name, virtual=kinds.get(name) == "virtual")
    if not no_schema:
        rest = conn.execute(
            "SELECT name, sql FROM sqlite_schema WHERE sql NOT NULL AND type IN ('index', 'trigger', 'view') "
            "ORDER BY type COLLATE NOCASE"
        ).fetchall()
        for other, other_sql in rest:
            # D1 keeps only objects named in `tables` when a table list is given.
            if not wanted or other in wanted:
                yield f"{other_sql};"


def _rows(conn: apsw.Connection, table: str, *, virtual: bool) -> Iterator[str]:
    columns = [row[1] for row in conn.execute(f"PRAGMA main.table_info({quote_name(table)})")]
    if not columns:
        return
    names = ", ".join(quote_name(c) for c in columns)
    target = quote_name(table)
    if virtual:
        # rowids matter to external-content FTS tables; the virtual table rebuilds its index
        select = f"SELECT rowid, {names} FROM {target}"
        target = f"{target}(rowid, {names})"
    else:
        select = f"SELECT {names} FROM {target}"
    for row in conn.execute(select):
        yield f"INSERT INTO {target} VALUES({','.join(literal(v) for v in row)});"
