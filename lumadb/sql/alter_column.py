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

from lumadb.sql.split import Token, tokens, unquoted
from lumadb.storage.sqlite import apsw

_TABLE_CONSTRAINTS = ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN")
SYNTAX_ERROR = "syntax error"
_NAMES = ("word", "quoted", "string")  # what SQLite takes as a name
_REFUSED = {"PRIMARY": "PRIMARY KEY", "UNIQUE": "UNIQUE", "GENERATED": "GENERATED", "AS": "GENERATED"}


@dataclass(frozen=True, slots=True)
class AlterColumn:
    schema: str | None  # as the statement names it, if it does ("main" then)
    table: str
    column: str  # as written: `v`, `"v"`
    column_offset: int  # where the column's name starts in the statement (sqld's error offset)
    definition: str  # the text after TO, without a trailing `;` or comment
    definition_offset: int  # where it starts in the statement


def parse(sql: str, *, first_only: bool = False) -> AlterColumn | None:
    """The statement when it is an ALTER COLUMN (`COLUMN` is required, as sqld's parser asks);
    with `first_only`, the first statement of `sql` when it is one. Every schema statement is
    asked (BEGIN, COMMIT, PRAGMA...): only an ALTER is read past its first word."""
    significant = (t for t in tokens(sql) if t.kind not in ("ws", "comment"))
    first = next(significant, None)
    if first is None or first.text.upper() != "ALTER":
        return None
    words = [first, *significant]
    if len(words) < 7 or words[1].text.upper() != "TABLE":
        return None
    schema, at = None, 2
    if len(words) > 4 and words[3].text == ".":
        schema, at = unquoted(words[2]), 4
    rest = words[at:]
    if len(rest) < 5 or [w.text.upper() for w in rest[1:3]] != ["ALTER", "COLUMN"] or rest[4].text.upper() != "TO":
        return None
    if rest[0].kind not in _NAMES or rest[3].kind not in _NAMES:
        return None
    body: list[Token] = []
    for word in rest[5:]:
        if word.kind == "semi":
            if not first_only and any(w.kind != "semi" for w in rest[5 + len(body) :]):
                return None  # a second statement: the caller's to refuse or to split off
            break
        body.append(word)
    if not body:  # `TO` and nothing after it: the definition's syntax error
        end = rest[4].start + len(rest[4].text)
        return AlterColumn(schema, unquoted(rest[0]), rest[3].text, rest[3].start, "", end)
    definition = sql[body[0].start : body[-1].start + len(body[-1].text)]
    return AlterColumn(schema, unquoted(rest[0]), rest[3].text, rest[3].start, definition, body[0].start)


def _error(message: str, offset: int | None = None) -> apsw.SQLError:
    error = apsw.SQLError(message)
    error.result = error.extendedresult = apsw.SQLITE_ERROR  # type: ignore[attr-defined]
    if offset is not None:
        error.error_offset = offset  # type: ignore[attr-defined]
    return error


def run(conn: apsw.Connection, change: AlterColumn) -> None:
    """Apply `change` on `conn` (inside the caller's transaction, if any); raises apsw.SQLError
    with sqld's message for what it refuses."""
    quoted_schema, name, create, span, new_words = prepare(conn, change)
    altered = create[: span[0]] + change.definition + create[span[1] :]
    try:
        _scratch().execute(altered)  # the new text must stand as a table of its own
    except apsw.Error:
        raise _error(altered) from None
    for word in _top_level(new_words[1:]):
        refused = _REFUSED.get(word.text.upper()) if word.kind == "word" else None
        if refused is not None:
            raise _error(f"error in adding {change.definition} to {name}: {refused} constraint cannot be altered")
    _rewrite(conn, quoted_schema, name, altered)


def prepare(conn: apsw.Connection, change: AlterColumn) -> tuple[str, str, str, tuple[int, int], list[Token]]:
    """Check `change` as libSQL does when it prepares the statement (all Hrana's `describe`
    checks): the definition's syntax, then the table, the column and its name. The rest
    (constraints, the new table's text) is checked when it runs. Returns the quoted schema,
    the table's name and CREATE text, the column's span in that text and the new definition's
    words; apsw.SQLError for what libSQL refuses."""
    problem = definition_syntax_error(change)
    if problem is not None:
        message, offset = problem
        raise _error(message, None if offset is None else change.definition_offset + offset)
    if change.table.lower() in ("sqlite_master", "sqlite_schema"):
        raise _error("table sqlite_master may not be altered")
    quoted_schema = '"' + (change.schema or "main").replace('"', '""') + '"'
    try:
        found = conn.execute(
            f"SELECT name, type, sql FROM {quoted_schema}.sqlite_schema WHERE type IN ('table', 'view') AND name = ? COLLATE NOCASE",
            (change.table,),
        ).fetchone()
    except apsw.SQLError:
        found = None  # an unknown schema
    if found is None:
        raise _error(f"no such table: {change.table if change.schema is None else change.schema + '.' + change.table}")
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
    return quoted_schema, name, create, span, new_words


def definition_syntax_error(change: AlterColumn) -> tuple[str, int | None] | None:
    """SQLite's words for a column definition that does not parse as one (one column only),
    with where in the definition, if anywhere: a definition that ends too soon is `incomplete
    input`, at no offset."""
    words = [t for t in tokens(change.definition) if t.kind not in ("ws", "comment")]
    if not words:
        return "incomplete input", None
    depth = 0
    for word in words:  # what would end the one column's definition early
        depth += (word.text == "(") - (word.text == ")")
        if depth < 0 or (depth == 0 and word.text == ","):
            return f'near "{word.text}": {SYNTAX_ERROR}', word.start
    head = "CREATE TABLE t ("
    try:
        apsw.ext.query_info(_scratch(), f"{head}{change.definition})")
    except apsw.Error as exc:
        message = str(exc)
        if SYNTAX_ERROR in message or "incomplete input" in message or "unrecognized token" in message:
            offset = getattr(exc, "error_offset", -1) - len(head)
            if offset >= len(change.definition):  # at the `)` closing it here
                return "incomplete input", None
            return message, offset if offset >= 0 else None
    return None


def _scratch() -> apsw.Connection:
    """An empty database to try a CREATE TABLE text on; it has every collation asked of it,
    since libSQL accepts a definition with a collation it does not know."""
    scratch = apsw.Connection(":memory:")
    scratch.collation_needed(lambda conn, name: conn.create_collation(name, _binary))
    return scratch


def _binary(left: str, right: str) -> int:
    return (left > right) - (left < right)


def _name_of(written: str) -> str:
    return unquoted(next(tokens(written)))


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
    return first.kind in ("word", "quoted", "string") and unquoted(first).strip("'").lower() == column.lower()


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
