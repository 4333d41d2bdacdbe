"""libSQL's `ALTER TABLE t ALTER COLUMN c TO <column definition>`, which SQLite lacks (Drizzle's
turso dialect sends it for every change of a column's type). As libSQL does it, the table's
CREATE TABLE text in the schema gets the new definition in place of the column's, and nothing
else changes: existing rows are neither rewritten nor checked against the new constraints.

sqld 0.24's answers are the model (messages, which errors carry the column's offset): the
column keeps its name (a new one is `UPDATE cannot also rename column`), and a definition
may not add PRIMARY KEY, UNIQUE or GENERATED. A definition SQLite refuses in the new
CREATE TABLE text (a CHECK naming an unknown column, a second primary key) fails with that
text as its message, as sqld's does."""

from __future__ import annotations

from dataclasses import dataclass

from lumadb.sql.split import Token, tokens
from lumadb.storage.sqlite import apsw

_TABLE_CONSTRAINTS = ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN")
SYNTAX_ERROR = "syntax error"
_REFUSED = {"PRIMARY": "PRIMARY KEY", "UNIQUE": "UNIQUE", "GENERATED": "GENERATED", "AS": "GENERATED"}


@dataclass(frozen=True, slots=True)
class AlterColumn:
    schema: str  # "main" unless the statement names one
    table: str
    column: str  # as written: `v`, `"v"`
    column_offset: int  # where the column's name starts in the statement (sqld's error offset)
    definition: str  # the text after TO, without a trailing `;` or comment


def parse(sql: str) -> AlterColumn | None:
    """The statement when it is an ALTER COLUMN (`COLUMN` is required, as sqld's parser asks).
    Every schema statement is asked (BEGIN, COMMIT, PRAGMA...): only an ALTER is read past its
    first word."""
    significant = (t for t in tokens(sql) if t.kind not in ("ws", "comment"))
    first = next(significant, None)
    if first is None or first.text.upper() != "ALTER":
        return None
    words = [first, *significant]
    if len(words) < 8 or words[1].text.upper() != "TABLE":
        return None
    schema, at = "main", 2
    if len(words) > 4 and words[3].text == ".":
        schema, at = _name(words[2]), 4
    rest = words[at:]
    if len(rest) < 6 or [w.text.upper() for w in rest[1:3]] != ["ALTER", "COLUMN"] or rest[4].text.upper() != "TO":
        return None
    if rest[0].kind not in ("word", "quoted") or rest[3].kind not in ("word", "quoted"):
        return None
    body = [w for w in rest[5:] if w.kind != "semi"]
    if not body or any(w.kind == "semi" for w in rest[5 : 5 + len(body)]):
        return None
    definition = sql[body[0].start : body[-1].start + len(body[-1].text)]
    return AlterColumn(schema, _name(rest[0]), rest[3].text, rest[3].start, definition)


def _name(token: Token) -> str:
    text = token.text
    if token.kind != "quoted":
        return text
    if text[0] == "[":
        return text[1:-1]
    return text[1:-1].replace(text[0] * 2, text[0])


def _error(message: str, offset: int | None = None) -> apsw.SQLError:
    error = apsw.SQLError(message)
    error.result = error.extendedresult = apsw.SQLITE_ERROR  # type: ignore[attr-defined]
    if offset is not None:
        error.error_offset = offset  # type: ignore[attr-defined]
    return error


def run(conn: apsw.Connection, change: AlterColumn) -> None:
    """Apply `change` on `conn` (inside the caller's transaction, if any); raises apsw.SQLError
    with sqld's message for what it refuses."""
    if change.table.lower() in ("sqlite_master", "sqlite_schema"):
        raise _error("table sqlite_master may not be altered")
    quoted_schema = '"' + change.schema.replace('"', '""') + '"'
    try:
        found = conn.execute(
            f"SELECT name, type, sql FROM {quoted_schema}.sqlite_schema WHERE type IN ('table', 'view') AND name = ? COLLATE NOCASE",
            (change.table,),
        ).fetchone()
    except apsw.SQLError:
        found = None  # an unknown schema
    if found is None:
        raise _error(f"no such table: {change.table}")
    name, kind, create = found
    if name.lower().startswith("sqlite_"):
        raise _error(f"table {name} may not be altered")
    if kind == "view":
        raise _error(f'cannot rename columns of view "{name}"')
    if create.upper().startswith("CREATE VIRTUAL"):
        raise _error(f'cannot rename columns of virtual table "{name}"')
    span = _column_span(create, _name_of(change.column))
    if span is None:
        raise _error(f'no such column: "{change.column}"', change.column_offset)
    new_words = [t for t in tokens(change.definition) if t.kind not in ("ws", "comment")]
    if new_words[0].text.lower() != change.column.lower():
        raise _error(
            f'UPDATE cannot also rename column: "{change.column}" to "{new_words[0].text}". Use ALTER TABLE RENAME instead',
            change.column_offset,
        )
    top = _top_level(new_words[1:])
    if any(word.text == "," for word in top):
        raise _error(f'near ",": {SYNTAX_ERROR}')
    altered = create[: span[0]] + change.definition + create[span[1] :]
    try:
        apsw.Connection(":memory:").execute(altered)  # the new text must stand as a table of its own
    except apsw.Error:
        raise _error(altered) from None
    for word in top:
        refused = _REFUSED.get(word.text.upper()) if word.kind == "word" else None
        if refused is not None:
            raise _error(f"error in adding {change.definition} to {name}: {refused} constraint cannot be altered")
    _rewrite(conn, quoted_schema, name, altered)


def definition_syntax_error(change: AlterColumn) -> str | None:
    """SQLite's words for a column definition that does not parse as one (one column only)."""
    words = [t for t in tokens(change.definition) if t.kind not in ("ws", "comment")]
    if any(word.text == "," for word in _top_level(words)):
        return f'near ",": {SYNTAX_ERROR}'
    try:
        apsw.ext.query_info(apsw.Connection(":memory:"), f"CREATE TABLE t ({change.definition})")
    except apsw.Error as exc:
        if SYNTAX_ERROR in str(exc) or "incomplete input" in str(exc) or "unrecognized token" in str(exc):
            return str(exc)
    return None


def _name_of(written: str) -> str:
    return _name(next(tokens(written)))


def _top_level(words: list[Token]) -> list[Token]:
    depth, top = 0, []
    for word in words:
        if word.text == "(":
            depth += 1
        elif word.text == ")":
            depth -= 1
        elif depth == 0:
            top.append(word)
    return top


def _column_span(create: str, column: str) -> tuple[int, int] | None:
    """Where the definition of `column` starts and ends in a CREATE TABLE text."""
    depth = 0
    item: list[Token] = []
    for token in tokens(create):
        if token.kind in ("ws", "comment"):
            continue
        if token.text == "(":
            depth += 1
            if depth == 1:
                continue
        elif token.text == ")":
            depth -= 1
        if depth == 0 or (depth == 1 and token.text == ","):
            if item and _defines(item[0], column):
                return item[0].start, item[-1].start + len(item[-1].text)
            item = []
            if depth == 0 and token.text == ")":
                return None
            continue
        if depth >= 1:
            item.append(token)
    return None


def _defines(first: Token, column: str) -> bool:
    if first.kind == "word" and first.text.upper() in _TABLE_CONSTRAINTS:
        return False
    return first.kind in ("word", "quoted", "string") and _name(first).strip("'").lower() == column.lower()


def _rewrite(conn: apsw.Connection, quoted_schema: str, table: str, create: str) -> None:
    """The way SQLite's documentation changes a table's definition in place: edit its row in
    sqlite_schema, then move the schema version on so that every connection reads it again."""
    defensive = conn.config(apsw.SQLITE_DBCONFIG_DEFENSIVE, -1)
    conn.config(apsw.SQLITE_DBCONFIG_DEFENSIVE, 0)
    try:
        version = conn.execute(f"PRAGMA {quoted_schema}.schema_version").fetchone()[0]  # type: ignore[index]
        conn.execute("PRAGMA writable_schema = ON")
        try:
            conn.execute(
                f"UPDATE {quoted_schema}.sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?", (create, table)
            )
            conn.execute(f"PRAGMA {quoted_schema}.schema_version = {int(version) + 1}")
        finally:
            conn.execute("PRAGMA writable_schema = OFF")
    finally:
        conn.config(apsw.SQLITE_DBCONFIG_DEFENSIVE, defensive)
