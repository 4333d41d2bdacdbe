"""SQL that LumaDB's SQLite (3.54) takes and an older one refuses: sqld runs SQLite 3.45.1 behind
an SQL parser of its own. SQL written against LumaDB must not lean on what came later, or it
would fail once the application moves to Turso (the same rule as for newer functions:
`libsql/namespaces.NEWER_FUNCTIONS`). D1 needs none of this: workerd runs SQLite 3.54.1 since its
1.20261117 release (3.47.0 up to 1.20260730, 3.53.4 in between). Probed on sqld 0.24:

- syntax, in the older SQLite's words: `_` between digits of a number (3.46), ORDER BY inside an
  aggregate's arguments (3.44, which sqld's parser never took), an expression as RAISE's message
  (3.47), ALTER TABLE's ADD [CONSTRAINT c] CHECK, DROP CONSTRAINT and ALTER COLUMN ... SET / DROP
  NOT NULL (3.53; libSQL has its own `ALTER COLUMN c TO`);
- calls: `iif` with other than three arguments (3.48 takes two and more), `log` with two (sqld's
  `log` is its extension functions' natural logarithm, one argument), `jsonb_each` and
  `jsonb_tree` in FROM (3.51: no such table there).

Errors are worded and placed as sqld does. Only a text that holds one of the
words looked for is scanned, and the answer for a short one is kept: an application's statements
come again and again."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from lumadb.sql.split import Token, tokens
from lumadb.storage.sqlite import apsw


class Problem(NamedTuple):
    detail: str  # the older SQLite's message
    offset: int | None  # in bytes, where it has one


# calls whose arity sqld's SQLite takes otherwise: `iif` takes three arguments (3.48 two or
# more), `log` one (sqld's extension functions' natural logarithm)
_ARITIES = {"iif": 3, "log": 1}


_KEPT_TEXT = 2048  # longer statements are checked every time, not kept
# perhaps a number's digit separator (or a name such as a1_b)
_SEPARATOR = re.compile(r"[0-9]_|0[xX][0-9A-Fa-f]*_")
_KEYWORDS = frozenset(apsw.keywords)
_OPERATOR = re.compile(r"\|\||->>|->|<<|>>|<=|>=|==|!=|<>")
# a number as SQLite 3.46 reads it, `_` between digits included
_NUMBER = re.compile(r"0[xX][0-9A-Fa-f_]*|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]*)?")
_RAISE_KINDS = frozenset({"ABORT", "FAIL", "ROLLBACK"})
_NEWER_TABLE_FUNCTIONS = frozenset({"jsonb_each", "jsonb_tree"})
_FROM_CONTEXT = frozenset({"FROM", "JOIN", ","})
# before a name whose `(` opens a list of columns, not a function's arguments
_NAMING = frozenset({"TABLE", "EXISTS", "INTO", "ON", "REFERENCES", "VIEW", "INDEX", "TRIGGER", "FROM", "JOIN",
                     "UPDATE", "WITH", "RECURSIVE", "."})


def syntax_problem(statement: str) -> Problem | None:
    """sqld's parse error for newer syntax in `statement` (one that SQLite 3.54 parses), or
    None. Only a text that holds one of the words or shapes is scanned (a long
    INSERT's tokens cost ~1 ms per KB), and only short texts are kept."""
    lowered = statement.lower()
    if not (_SEPARATOR.search(statement) or "raise" in lowered or "alter" in lowered or "order" in lowered):
        return None
    return _kept(_syntax_problem, statement)


@lru_cache(maxsize=4096)
def _syntax_problem(statement: str) -> Problem | None:
    significant = [t for t in tokens(statement) if t.kind not in ("ws", "comment")]
    for token in significant:
        if token.kind == "other" and (token.text.isdigit() or token.text == "."):
            number = _NUMBER.match(statement, token.start)
            if number is not None and "_" in number.group() and not _follows_word(statement, token.start):
                return Problem(f'unrecognized token: "{number.group()}"', _offset(statement, token))
    return (_aggregate_order(statement, significant) or _raise_expression(statement, significant)
            or _alter_table(statement, significant))


def _kept(check: Any, statement: str) -> Problem | None:
    """`check`'s answer, kept for short texts only (a cache holding long ones would hold on to
    every long INSERT an application sends)."""
    return check(statement) if len(statement) <= _KEPT_TEXT else check.__wrapped__(statement)


def _follows_word(statement: str, start: int) -> bool:
    """A `.` or digit inside a name or right after one (`t.c`, `a1`) starts no number."""
    return start > 0 and (statement[start - 1].isalnum() or statement[start - 1] in "_$")


def _offset(statement: str, token: Token) -> int:
    return len(statement[:token.start].encode())


def _near(statement: str, token: Token) -> Problem:
    """SQLite's words for a token it did not expect (an operator of two or three characters
    whole, though the scanner gives its characters one by one)."""
    operator = _OPERATOR.match(statement, token.start) if token.kind == "other" else None
    return Problem(f'near "{operator.group() if operator else token.text}": syntax error', _offset(statement, token))


def _calls(token: Token | None) -> bool:
    """Whether a `(` after `token` opens a function's arguments (or a table's column list)."""
    if token is None:
        return False
    return token.kind == "quoted" or (token.kind == "word" and token.text.upper() not in _KEYWORDS)


def _aggregate_order(statement: str, significant: list[Token]) -> Problem | None:
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
            return _near(statement, token)
        previous = token
    return None


def _raise_expression(statement: str, significant: list[Token]) -> Problem | None:
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
            return _near(statement, message)
        if len(parts) > 4 and parts[4].text != ")":
            return _near(statement, parts[4])
    return None


def _alter_table(statement: str, significant: list[Token]) -> Problem | None:
    """ALTER TABLE's forms of SQLite 3.53: `ADD [CONSTRAINT c] CHECK`, `DROP CONSTRAINT`, and `ALTER
    [COLUMN] c SET NOT NULL` / `DROP NOT NULL` (libSQL's own `ALTER COLUMN c TO` passes)."""
    words = [t.text.upper() for t in significant[:10]]
    if words[:2] != ["ALTER", "TABLE"]:
        return None
    for index in range(3, len(words)):
        pair = (words[index - 1], words[index])
        if pair in (("ADD", "CONSTRAINT"), ("DROP", "CONSTRAINT"), ("ADD", "CHECK")):
            return _near(statement, significant[index])
        if words[index - 1] == "ALTER":
            column = index + 1 if words[index] == "COLUMN" else index
            if column + 1 < len(words) and words[column + 1] in ("SET", "DROP"):
                return _near(statement, significant[column + 1])
            return None
    return None


def call_problem(statement: str) -> Problem | None:
    """sqld's error for a call `statement` makes (one SQLite 3.54 prepared): a
    function with an arity it did not take, a table-valued function it did not have."""
    lowered = statement.lower()
    if "iif" not in lowered and "log" not in lowered and "jsonb_" not in lowered:
        return None
    return _kept(_call_problem, statement)


@lru_cache(maxsize=4096)
def _call_problem(statement: str) -> Problem | None:
    significant = [t for t in tokens(statement) if t.kind not in ("ws", "comment")]
    for index, token in enumerate(significant[:-1]):
        if token.kind != "word" or significant[index + 1].text != "(":
            continue
        name = token.text.lower()
        if name in _NEWER_TABLE_FUNCTIONS and index and significant[index - 1].text.upper() in _FROM_CONTEXT:
            return Problem(f"no such table: {name}", None)
        wanted = _ARITIES.get(name)
        if wanted is not None and _is_call(significant, index) and _argument_count(significant, index + 1) != wanted:
            return Problem(f"wrong number of arguments to function {token.text}()", _offset(statement, token))
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
