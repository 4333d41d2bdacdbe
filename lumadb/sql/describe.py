"""Describing a statement without running it: parameters (with their prefixes), result
columns with declared types, and whether it is an EXPLAIN or read-only."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from lumadb.sql import alter_column
from lumadb.sql.execute import refresh_schema
from lumadb.sql.split import parameter_tokens, until_nul
from lumadb.storage.sqlite import apsw


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    decltype: str | None


@dataclass(frozen=True, slots=True)
class Description:
    params: tuple[str | None, ...]  # per index: "?3", ":x", "@y", "$z"; None for a bare "?"
    columns: tuple[Column, ...]
    is_explain: bool
    is_readonly: bool


@dataclass(frozen=True, slots=True)
class StatementInfo:
    """The schema-independent part of a description, cached by SQL text."""

    params: tuple[str | None, ...]
    is_explain: bool
    is_readonly: bool


def describe(conn: apsw.Connection, sql: str) -> Description:
    """Prepare the first statement of `sql` on `conn` (never runs it); raises apsw.Error
    when it does not prepare (syntax error, unknown table...)."""
    sql = until_nul(sql)
    if not conn.in_transaction or conn.txn_state() != apsw.SQLITE_TXN_NONE:
        # columns as they are now, even if another connection changed them; not in a
        # transaction that has read nothing yet, whose snapshot that read would fix (sqld's
        # describe leaves it to the transaction's first statement)
        refresh_schema(conn)
    change = alter_column.parse(sql, first_only=True)
    if change is not None:  # libSQL's, which SQLite cannot prepare
        alter_column.prepare(conn, change)
        return Description(_parameters(change.definition), (), False, False)
    details = apsw.ext.query_info(conn, sql)
    params = _with_prefixes(details.bindings_names, details.first_query)
    columns = tuple(Column(name, decltype) for name, decltype in details.description or ())
    info = StatementInfo(params, bool(details.is_explain), bool(details.is_readonly))
    _remember(sql, info)
    return Description(params, columns, info.is_explain, info.is_readonly)


_cache: OrderedDict[str, StatementInfo] = OrderedDict()
_cache_lock = threading.Lock()  # writers, readers and stream threads share the cache
CACHE_ENTRIES = 4096


def statement_info(conn: apsw.Connection, sql: str) -> StatementInfo:
    """Parameters and read-only-ness of `sql`, prepared on `conn` the first time only
    (they depend on the SQL text alone, not on the schema)."""
    info = _cache.get(sql)
    if info is None:
        change = alter_column.parse(sql)
        if change is not None:  # libSQL's, which SQLite cannot prepare: a write
            return StatementInfo(_parameters(change.definition), False, False)
        try:
            details = apsw.ext.query_info(conn, until_nul(sql))
        except apsw.SQLError:
            refresh_schema(conn)  # (execute_statement says why)
            details = apsw.ext.query_info(conn, until_nul(sql))
        info = StatementInfo(
            _with_prefixes(details.bindings_names, details.first_query),
            bool(details.is_explain),
            bool(details.is_readonly),
        )
        _remember(sql, info)
    return info


def _parameters(text: str) -> tuple[str | None, ...]:
    """The parameters of a statement's fragment (a column definition), named and numbered as
    SQLite would in the whole statement: the same tokens, in the same order, in a SELECT."""
    tokens = parameter_tokens(text)
    if not tokens:
        return ()
    select = "SELECT " + ", ".join(tokens)
    return _with_prefixes(apsw.ext.query_info(apsw.Connection(":memory:"), select).bindings_names, select)


def _remember(sql: str, info: StatementInfo) -> None:
    with _cache_lock:
        _cache[sql] = info
        if len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)


def _with_prefixes(names: tuple[str | None, ...], sql: str) -> tuple[str | None, ...]:
    """apsw strips the prefix character from parameter names ("x" for ":x", "3" for "?3");
    put it back from the parameter tokens of the SQL text, in order of first appearance."""
    if not names or all(name is None for name in names):
        return tuple(names)
    by_stripped: dict[str, list[str]] = {}
    seen: set[str] = set()
    for token in parameter_tokens(sql):
        if len(token) > 1 and token not in seen:
            seen.add(token)
            by_stripped.setdefault(token[1:], []).append(token)
    result: list[str | None] = []
    for name in names:
        if name is None:
            result.append(None)
            continue
        candidates = by_stripped.get(name)
        result.append(candidates.pop(0) if candidates else (("?" if name.isdigit() else ":") + name))
    return tuple(result)
