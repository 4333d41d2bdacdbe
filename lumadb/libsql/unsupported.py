"""Statements sqld refuses before running them: `SQL string could not be parsed: unsupported
statement: <the SQL>` (SQL_PARSE_ERROR). sqld classifies every statement it is given (its
`query_analysis`) and refuses what it cannot classify: whatever is bound to one connection
(temporary tables, views and triggers, ATTACH), VACUUM and ANALYZE, and every PRAGMA outside its
lists, including most settings when given a value (`PRAGMA cache_size = 100`; read without one,
they pass). Probed on sqld 0.24: `REINDEX` and `DETACH` run there, and a view or trigger named
in the `temp` schema without TEMP is created; so they are here."""

from __future__ import annotations

from lumadb.sql.split import tokens

_ALLOWED_FIRST = frozenset({
    "SELECT", "VALUES", "WITH", "INSERT", "REPLACE", "UPDATE", "DELETE", "BEGIN", "COMMIT", "END",
    "ROLLBACK", "SAVEPOINT", "RELEASE", "ALTER", "DROP", "REINDEX", "DETACH", "CREATE", "PRAGMA",
    "EXPLAIN",
})  # fmt: skip

# pragmas sqld runs with or without a value
_PRAGMAS = frozenset({
    "table_list", "index_list", "table_info", "table_xinfo", "index_info", "index_xinfo", "pragma_list",
    "compile_options", "database_list", "function_list", "module_list", "encoding",
    "defer_foreign_keys", "foreign_keys", "foreign_key_list", "foreign_key_check", "collation_list",
    "data_version", "freelist_count", "integrity_check", "legacy_file_format", "page_count",
    "quick_check", "stats", "user_version",
})  # fmt: skip
# pragmas sqld runs only without a value (reading the setting)
_PRAGMAS_READ_ONLY = frozenset({
    "analysis_limit", "application_id", "auto_vacuum", "automatic_index", "busy_timeout",
    "cache_size", "cache_spill", "cell_size_check", "checkpoint_fullfsync", "fullfsync",
    "hard_heap_limit", "journal_mode", "journal_size_limit", "legacy_alter_table", "locking_mode",
    "max_page_count", "mmap_size", "page_size", "query_only", "read_uncommitted",
    "recursive_triggers", "reverse_unordered_selects", "schema_version", "secure_delete",
    "soft_heap_limit", "synchronous", "temp_store", "threads", "trusted_schema", "wal_autocheckpoint",
})  # fmt: skip


def refused(sql: str) -> bool:
    """Whether sqld refuses this statement (already checked for syntax) as unsupported."""
    words = [(t.kind, t.text) for t in _significant(sql, 12)]
    if not words or words[0][0] != "word":
        return False  # (nothing sqld would classify differently: the syntax check speaks first)
    first = words[0][1].upper()
    if first not in _ALLOWED_FIRST:
        return True  # VACUUM, ANALYZE, ATTACH
    if first == "EXPLAIN":
        rest = words[1:]
        if len(rest) >= 2 and rest[0][1].upper() == "QUERY" and rest[1][1].upper() == "PLAN":
            return False
        return bool(rest) and rest[0][1].upper() == "PRAGMA" and _pragma_refused(rest[1:])
    if first == "PRAGMA":
        return _pragma_refused(words[1:])
    if first == "CREATE":
        return _temporary(words[1:])
    if first == "WITH":
        return _writes_reserved_after_with(sql)
    return _writes_reserved(first, words[1:])


def _pragma_refused(words: list[tuple[str, str]]) -> bool:
    if len(words) >= 3 and words[1][1] == ".":  # schema.name
        words = words[2:]
    if not words:
        return True
    name = words[0][1].lower()
    with_value = len(words) > 1 and words[1][1] in ("=", "(")
    if name in _PRAGMAS:
        return False
    if name in _PRAGMAS_READ_ONLY:
        return with_value
    return True


def _temporary(words: list[tuple[str, str]]) -> bool:
    """CREATE TEMP ..., or a table created in the `temp` schema."""
    if not words:
        return False
    second = words[0][1].upper()
    if second in ("TEMP", "TEMPORARY"):
        return True
    if second == "VIRTUAL" and len(words) > 1 and words[1][1].upper() == "TABLE":
        words = words[1:]
        second = "TABLE"
    if second != "TABLE":
        return False
    rest = words[1:]
    if len(rest) >= 3 and [w[1].upper() for w in rest[:3]] == ["IF", "NOT", "EXISTS"]:
        rest = rest[3:]
    # (only an unquoted `temp`: sqld creates `"temp".x` in the main schema's place)
    return len(rest) >= 2 and rest[0][0] == "word" and rest[0][1].upper() == "TEMP" and rest[1][1] == "."


# tables sqld keeps for itself: no INSERT, UPDATE, DELETE, DROP or ALTER names them (unquoted)
_RESERVED = frozenset({"_litestream_seq", "_litestream_lock", "libsql_wasm_func_table"})


def _writes_reserved(first: str, words: list[tuple[str, str]]) -> bool:
    """A write whose target is one of sqld's reserved tables (`words` follow the first word)."""
    texts = [text.upper() for _, text in words]
    if first in ("INSERT", "REPLACE"):
        at = texts.index("INTO") + 1 if "INTO" in texts else len(texts)
    elif first == "UPDATE":
        at = 2 if texts[:1] == ["OR"] else 0
    elif first == "DELETE":
        at = 1 if texts[:1] == ["FROM"] else len(texts)
    elif first in ("DROP", "ALTER") and texts[:1] == ["TABLE"]:
        at = 1
        if texts[1:3] == ["IF", "EXISTS"]:
            at = 3
    else:
        return False
    target = words[at:at + 3]
    if len(target) == 3 and target[1][1] == ".":
        target = target[2:]
    return bool(target) and target[0][0] == "word" and target[0][1].lower() in _RESERVED


def _writes_reserved_after_with(sql: str) -> bool:
    """`WITH ... INSERT|REPLACE|UPDATE|DELETE` on one of sqld's reserved tables: the statement
    after the common table expressions, at depth 0 of the parentheses."""
    depth = 0
    rest: list[tuple[str, str]] | None = None
    for token in tokens(sql):
        if token.kind in ("ws", "comment"):
            continue
        if rest is not None:
            rest.append((token.kind, token.text))
            if len(rest) == 12:
                break
        elif token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0 and token.kind == "word":
            word = token.text.upper()
            if word in ("SELECT", "VALUES"):
                return False
            if word in ("INSERT", "REPLACE", "UPDATE", "DELETE"):
                first, rest = word, []
    return rest is not None and _writes_reserved(first, rest)


def _significant(sql: str, count: int) -> list:
    out = []
    for token in tokens(sql):
        if token.kind in ("ws", "comment"):
            continue
        out.append(token)
        if len(out) == count:
            break
    return out
