"""What sqld checks when a statement creates a vector index
(`CREATE INDEX i ON t (libsql_vector_idx(column, 'key=value'...))`), with its messages: one
column wrapped in `libsql_vector_idx`, string options libSQL knows, a column declared as a
vector (`F32_BLOB(3)`, `FLOAT64(768)`...), and every row already there a vector of that type
and size. SQLite itself answers what it would refuse anyway (a missing table or column, an
index that exists)."""

from __future__ import annotations

import re

import apsw

from lumadb.libsql import vector_index
from lumadb.sql.split import Token, tokens, unquoted

_PREFIX = "vector index: "
_TYPE_NAMES = ("FLOAT32", "F32_BLOB", "FLOAT64", "F64_BLOB", "FLOAT1BIT", "F1BIT_BLOB", "FLOAT8", "F8_BLOB", "FLOAT16",
               "F16_BLOB", "FLOATB16", "FB16_BLOB")  # fmt: skip
# each key and, for the enumerated ones, its values (a value names the first one it is a prefix of)
_OPTIONS: dict[str, tuple[str, ...] | str] = {
    "type": ("diskann",),
    "metric": ("cosine", "l2"),
    "compress_neighbors": ("float1bit", "float8", "float16", "floatb16", "float32"),
    "alpha": "float",
    "search_l": "integer",
    "insert_l": "integer",
    "max_neighbors": "integer",
}
_FLOAT = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*\Z")
_LEADING_INTEGER = re.compile(r"\s*([+-]?)(\d+)")


def _error(message: str) -> apsw.SQLError:
    return apsw.SQLError(_PREFIX + message)


def check(conn: apsw.Connection, sql: str) -> None:
    """Raise sqld's error when `sql` creates a vector index it would refuse."""
    words = [t for t in tokens(sql) if t.kind not in ("ws", "comment")]
    upper = [t.text.upper() for t in words]
    if upper[:1] != ["CREATE"]:
        return
    at = 2 if upper[1:2] == ["UNIQUE"] else 1
    if upper[at : at + 1] != ["INDEX"]:
        return
    at += 1
    if upper[at : at + 3] == ["IF", "NOT", "EXISTS"]:
        at += 3
    if upper[at + 1 : at + 2] == ["."]:
        at += 2
    name_token, at = words[at : at + 1], at + 1
    if upper[at : at + 1] != ["ON"] or not name_token or len(words) < at + 3 or words[at + 2].text != "(":
        return
    table = unquoted(words[at + 1])
    expressions = _split(words[at + 3 :])
    calls = [e for e in expressions if e and e[0].text.lower() == "libsql_vector_idx" and e[1:2] and e[1].text == "("]
    if not calls:
        return  # an ordinary index (libsql_vector_idx inside another expression is one too)
    index_name = unquoted(name_token[0])
    exists = conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ? COLLATE NOCASE", (index_name,))
    if exists.fetchone() is not None or not _table_exists(conn, table):
        return
    if len(expressions) != 1:
        raise _error("must contain exactly one column wrapped into the libsql_vector_idx function")
    call = calls[0]
    closing = _closing(call, 1)
    if any(t.text.upper() == "COLLATE" for t in call[closing + 1 :]):
        raise _error("collation in expression is forbidden")
    arguments = _split(call[2:closing])
    if not arguments or len(arguments[0]) != 1 or arguments[0][0].kind not in ("word", "quoted"):
        raise _error("libsql_vector_idx first argument must be a column token")
    if any(len(a) != 1 or a[0].kind != "string" for a in arguments[1:]):
        raise _error("all arguments after first must be strings")
    column = unquoted(arguments[0][0])
    columns = {str(row[1]).lower(): row for row in conn.execute("SELECT cid, name, type, pk FROM pragma_table_xinfo(?)", (table,))}
    found = columns.get(column.lower())
    if found is None:
        return  # SQLite's "no such column"
    declared = str(found[2] or "")
    keys, has_rowid = sum(1 for row in columns.values() if row[3]), _has_rowid(conn, table)
    if found[3] == 1 and declared.upper() == "INTEGER" and keys == 1 and has_rowid:  # the rowid itself
        raise _error("libsql_vector_idx first argument must be column with vector type")
    _column_type(declared)
    if not has_rowid and keys > 1:
        raise _error("unsupported for tables without ROWID and composite primary key")
    _options([unquoted(a[0]) for a in arguments[1:]])
    if "WHERE" in upper[_closing(words, at + 2) + 1 :]:
        return  # a partial index: its rows are the ones its WHERE picks (left to the writes)
    index = vector_index.index_of_column(conn, table, column)
    if index is not None:
        quoted = vector_index.quote_name(column)
        for (value,) in conn.execute(f"SELECT {quoted} FROM {vector_index.quote_name(table)} WHERE {quoted} IS NOT NULL"):
            vector_index.check_write(value, [index])


def _closing(words: list[Token], opening: int) -> int:
    depth = 0
    for position in range(opening, len(words)):
        depth += words[position].text == "("
        depth -= words[position].text == ")"
        if depth == 0:
            return position
    return len(words) - 1


def _split(words: list[Token]) -> list[list[Token]]:
    """The comma-separated parts of a parenthesised list, up to its closing parenthesis."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for word in words:
        if word.text == "(":
            depth += 1
        elif word.text == ")":
            if depth == 0:
                break
            depth -= 1
        elif word.text == "," and depth == 0:
            parts.append([])
            continue
        parts[-1].append(word)
    return [part for part in parts if part] if parts != [[]] else []


def _table_exists(conn: apsw.Connection, table: str) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE", (table,))
    return found.fetchone() is not None


def _has_rowid(conn: apsw.Connection, table: str) -> bool:
    listed = conn.execute("SELECT wr FROM pragma_table_list WHERE name = ? COLLATE NOCASE", (table,)).fetchone()
    return not (listed and listed[0])


def _column_type(declared: str) -> None:
    """libSQL's reading of a vector column's type: a type name, then `(dimensions)`."""
    upper = declared.upper()
    name = next((n for n in _TYPE_NAMES if upper.startswith(n)), None)
    rest = declared[len(name) :].lstrip(" ") if name else ""
    if name is None or not rest.startswith("("):
        raise _error(f"unexpected vector column type: {declared}")
    inside = rest[1:].split(")", 1)[0].strip(" ")
    if not inside.isdigit() or not inside.isascii():
        raise _error(f"non digit symbol in vector column parameter: {declared}")
    dims = int(inside)
    if dims == 0:
        raise _error(f"vector column must have non-zero dimension for index: {declared}")
    if dims > 65536:
        raise _error(f"max vector dimension exceeded: {declared}")


def _options(options: list[str]) -> None:
    chosen: dict[str, str] = {}
    for option in options:
        key, equals, value = option.partition("=")
        if not equals:
            raise _error(f"invalid vector index parameter '{option}': unexpected parameter format")
        kind = _OPTIONS.get(key.lower())
        if kind is None:
            raise _error(f"invalid vector index parameter '{option}': invalid parameter")
        if isinstance(kind, tuple):
            match = next((v for v in kind if v.startswith(value.lower())), None)
            if match is None:
                raise _error(f"invalid vector index parameter '{option}': invalid parameter")
            chosen[key.lower()] = match
        elif kind == "float":
            if not _FLOAT.match(value):
                raise _error(f"invalid vector index parameter '{option}': invalid representation of floating point "
                             "vector index parameter")  # fmt: skip
        else:
            leading = _LEADING_INTEGER.match(value)
            number = int(leading.group(1) + leading.group(2)) if leading else 0
            if number < 0:
                raise _error(f"invalid vector index parameter '{option}': integer vector index parameter must be positive")
            if number == 0:
                raise _error(f"invalid vector index parameter '{option}': invalid representation of integer vector index "
                             "parameter")  # fmt: skip
    if chosen.get("compress_neighbors") == "float1bit" and chosen.get("metric") == "l2":
        raise _error("unable to initialize diskann: 1-bit compression available only for cosine metric")
