"""One Hrana statement: parsed from JSON, checked like sqld, bound, run, and its result.

The order of checks is sqld's: the request JSON is parsed whole first (malformed values are
protocol errors); when the statement runs, `sql`/`sql_id` are resolved (protocol errors),
the text must hold exactly one statement that parses (`SQL_NO_STATEMENT`,
`SQL_MANY_STATEMENTS`, `SQL_PARSE_ERROR`), positional and named arguments must not be mixed;
then SQLite prepares it (`SQL_INPUT_ERROR` / `SQLite error`), the arguments are bound
(`ARGS_INVALID`) and it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lumadb.libsql import unsupported, vector_index_create, write_lock
from lumadb.libsql.errors import HranaError, StmtError, unexpected
from lumadb.libsql.values import MAX_ROW_BYTES, SqlValue, decode_value, encode_row
from lumadb.sql import (
    ManyStatements,
    StatementInfo,
    StatementResult,
    execute_statement,
    older_sqlite,
    split_statements,
    statement_info,
)
from lumadb.sql.execute import ResultBudget
from lumadb.sql.split import leading_keywords, until_nul
from lumadb.sql.syntax import syntax_error
from lumadb.storage.sqlite import apsw

_MISSING: Any = object()
Render = Callable[[StatementResult], dict[str, Any]]

# PRAGMAs a read-only token may run: they only describe the schema.
READONLY_PRAGMAS = frozenset({
    "TABLE_INFO", "TABLE_XINFO", "TABLE_LIST", "INDEX_LIST", "INDEX_INFO", "INDEX_XINFO",
    "FOREIGN_KEY_LIST", "DATABASE_LIST", "COLLATION_LIST", "FUNCTION_LIST", "MODULE_LIST",
    "PRAGMA_LIST", "COMPILE_OPTIONS",
})


@dataclass(slots=True)
class StmtSpec:
    """A statement as the request carries it."""

    sql: str | None
    sql_id: int | None
    args: list[SqlValue]
    named_args: list[tuple[str, SqlValue]]
    want_rows: bool


@dataclass(slots=True)
class Query:
    """A statement ready to run: its SQL text and its arguments."""

    sql: str
    args: list[SqlValue] | None  # positional mode
    named: dict[str, SqlValue] | None  # named mode
    want_rows: bool = True  # false: the result carries no rows (Hrana spec; sqld sends them anyway)
    budget: ResultBudget | None = None  # the response's size limit (response_size.py); a cursor's is none


@dataclass(frozen=True, slots=True)
class Access:
    """What the request may do: its database's name, and whether it may write."""

    namespace: str
    can_write: bool = True


FULL_ACCESS = Access("default", True)


def _obj(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise HranaError.json(f"invalid type: {unexpected(value)}, expected {what}")
    return value


def optional_str(obj: dict, field: str) -> str | None:
    value = obj.get(field)
    if value is not None and not isinstance(value, str):
        raise HranaError.json(f"invalid type: {unexpected(value)}, expected a string")
    return value


def optional_int(obj: dict, field: str, *, signed: bool = True) -> int | None:
    value = obj.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise HranaError.json(f"invalid type: {unexpected(value)}, expected {'i32' if signed else 'u32'}")
    if not (-(2**31) if signed else 0) <= value < (2**31 if signed else 2**32):
        raise HranaError.json(f"invalid value: integer `{value}`, expected {'i32' if signed else 'u32'}")
    return value


def required(obj: dict, field: str) -> Any:
    if field not in obj:
        raise HranaError.json(f"missing field `{field}`")
    return obj[field]


def parse_stmt(value: Any) -> StmtSpec:
    obj = _obj(value, "struct Stmt")
    # missing means none; null is refused, as sqld's deserializer does
    args_raw = obj.get("args", [])
    if not isinstance(args_raw, list):
        raise HranaError.json(f"invalid type: {unexpected(args_raw)}, expected a sequence")
    named_raw = obj.get("named_args", [])
    if not isinstance(named_raw, list):
        raise HranaError.json(f"invalid type: {unexpected(named_raw)}, expected a sequence")
    named: list[tuple[str, SqlValue]] = []
    for item in named_raw:
        arg = _obj(item, "struct NamedArg")
        name = required(arg, "name")
        if not isinstance(name, str):
            raise HranaError.json(f"invalid type: {unexpected(name)}, expected a string")
        named.append((name, decode_value(required(arg, "value"))))
    want_rows = obj.get("want_rows")
    if want_rows is not None and not isinstance(want_rows, bool):
        raise HranaError.json(f"invalid type: {unexpected(want_rows)}, expected a boolean")
    return StmtSpec(
        sql=optional_str(obj, "sql"),
        sql_id=optional_int(obj, "sql_id"),
        args=[decode_value(arg) for arg in args_raw],
        named_args=named,
        want_rows=want_rows is not False,
    )


def resolve_sql(sql: str | None, sql_id: int | None, sqls: dict[int, str], version: int) -> str:
    if sql_id is not None and version < 2:
        raise HranaError.not_supported("`sql_id`", 2)
    if sql is not None and sql_id is None:
        return until_nul(sql)
    if sql is None and sql_id is not None:
        stored = sqls.get(sql_id)
        if stored is None:
            raise HranaError.protocol(f"SQL text {sql_id} not found")
        return until_nul(stored)
    if sql is not None:
        raise HranaError.protocol("Either `sql` or `sql_id` are required, but not both")
    raise HranaError.protocol("Either `sql` or `sql_id` are required")


def check_single_statement(sql: str) -> None:
    """StmtError unless `sql` is one statement sqld would run. The same texts come again and
    again (a client's statements, a batch's BEGIN and COMMIT): the answer is kept for short
    ones, whose tokenizing was ~6% of a write batch's CPU."""
    problem = _statement_problem(sql) if len(sql) <= _KEPT_TEXT else _statement_problem.__wrapped__(sql)
    if problem is not None:
        kind, detail = problem
        raise StmtError.parse(detail) if kind == "parse" else getattr(StmtError, kind)()


_KEPT_TEXT = 2048  # longer statements are checked every time, not kept


@lru_cache(maxsize=4096)
def _statement_problem(sql: str) -> tuple[str, str] | None:
    statements = split_statements(sql)
    if not statements:
        return ("no_statement", "")
    problem = syntax_error(statements[0])
    if problem is not None:
        return ("parse", problem.message)
    newer = older_sqlite.syntax_problem(statements[0])
    if newer is not None:
        return ("parse", newer.detail)
    if unsupported.refused(statements[0]):
        return ("parse", f"unsupported statement: {sql}")
    if len(statements) > 1:
        return ("many_statements", "")
    return None


def to_query(spec: StmtSpec, sqls: dict[int, str], version: int, budget: ResultBudget | None) -> Query:
    """Protocol errors raise HranaError; statement errors raise StmtError."""
    sql = resolve_sql(spec.sql, spec.sql_id, sqls, version)
    check_single_statement(sql)
    if not spec.named_args:
        return Query(sql, spec.args, None, spec.want_rows, budget)
    if spec.args:
        raise StmtError.args_both()
    return Query(sql, None, dict(spec.named_args), spec.want_rows, budget)


def bind(info: StatementInfo, query: Query) -> tuple[SqlValue, ...]:
    """sqld's binding rules: `?N` and bare `?` take positional values, names take named
    values with or without their prefix; every parameter needs a value (but EXPLAIN)."""
    params = info.params
    given = len(query.named) if query.named is not None else len(query.args or ())
    if given > len(params):
        raise StmtError.args_invalid(f"too many parameters, expected {len(params)} found {given}")
    positional, named = query.args, query.named
    values: list[SqlValue] = []
    for index, name in enumerate(params, 1):
        value = _MISSING
        if name is None or name[0] == "?":
            position = index if name is None or len(name) == 1 else int(name[1:])
            if positional is not None and position <= len(positional):
                value = positional[position - 1]
        elif named is not None:
            value = named.get(name, _MISSING)
            if value is _MISSING:
                value = named.get(name[1:], _MISSING)
        if value is _MISSING:
            if info.is_explain:
                values.extend([None] * (len(params) - len(values)))
                break
            raise StmtError.args_invalid(f"value for parameter {name or index} not found")
        if isinstance(value, (str, bytes)) and _too_long(value):
            raise StmtError.args_invalid("string or blob too big")  # (SQLite's bind, refused)
        values.append(value)
    return tuple(values)


def _too_long(value: str | bytes) -> bool:
    if len(value) <= MAX_ROW_BYTES // 4:
        return False  # (the most bytes a character takes in UTF-8)
    return len(value.encode() if isinstance(value, str) else value) > MAX_ROW_BYTES


def readonly_allowed(sql: str, info: StatementInfo) -> bool:
    if not info.is_readonly:
        return False
    words = leading_keywords(sql, 2)
    if not words or words[0] not in ("PRAGMA", "ATTACH", "DETACH"):
        return True
    return words[0] == "PRAGMA" and len(words) == 2 and words[1] in READONLY_PRAGMAS


def execute_query(
    conn: apsw.Connection, query: Query, access: Access, *, readonly_only: bool = False,
    render: Render | None = None,
) -> dict[str, Any]:
    """Run `query` on `conn` and render its result (Hrana's StmtResult by default). Raises
    apsw.Error (SQLite), StmtError (arguments), NotReadOnly (with `readonly_only`, nothing
    ran) and HranaError (a read-only token writing)."""
    info = statement_info(conn, query.sql)
    if not access.can_write and not readonly_allowed(query.sql, info):
        raise HranaError.forbidden(access.namespace)
    older = older_sqlite.call_problem(query.sql)
    if older is not None:
        raise StmtError.from_older_sqlite(older)
    bindings = bind(info, query)
    if not info.is_readonly and "vector_idx" in query.sql.lower():
        vector_index_create.check(conn, query.sql)  # sqld's checks of a new vector index
    def run() -> StatementResult:
        return execute_statement(conn, query.sql, bindings, want_rows=query.want_rows, readonly_only=readonly_only,
                                 budget=query.budget)

    try:
        try:
            result = run()
        except apsw.BusyError as busy:
            result = write_lock.upgrade_when_free(conn, busy, run)
    except ManyStatements:
        raise StmtError.many_statements() from None
    return (render or result_dict)(result)


def run_query(conn: apsw.Connection, query: Query, access: Access, render: Render | None = None) -> dict[str, Any]:
    """`execute_query` with SQLite errors turned into StmtError."""
    try:
        return execute_query(conn, query, access, render=render)
    except (apsw.Error, ValueError, OverflowError) as exc:  # apsw's own refusals of odd input too
        raise StmtError.from_sqlite(exc) from None


def read_query(conn: apsw.Connection, query: Query, access: Access, render: Render | None = None) -> dict[str, Any]:
    """`run_query` of a read, where nothing may change: NotReadOnly (nothing ran) for a statement
    that would write, and SQLite's interrupt (a time budget's) left as it is."""
    try:
        return execute_query(conn, query, access, readonly_only=True, render=render)
    except apsw.InterruptError:
        raise
    except (apsw.Error, ValueError, OverflowError) as exc:
        raise StmtError.from_sqlite(exc) from None


def result_dict(result: StatementResult) -> dict[str, Any]:
    rowid = result.last_insert_rowid
    return {
        "cols": [{"name": name, "decltype": decltype} for name, decltype in zip(result.columns, result.decltypes, strict=True)],
        "rows": [encode_row(row) for row in result.rows],
        "affected_row_count": result.changes,
        "last_insert_rowid": None if rowid is None else str(rowid),
        "replication_index": None,
        "rows_read": result.rows_read,
        "rows_written": result.rows_written,
        "query_duration_ms": round(result.duration_ms, 3),
    }
