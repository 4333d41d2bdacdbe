"""D1's SQL policy: the limits and the authorizer workerd puts on every D1 connection.

Trusted statements (the storage layer's BEGIN/SAVEPOINT/COMMIT, LumaDB's own dumps) run
with the policy off; user SQL runs inside `user_sql()`, which switches it on for the
calling thread. The authorizer only runs while SQLite prepares a statement, so a cached
statement is never re-checked: statements whose text could equal a trusted one
(PRAGMA, transaction control) are therefore always prepared afresh (`must_prepare`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from lumadb.storage.sqlite import apsw

# workerd's SqliteDatabase::setupSecurity limits (probed on workerd 1.20261117; up to
# 1.20260730 a string or blob took 2,200,000 bytes and a statement 21,504 VDBE ops).
MAX_SQL_BYTES = 100_000
LIMITS = {
    apsw.SQLITE_LIMIT_LENGTH: 8_388_642,
    apsw.SQLITE_LIMIT_SQL_LENGTH: MAX_SQL_BYTES,
    apsw.SQLITE_LIMIT_COLUMN: 100,
    apsw.SQLITE_LIMIT_EXPR_DEPTH: 100,
    apsw.SQLITE_LIMIT_COMPOUND_SELECT: 5,
    # A statement's op array doubles from 1 KB of ops; D1 refuses it (out of memory) once it
    # would grow past 172,032 ops (21 x 2^13 of its 48-byte ops: 8 MB). This SQLite's ops take
    # 40 bytes, so its arrays hold 25 x 2^k: 204,800 lets through everything D1 runs (a little
    # more besides).
    apsw.SQLITE_LIMIT_VDBE_OP: 204_800,
    apsw.SQLITE_LIMIT_FUNCTION_ARG: 127,
    apsw.SQLITE_LIMIT_ATTACHED: 0,
    apsw.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 50,
    apsw.SQLITE_LIMIT_VARIABLE_NUMBER: 100,
    apsw.SQLITE_LIMIT_TRIGGER_DEPTH: 10,
    apsw.SQLITE_LIMIT_WORKER_THREADS: 0,
}

TRANSACTION_REFUSED = (
    "To execute a transaction, please use the state.storage.transaction() or "
    "state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT "
    "statements. The JavaScript API is safer because it will automatically roll back on "
    "exceptions, and because it interacts correctly with Durable Objects' automatic atomic "
    "write coalescing."
)

# The functions D1 lets SQL call (workerd's allowlist, observed against Miniflare's D1 on
# workerd 1.20261117: R*Tree's `rtreecheck` since that release).
_FUNCTION_NAMES = """
abs changes char coalesce concat concat_ws format glob hex ifnull iif instr last_insert_rowid
length like likelihood likely load_extension lower ltrim max_scalar min_scalar nullif
octet_length printf quote random randomblob replace round rtrim sign soundex substr substring
total_changes trim typeof unhex unicode unlikely upper zeroblob
date time datetime julianday unixepoch strftime timediff current_date current_time current_timestamp
avg count group_concat max min string_agg sum total
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
acos acosh asin asinh atan atan2 atanh ceil cos cosh degrees exp floor ln log log2 mod pi pow
radians sin sinh sqrt tan tanh trunc
json json_array json_array_length json_extract -> ->> json_insert json_object json_patch json_remove
json_replace json_set json_type json_valid json_quote json_group_array json_group_object json_each json_tree
jsonb jsonb_array jsonb_extract jsonb_insert jsonb_object jsonb_patch jsonb_remove jsonb_replace
jsonb_set jsonb_group_array jsonb_group_object
match highlight bm25 snippet rtreecheck
sqlite_rename_column sqlite_rename_table sqlite_rename_test sqlite_drop_column sqlite_rename_quotefix
"""
ALLOWED_FUNCTIONS = frozenset(_FUNCTION_NAMES.split())

# Pragma name -> what its argument may be.
_NO_ARG, _BOOLEAN, _OBJECT, _OPTIONAL_OBJECT, _NUMBER, _NUMBER_OR_OBJECT = range(6)
ALLOWED_PRAGMAS = {
    "data_version": _NO_ARG,
    "page_size": _NO_ARG,  # since workerd 1.20261117 (R*Tree reads it when it creates a table)
    "case_sensitive_like": _BOOLEAN,
    "foreign_keys": _BOOLEAN,
    "defer_foreign_keys": _BOOLEAN,
    "ignore_check_constraints": _BOOLEAN,
    "legacy_alter_table": _BOOLEAN,
    "recursive_triggers": _BOOLEAN,
    "reverse_unordered_selects": _BOOLEAN,
    "foreign_key_check": _OPTIONAL_OBJECT,
    "foreign_key_list": _OBJECT,
    "index_info": _OBJECT,
    "index_list": _OBJECT,
    "index_xinfo": _OBJECT,
    "quick_check": _NUMBER_OR_OBJECT,
    "optimize": _NUMBER,
}
# The toggles above that outlive a statement on a connection; reset after a request sets one.
CONNECTION_TOGGLES = {
    "case_sensitive_like": "OFF",
    "ignore_check_constraints": "OFF",
    "legacy_alter_table": "OFF",
    "recursive_triggers": "OFF",
    "reverse_unordered_selects": "OFF",
}
_BOOLEAN_WORDS = ("true", "false", "yes", "no", "on", "off", "1", "0")
_INT = re.compile(r"[+-]?[0-9]+")
_HEX = re.compile(r"[+-]?0[xX][0-9a-fA-F]+")
_ALWAYS_PREPARE = frozenset({"PRAGMA", "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})

_OK = apsw.SQLITE_OK
_DENY = apsw.SQLITE_DENY
_state = threading.local()


class TransactionRefused(Exception):
    """User SQL tried BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE (D1 has no interactive transactions)."""


def allowed_name(name: str | None) -> bool:
    # `_cf_` names belong to Cloudflare; `_CF_x` only draws a warning in workerd.
    return name is None or not name.startswith("_cf_")


def _pragma_allowed(pragma: str, arg: str | None) -> bool:
    if pragma == "table_list":
        return True
    if pragma in ("table_info", "table_xinfo"):
        return arg is not None and allowed_name(arg)
    kind = ALLOWED_PRAGMAS.get(pragma)
    if kind is None:
        return False
    if kind == _NO_ARG:
        return arg is None
    if arg is None:
        return kind != _OBJECT
    if kind == _BOOLEAN:
        value = arg
        if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
            value = value[1:-1]
        return value.lower().startswith(_BOOLEAN_WORDS)  # workerd compares prefixes
    if kind in (_OBJECT, _OPTIONAL_OBJECT):
        return allowed_name(arg)
    if kind == _NUMBER:  # decimal or hex (`PRAGMA optimize=0x10002`, as SQLite's docs write it)
        if _INT.fullmatch(arg):
            return -(2**31) <= int(arg) < 2**31
        return bool(_HEX.fullmatch(arg)) and -(2**31) <= int(arg, 16) < 2**31
    # _NUMBER_OR_OBJECT
    return (arg.isdigit() and int(arg) < 2**32) or allowed_name(arg)


def _decide(action: int, p1: str | None, p2: str | None, db_name: str | None) -> bool:
    if action in (apsw.SQLITE_ALTER_TABLE, apsw.SQLITE_DETACH):
        # SQLite passes the schema name first for these two.
        p1, db_name = p2, p1
    if db_name == "temp":
        return action in (apsw.SQLITE_READ, apsw.SQLITE_UPDATE) and allowed_name(p1)
    if db_name is not None and db_name != "main":
        return False
    if action in _ALLOWED_ALWAYS:
        return True
    if action in _CHECK_FIRST_NAME:
        return allowed_name(p1)
    if action in _CHECK_BOTH_NAMES:
        return allowed_name(p1) and allowed_name(p2)
    if action == apsw.SQLITE_FUNCTION:
        # as written in a DEFAULT expression (`DEFAULT (CURRENT_TIMESTAMP)`), else lower case
        return p2 is not None and p2.lower() in ALLOWED_FUNCTIONS
    if action == apsw.SQLITE_PRAGMA:
        return _pragma_allowed((p1 or "").lower(), p2)
    if action in (apsw.SQLITE_CREATE_VTABLE, apsw.SQLITE_DROP_VTABLE):
        return (p2 or "").lower() in _VIRTUAL_TABLE_MODULES
    if action in (apsw.SQLITE_TRANSACTION, apsw.SQLITE_SAVEPOINT):
        _state.transaction_refused = True
    return False


# FTS5 always; R*Tree since workerd 1.20261117 (FTS3/FTS4 and Geopoly stay refused)
_VIRTUAL_TABLE_MODULES = frozenset({"fts5", "fts5vocab", "rtree", "rtree_i32"})
_ALLOWED_ALWAYS = frozenset({apsw.SQLITE_SELECT, apsw.SQLITE_ANALYZE, apsw.SQLITE_RECURSIVE})
_CHECK_FIRST_NAME = frozenset({
    apsw.SQLITE_CREATE_TABLE, apsw.SQLITE_DELETE, apsw.SQLITE_DROP_TABLE, apsw.SQLITE_INSERT,
    apsw.SQLITE_CREATE_VIEW, apsw.SQLITE_DROP_VIEW, apsw.SQLITE_REINDEX, apsw.SQLITE_ALTER_TABLE,
    apsw.SQLITE_READ, apsw.SQLITE_UPDATE,
})
_CHECK_BOTH_NAMES = frozenset({
    apsw.SQLITE_CREATE_INDEX, apsw.SQLITE_DROP_INDEX, apsw.SQLITE_CREATE_TRIGGER, apsw.SQLITE_DROP_TRIGGER,
})


def _authorize(action: int, p1: str | None, p2: str | None, db_name: str | None, _trigger: str | None) -> int:
    if not getattr(_state, "active", False):
        return _OK
    return _OK if _decide(action, p1, p2, db_name) else _DENY


def setup_connection(conn: apsw.Connection) -> None:
    """Applied to every connection of every D1 database (writer, readers, inline)."""
    for limit, value in LIMITS.items():
        conn.limit(limit, value)
    conn.config(apsw.SQLITE_DBCONFIG_DEFENSIVE, 1)
    conn.pragma("foreign_keys", True)
    conn.set_authorizer(_authorize)


@contextmanager
def user_sql() -> Iterator[None]:
    """Statements prepared inside this block are checked against D1's policy."""
    _state.active = True
    _state.transaction_refused = False
    try:
        yield
    finally:
        _state.active = False


def take_transaction_refusal() -> bool:
    """True once after the authorizer refused transaction control in this thread."""
    refused = getattr(_state, "transaction_refused", False)
    _state.transaction_refused = False
    return refused


def must_prepare(first_word: str) -> bool:
    """Statements never served from the statement cache (their text could match a trusted one)."""
    return first_word in _ALWAYS_PREPARE
