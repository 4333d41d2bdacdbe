"""How D1 cuts one `sql` string into statements (workerd's prepare loop, rebuilt on
`lumadb.sql.split.tokens`).

workerd prepares the first statement, skips blanks after it, and if text remains runs the
statement at once (it must have no parameters) and goes on with the rest. So every piece
starts right after the previous one's `;` and blanks, keeps its leading comments and `;`
(SQLite skips those), and error offsets count from the piece's start. Text that remains
but holds no statement (`SELECT 1; -- done`) is an error once the pieces before it ran.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lumadb.sql import limited_writes
from lumadb.sql.split import tokens
from lumadb.storage.sqlite import apsw

NO_STATEMENT = "SQL code did not contain a statement."
NO_STATEMENTS_DETECTED = "No SQL statements detected."
PARAMS_ONLY_LAST = (
    "When executing multiple SQL statements in a single call, only the last statement can have parameters."
)
WRONG_BINDINGS = "Wrong number of parameter bindings for SQL query."

_BLANKS = " \t\n\r\v\f"
# Miniflare's D1 drops entries that are empty once indented `--` comment lines are removed.
_INDENTED_COMMENT = re.compile(r"^\s+--.*", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Piece:
    sql: str
    first_word: str  # upper-cased first keyword ("" when the piece starts with no word)
    refused: str | None = None  # D1's error for it, where D1's build of SQLite refuses it in words of its own
    limited: str | None = None  # the UPDATE/DELETE ... LIMIT this piece rewrites (lumadb/sql/limited_writes.py)


@dataclass(frozen=True, slots=True)
class Plan:
    pieces: tuple[Piece, ...]
    trailing_empty: bool  # text after the last piece held no statement: an error after running them


def _piece(sql: str, first_word: str) -> Piece:
    """A piece, an UPDATE or DELETE with ORDER BY and LIMIT rewritten as D1's SQLite runs it
    (lumadb/sql/limited_writes.py)."""
    if first_word in ("UPDATE", "DELETE", "EXPLAIN", "WITH"):
        refused = limited_writes.refusal(sql)
        if refused is not None:
            return Piece(sql, first_word, f"{refused}: SQLITE_ERROR")
        rewritten = limited_writes.rewritten(sql)
        if rewritten is not None:
            return Piece(rewritten, first_word, limited=sql)
    return Piece(sql, first_word)


def is_dropped(sql: str) -> bool:
    """True for an entry D1's backend skips before executing anything."""
    return not _INDENTED_COMMENT.sub("", sql).strip()


def plan(sql: str) -> Plan:
    return _plan_cached(sql) if len(sql) <= 8192 else _plan(sql)


@lru_cache(maxsize=4096)
def _plan_cached(sql: str) -> Plan:
    return _plan(sql)


def _plan(sql: str) -> Plan:
    if "\x00" in sql:
        # SQLite reads up to a NUL; workerd then finds text it cannot prepare after the pieces
        return Plan(_plan(sql[: sql.index("\x00")]).pieces, True)
    pieces: list[Piece] = []
    start = 0
    first_word = ""
    significant = False
    size = len(sql)
    for token in tokens(sql):
        if token.start < start:
            continue
        kind = token.kind
        if kind == "semi":
            if not significant:
                continue  # a `;` before any statement text: SQLite skips it
            end = token.start + 1
            if apsw.complete(sql[start:end]):
                pieces.append(_piece(sql[start:end], first_word))
                while end < size and sql[end] in _BLANKS:
                    end += 1
                start = end
                significant = False
                first_word = ""
        elif kind not in ("ws", "comment"):
            if not significant:
                first_word = token.text.upper() if kind == "word" else ""
            significant = True
    if start < size:
        if significant:
            pieces.append(_piece(sql[start:], first_word))
        else:
            return Plan(tuple(pieces), True)
    return Plan(tuple(pieces), not pieces)
