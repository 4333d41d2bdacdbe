"""Running one prepared statement and collecting what every protocol reports about it.

Counters policy (D1 and Hrana both report `rows_read` / `rows_written`; SQLite does not
count rows scanned): `rows_written` is the number of rows an INSERT, UPDATE or DELETE
changed (0 for other statements); `rows_read` is the number of rows the statement
returned plus, for UPDATE and DELETE, the rows it changed (which it had to read).
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from typing import Any, Protocol

from lumadb.sql import alter_column
from lumadb.sql.errors import restore_prepare_offset
from lumadb.sql.split import statement_kind, until_nul
from lumadb.sql.text import fetch_rows, fetch_some
from lumadb.storage.sqlite import apsw, cross_process_connections
from lumadb.storage.sqlite_files import WalIndex

SqlValue = None | int | float | str | bytes


class NotReadOnly(Exception):
    """`execute_statement(..., readonly_only=True)` met a statement that would write;
    nothing was executed."""


class ManyStatements(Exception):
    """The SQL text held more than one statement; only the first one ran."""


class ResultTooLarge(Exception):
    """The statement's result outgrew its `ResultBudget`; it was stopped there, at a row (what it
    changed before, as a write with RETURNING does before its first row, stays)."""


class ResultBudget(Protocol):
    """A limit on the size of results, as a protocol measures them: each call spends what it is
    given and answers how much, or raises ResultTooLarge when that is more than is left."""

    def columns(self, description: tuple[tuple[str, str | None], ...]) -> int: ...

    def rows(self, rows: list[tuple[Any, ...]]) -> int: ...

    def refund(self, size: int) -> None: ...


@dataclass(slots=True)
class StatementResult:
    columns: list[str]
    decltypes: list[str | None]
    rows: list[tuple[SqlValue, ...]]  # empty when want_rows was false
    row_count: int  # rows the statement produced, kept or not
    changes: int  # rows changed by an INSERT/UPDATE/DELETE (sqlite3_changes), else 0
    last_insert_rowid: int | None  # after an INSERT (or REPLACE) only
    rows_read: int
    rows_written: int
    duration_ms: float
    kind: str  # select | insert | update | delete | explain | other (see split.statement_kind)


class _Trace:
    """apsw's exec tracer runs after prepare and binding, before the first step: the one
    place where the result columns are known even when no row comes back."""

    __slots__ = ("description", "readonly", "readonly_only", "seen")

    def __init__(self, readonly_only: bool) -> None:
        self.description: tuple[tuple[str, str | None], ...] = ()
        self.readonly_only = readonly_only
        self.readonly = True
        self.seen = 0

    def __call__(self, cursor: apsw.Cursor, _sql: str, _bindings: Any) -> bool:
        if self.seen and not cursor.has_vdbe:
            return True  # only comments after the statement: nothing to run (sqld runs it)
        self.seen += 1
        if self.seen > 1:
            return False  # a second statement: refuse it (ExecTraceAbort)
        self.readonly = cursor.is_readonly
        if self.readonly_only and not self.readonly:
            return False
        self.description = cursor.get_description() if cursor.has_vdbe else ()
        return True


def refresh_schema(conn: apsw.Connection) -> None:
    """Make `conn` re-read the schema if another connection changed it. SQLite notices a change
    when a statement runs, or when one fails to compile for a missing table or column, but not
    when one fails for another reason (a column count: `table t has 1 columns but 2 values were
    supplied` after an ALTER TABLE elsewhere), so such a failure is compiled again after this."""
    conn.execute(_SCHEMA_TOUCH).fetchall()


_SCHEMA_TOUCH = "SELECT 1 FROM sqlite_schema LIMIT 0"


def execute_statement(
    conn: apsw.Connection,
    sql: str,
    bindings: tuple[SqlValue, ...] | list[SqlValue] | dict[str, SqlValue] = (),
    *,
    want_rows: bool = True,
    readonly_only: bool = False,
    kind: str | None = None,
    budget: ResultBudget | None = None,
) -> StatementResult:
    """Run the single statement `sql` with `bindings` (exactly as many as it has
    parameters) on `conn` and step it to completion.

    Raises apsw.Error for SQLite errors, NotReadOnly when `readonly_only` and the statement
    would write (nothing ran), ManyStatements when `sql` holds a second statement (the first
    one ran), ResultTooLarge when its columns and rows (kept or not) outgrow `budget`."""
    sql = until_nul(sql)
    kind = kind or statement_kind(sql)
    if kind == "other":
        altered = alter_column.parse(sql)
        if altered is not None:
            return _alter_column(conn, sql, altered, readonly_only)
    changes_seen = _schema_changes[0]
    schema = _schemas.get(conn)
    if schema is None:
        schema = _schemas[conn] = _Schema()
    # another process's schema change shows only in the schema cookie: as it was before the statement
    cookie = None
    if conn in cross_process_connections and _may_have_columns(kind, sql):
        cookie = schema.cookie_now(conn)
    trace = _Trace(readonly_only)
    cursor = conn.cursor()
    cursor.exec_trace = trace
    started = time.perf_counter()
    try:
        try:
            rows, row_count = _run(conn, cursor, sql, bindings, trace, want_rows, budget)
        except apsw.SQLError:
            # Failed while stepping. A cached statement whose schema changed is prepared again
            # inside sqlite3_step, with the schema this connection last loaded; when that fails
            # (`table t has 2 columns but 1 values were supplied`), the statement stays in apsw's
            # cache expired and fails that way at every later step, without SQLite looking at
            # the schema again. Once the schema is loaded as it is now, it runs again (its
            # failed step changed nothing); not when no schema change can be behind it.
            if not trace.seen or (schema.loaded_at == changes_seen and conn not in cross_process_connections):
                raise
            refresh_schema(conn)
            schema.loaded_at = changes_seen
            trace.seen = 0
            rows, row_count = _run(conn, cursor, sql, bindings, trace, want_rows, budget)
    except apsw.ExecTraceAbort:
        if trace.seen > 1:
            raise ManyStatements(sql) from None
        raise NotReadOnly(sql) from None
    except apsw.SQLError as exc:
        if trace.seen:  # failed while stepping: perhaps a cached statement prepared again
            restore_prepare_offset(conn, sql, exc)
        raise
    duration_ms = (time.perf_counter() - started) * 1000.0
    changes = conn.changes() if kind in ("insert", "update", "delete") else 0
    description = trace.description
    if description:
        if cookie is not None:
            description = schema.columns_at_cookie(conn, sql, bindings, description, cookie)
        else:
            description = schema.columns(conn, sql, bindings, description, changes_seen)
    if kind == "other" and not trace.readonly:  # CREATE, DROP, ALTER, a PRAGMA that sets
        _schema_changes[0] += 1
    schema.loaded_at = changes_seen  # it has run a statement since: its schema is loaded
    return StatementResult(
        columns=[name for name, _ in description],
        decltypes=[decltype for _, decltype in description],
        rows=rows,
        row_count=row_count,
        changes=changes,
        last_insert_rowid=conn.last_insert_rowid() if kind == "insert" else None,
        rows_read=row_count + (changes if kind in ("update", "delete") else 0),
        rows_written=changes,
        duration_ms=duration_ms,
        kind=kind,
    )


def _run(conn: apsw.Connection, cursor: apsw.Cursor, sql: str, bindings: Any, trace: _Trace,
         want_rows: bool, budget: ResultBudget | None) -> tuple[list, int]:
    """Step the statement to its end: (the rows kept, how many it produced)."""
    try:
        cursor.execute(sql, bindings)
    except apsw.SQLError:
        if trace.seen:
            raise
        refresh_schema(conn)  # it did not compile: perhaps against a schema changed since
        cursor.execute(sql, bindings)
    if budget is not None:
        return _run_within(cursor, trace.description, want_rows, budget)
    if want_rows:
        rows = fetch_rows(cursor)
        return rows, len(rows)
    return [], len(fetch_rows(cursor))


_CHUNK = 256  # rows measured at a time: a large result stops within this many rows of its limit


def _run_within(cursor: apsw.Cursor, description: tuple, want_rows: bool, budget: ResultBudget) -> tuple[list, int]:
    spent = 0
    try:
        spent += budget.columns(description)
        rows = fetch_some(cursor, _CHUNK)
        spent += budget.rows(rows)
        count = len(rows)
        more = rows
        while len(more) == _CHUNK:
            more = fetch_some(cursor, _CHUNK)
            spent += budget.rows(more)
            count += len(more)
            if want_rows:
                rows += more
    except BaseException as exc:
        if not isinstance(exc, ResultTooLarge):
            budget.refund(spent)  # it failed: its error is answered, not its rows
        cursor.close(True)  # the statement stops here, its remaining rows unread
        raise
    return (rows if want_rows else []), count


def _alter_column(conn: apsw.Connection, sql: str, change: alter_column.AlterColumn, readonly_only: bool) -> StatementResult:
    if readonly_only:
        raise NotReadOnly(sql)
    started = time.perf_counter()
    alter_column.run(conn, change)
    _schema_changes[0] += 1
    return StatementResult(columns=[], decltypes=[], rows=[], row_count=0, changes=0, last_insert_rowid=None,
                           rows_read=0, rows_written=0, duration_ms=(time.perf_counter() - started) * 1000.0, kind="other")


# A connection prepares a statement with the schema it last loaded, and notices another
# connection's change only when the statement steps: SQLite then prepares it again and the
# values are right, but the columns it described before that first step are the old ones (a
# `SELECT *` after `ALTER TABLE ... ADD COLUMN` named one column less than it returned; a
# cached statement does so once more after the change). Schema changes run in this process
# are counted; a statement whose columns may predate the count is described again from a
# fresh prepare once it has run (and the connection has loaded the schema).
_schema_changes = [0]


class _Schema:
    """What one connection knows of the schema: the count when it last ran a statement, and
    for each statement text the count its columns were last known right at."""

    __slots__ = ("cookie", "cookies", "described", "index", "loaded_at", "marker")

    def __init__(self) -> None:
        self.loaded_at = -1
        self.described: dict[str, int] = {}
        # With --workers N: the schema cookie, the WAL-index marker it was read after, and for
        # each statement text the cookie its columns were last known right at.
        self.cookie = -1
        self.marker: bytes | None = None
        self.index: WalIndex | None | bool = False  # False: not looked for yet
        self.cookies: dict[str, int] = {}

    def columns(self, conn: apsw.Connection, sql: str, bindings: Any, traced: tuple, count: int) -> tuple:
        last = self.described.get(sql)
        if last == count:
            return traced
        if last is None and self.loaded_at == count:  # prepared with the schema as it is
            self._remember(sql, count)
            return traced
        fresh = fresh_description(conn, sql, bindings)
        if fresh is None:
            return traced
        self._remember(sql, count)
        return fresh

    def _remember(self, sql: str, count: int) -> None:
        if len(self.described) >= 4096:
            self.described.clear()
        self.described[sql] = count

    def cookie_now(self, conn: apsw.Connection) -> int:
        """The schema cookie, read again only when something has committed since it last was
        (the WAL-index marker moved): a statement of its own costs ~2.5 µs, the marker ~0.1.
        One read inside a transaction is its snapshot's, which may be older than the marker:
        it is not kept for the marker."""
        in_transaction = conn.in_transaction  # (ConnectionClosedError before a closed one's mapping is read)
        if self.index is False:
            self.index = WalIndex.of(conn)
        marker = self.index.marker() if isinstance(self.index, WalIndex) else None
        if marker is not None and marker == self.marker:
            return self.cookie
        self.cookie = conn.execute("PRAGMA schema_version").fetchone()[0]  # type: ignore[index]
        self.marker = None if in_transaction else marker  # (read first: a commit in between makes it older)
        return self.cookie

    def columns_at_cookie(self, conn: apsw.Connection, sql: str, bindings: Any, traced: tuple, cookie: int) -> tuple:
        """`columns` for a connection whose file other processes change too (--workers N), by
        the schema cookie as it was before the statement ran: its description is trusted when
        no schema change happened since the statement was last checked (the cookie only grows),
        else read from a fresh prepare, now that the statement has loaded the schema."""
        if self.cookies.get(sql) == cookie:
            return traced
        fresh = fresh_description(conn, sql, bindings)
        if len(self.cookies) >= 4096:
            self.cookies.clear()
        self.cookies[sql] = cookie
        return traced if fresh is None else fresh


_schemas: weakref.WeakKeyDictionary[apsw.Connection, _Schema] = weakref.WeakKeyDictionary()


def _may_have_columns(kind: str, sql: str) -> bool:
    return kind not in ("insert", "update", "delete") or "returning" in sql.lower()


def fresh_description(conn: apsw.Connection, sql: str, bindings: Any) -> tuple | None:
    """The columns of `sql` from a new prepare (bound, never run), bypassing the statement
    cache; None when it does not prepare."""
    seen: list[tuple] = []

    def describe_only(cursor: apsw.Cursor, _sql: str, _bindings: Any) -> bool:
        seen.append(cursor.get_description() if cursor.has_vdbe else ())
        return False

    cursor = conn.cursor()
    cursor.exec_trace = describe_only
    try:
        cursor.execute(sql, bindings, can_cache=False)
    except apsw.ExecTraceAbort:
        pass
    except apsw.Error:
        return None
    return seen[0] if seen else None
