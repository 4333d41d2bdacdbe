"""UPDATE and DELETE with ORDER BY and LIMIT, as SQLite built with SQLITE_ENABLE_UPDATE_DELETE_LIMIT
runs them (workerd's build, and so D1's). The SQLite apsw bundles is built without that option
(the amalgamation cannot take it), so such a statement is rewritten before it is prepared, the
way SQLite's own `sqlite3LimitWhere` rewrites it: the rows to change are those a SELECT of the
table with the statement's WHERE, ORDER BY and LIMIT finds, by rowid.

    DELETE FROM t WHERE w RETURNING r ORDER BY o LIMIT n
    -> DELETE FROM t WHERE (_rowid_) IN (SELECT _rowid_ FROM t WHERE w ORDER BY o LIMIT n) RETURNING r

Comments are left out of the rewritten text; a WITH clause (and EXPLAIN) stays in front of it.
When RETURNING, which moves after the LIMIT, and the clause both hold parameters, every parameter
is first written with the number SQLite gave it (`?3`), so that the values bind as they were
meant to. ORDER BY without LIMIT is SQLite's error (`refusal`). Not rewritten (a syntax error
stands): an UPDATE ... FROM. A WITHOUT ROWID table's rows are named by their primary key
(`key`, which the caller reads from the schema); a view (with INSTEAD OF triggers) has neither:
`no such column: _rowid_`, where SQLite with the option chooses the rows another way."""

from __future__ import annotations

from functools import lru_cache

from lumadb.sql.split import tokens

# SQLITE_MAX_VARIABLE_NUMBER: a `?NNN` past it is left as written, for SQLite to refuse
_MAX_PARAMETER = 32766


def _top_words(sql: str) -> list[tuple[str, int]]:
    """The significant tokens outside parentheses (words upper-cased), with their positions."""
    top: list[tuple[str, int]] = []
    depth = 0
    for token in tokens(sql):
        if token.kind in ("ws", "comment"):
            continue
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0:
            top.append((token.text.upper() if token.kind == "word" else token.text, token.start))
    return top


def _clause(words: list[tuple[str, int]]) -> int | None:
    """Where the ORDER BY or LIMIT of an UPDATE or DELETE starts, if it has one."""
    if not words or words[0][0] not in ("UPDATE", "DELETE"):
        return None
    return next((i for i, (word, _) in enumerate(words)
                 if word == "LIMIT" or (word == "ORDER" and i + 1 < len(words) and words[i + 1][0] == "BY")), None)  # fmt: skip


def _without_comments(sql: str) -> str:
    """`sql` with each comment a blank: the pieces cut out below are glued back on one line."""
    return "".join(" " if token.kind == "comment" else token.text for token in tokens(sql))


def _explained(sql: str) -> tuple[str, str]:
    """(what comes before the UPDATE or DELETE: `EXPLAIN [QUERY PLAN]`, a WITH clause, both; the
    statement from its UPDATE or DELETE), or ("", sql)."""
    words = _top_words(sql)
    if len(words) < 2 or words[0][0] not in ("EXPLAIN", "WITH"):
        return "", sql
    # a WITH clause's tables are in parentheses: its first top-level UPDATE or DELETE is the statement's
    at = next((i for i, (word, _) in enumerate(words) if word in ("UPDATE", "DELETE")), None)
    if at is None:
        return "", sql
    return sql[: words[at][1]], sql[words[at][1] :]


@lru_cache(maxsize=1024)
def refusal(sql: str) -> str | None:
    """SQLite's error for an UPDATE or DELETE with ORDER BY and no LIMIT (D1's text, as Miniflare
    runs it: `ORDER BY without LIMIT on DELETE`)."""
    words = _top_words(_explained(sql)[1])
    clause = _clause(words)
    if clause is None or "LIMIT" in (word for word, _ in words[clause:]):
        return None
    return f"ORDER BY without LIMIT on {words[0][0]}"


def table_of(sql: str) -> tuple[str, str] | None:
    """(schema prefix such as `main.` or "", table name as written) of the table an UPDATE or
    DELETE changes."""
    words = [t for t in tokens(_explained(_without_comments(sql))[1]) if t.kind not in ("ws", "comment")]
    at = 2 if words and words[0].text.upper() == "DELETE" else (3 if len(words) > 2 and words[1].text.upper() == "OR" else 1)
    if len(words) <= at:
        return None
    if len(words) > at + 2 and words[at + 1].text == ".":
        return words[at].text + ".", words[at + 2].text
    return "", words[at].text


def _numbered(sql: str) -> str | None:
    """`sql` with each parameter written `?N`, N being the number SQLite gives it: `?` the next
    after the largest so far, `?N` itself, a name the number of its first appearance (D1 binds
    by position). None when a `?N` is out of range (SQLite's error then stands)."""
    largest = 0
    names: dict[str, int] = {}
    parts: list[str] = []
    for token in tokens(sql):
        if token.kind != "param":
            parts.append(token.text)
            continue
        if token.text == "?":
            largest += 1
            number = largest
        elif token.text[0] == "?":
            number = int(token.text[1:])
            if not 0 < number <= _MAX_PARAMETER:
                return None
            largest = max(largest, number)
        else:
            number = names.get(token.text) or 0
            if not number:
                largest += 1
                number = names[token.text] = largest
        parts.append(f"?{number}")
    return "".join(parts)


@lru_cache(maxsize=1024)
def rewritten(sql: str, key: tuple[str, ...] = ()) -> str | None:
    """`sql` (one UPDATE or DELETE statement, a `;` after it allowed) without its ORDER BY and
    LIMIT, which select the rows it changes; None when it has neither, or is not rewritten.
    The rows are named by `key`, the primary key's columns of a WITHOUT ROWID table, or by rowid.
    EXPLAIN [QUERY PLAN] of such a statement explains the rewritten one."""
    explain, sql = _explained(_without_comments(sql))
    words = _top_words(sql)
    clause = _clause(words)
    if clause is None or "LIMIT" not in (word for word, _ in words[clause:]):
        return None
    end = words[-1][1] if words[-1][0] == ";" else len(sql)
    tail = sql[words[clause][1] : end].rstrip()
    head = words[:clause]
    returning = next((i for i, (word, _) in enumerate(head) if word == "RETURNING"), len(head))
    where = next((i for i, (word, _) in enumerate(head[:returning]) if word == "WHERE"), returning)
    body_end = head[where][1] if where < len(head) else words[clause][1]
    if words[0][0] == "DELETE":
        if len(head) < 3 or head[1][0] != "FROM":
            return None
        target = sql[head[2][1] : body_end].strip()
    else:
        names = [word for word, _ in head[:where]]
        if "SET" not in names or "FROM" in names[names.index("SET") :]:
            return None
        first = 3 if len(head) > 2 and head[1][0] == "OR" else 1
        target = sql[head[first][1] : head[names.index("SET")][1]].strip()
    condition = ""
    if where < returning:
        stop = head[returning][1] if returning < len(head) else words[clause][1]
        condition = " WHERE " + sql[head[where][1] + len("WHERE") : stop].strip()
    after = sql[head[returning][1] : words[clause][1]].rstrip() if returning < len(head) else ""
    if _has_parameters(after) and _has_parameters(tail) and not _all_numbered(after + tail):
        numbered = _numbered(explain + sql)  # moving RETURNING after LIMIT would renumber them
        return None if numbered is None else rewritten(numbered, key)
    # `_rowid_`: a table may have a column named `rowid`, which would hide the real one
    columns = ", ".join(key) or "_rowid_"
    chosen = f"({columns}) IN (SELECT {columns} FROM {target}{condition} {tail})"
    rest = sql[end:] if end < len(sql) else ""
    return f"{explain}{sql[:body_end].rstrip()} WHERE {chosen}{' ' + after if after else ''}{rest}"


def _has_parameters(sql: str) -> bool:
    return any(t.kind == "param" for t in tokens(sql))


def _all_numbered(sql: str) -> bool:
    return all(t.text[0] == "?" and t.text[1:].isdigit() for t in tokens(sql) if t.kind == "param")
