"""Running a D1 request: every query of one request in one transaction, with D1's policy.

A request whose statements are all read-only runs on a reader connection (inline on the
event loop when the same request measured cheap before, else on the reader pool) inside
one read transaction; anything else is one job on the database's writer, so the request
commits or rolls back as a whole. Which statements write is learnt by trying: the read
attempt refuses a writing statement before it runs (`NotReadOnly`) and the request moves
to the writer.

Meta follows Miniflare's D1: `changes` is the `total_changes()` delta over the query,
`last_row_id` the connection's `last_insert_rowid()`, `rows_read`/`rows_written` the last
statement's (approximated, see docs/compatibility.md).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lumadb.d1 import authorizer
from lumadb.d1.errors import D1QueryError, sqlite_message
from lumadb.d1.statements import (
    NO_STATEMENT,
    NO_STATEMENTS_DETECTED,
    PARAMS_ONLY_LAST,
    WRONG_BINDINGS,
    Piece,
    Plan,
    is_dropped,
    plan,
)
from lumadb.d1.values import SqlValue
from lumadb.sql import limited_writes
from lumadb.sql.errors import restore_prepare_offset
from lumadb.sql.execute import fresh_description, refresh_schema
from lumadb.sql.split import parameter_tokens
from lumadb.sql.text import InvalidText, fetch_rows, repaired_rows
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import apsw

CHEAP_MS = 0.5  # a request measured under this runs inline next time (a thread hop costs ~30 µs)
# A write request runs in the event loop's group commit; one still running after this long is
# undone there and runs again on the writer thread (Database.write_inline).
WRITE_BUDGET_MS = 3
_SIZE_SQL = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
_WRITES = frozenset({"insert", "update", "delete", "replace"})
STILL_RUNNING = "cannot release savepoint - SQL statements in progress: SQLITE_BUSY"  # (workerd's SQLite's words)


@dataclass(slots=True)
class Query:
    sql: str
    params: tuple[SqlValue, ...] = ()


@dataclass(slots=True)
class Outcome:
    """One element of D1's result array: one query of the request."""

    columns: list[str]
    rows: list[tuple[SqlValue, ...]]
    duration_ms: float
    changes: int
    last_row_id: int
    changed_db: bool
    size_after: int
    rows_read: int
    rows_written: int


@dataclass
class DatabaseState:
    """What D1 reports about a database between requests, kept per process."""

    last_row_id: int = 0
    bookmark_counter: int = field(default_factory=lambda: time.time_ns() // 1000)
    snapshot_version: Hashable = None  # data_version() when the last time-travel snapshot was taken
    size: int | None = None  # file size after this process's last write (read-only requests report it)
    bookmark: tuple[int, str] = (0, "")  # (counter, its bookmark text), see results.bookmark


class NotReadOnly(Exception):
    """The read attempt met a writing statement; nothing was executed by it."""


# piece text -> True when it is known to write (learnt on first run)
_writes: dict[str, bool] = {}
# request signature -> last measured duration in ms
_costs: dict[tuple[str, ...], float] = {}


def _remember(table: dict, key: Any, value: Any, limit: int = 8192) -> None:
    if len(table) >= limit:
        table.clear()
    table[key] = value


class _Trace:
    """apsw calls this once per statement after binding, before the first step: the place
    to learn the result columns (also when no row comes back) and to refuse writes."""

    __slots__ = ("description", "readonly", "readonly_only")

    def __init__(self, readonly_only: bool) -> None:
        self.readonly_only = readonly_only
        self.readonly = True
        self.description: tuple = ()

    def __call__(self, cursor: apsw.Cursor, _sql: str, _bindings: Any) -> bool:
        self.readonly = cursor.is_readonly
        if self.readonly_only and not self.readonly:
            return False
        self.description = cursor.get_description() if cursor.has_vdbe else ()
        return True


def parameter_count(sql: str) -> int:
    """How many values SQLite expects for `sql` (sqlite3_bind_parameter_count)."""
    count = 0
    named: dict[str, int] = {}
    for token in parameter_tokens(sql):
        if token == "?":
            count += 1
        elif token[0] == "?":
            count = max(count, int(token[1:]))
        elif token not in named:
            count += 1
            named[token] = count
    return count


def _limited_sql(conn: apsw.Connection, statement: str, by_rowid: str) -> str:
    """An UPDATE/DELETE ... LIMIT as rewritten for its table: by rowid, or for a WITHOUT ROWID
    table by its primary key (lumadb/sql/limited_writes.py)."""
    table = limited_writes.table_of(statement)
    if table is None:
        return by_rowid
    schema, name = table
    try:
        listed = conn.execute(f"PRAGMA {schema}table_list({name})").fetchall()
        if not listed or not listed[0][4]:  # `wr`: WITHOUT ROWID
            return by_rowid
        columns = sorted((row[5], row[1]) for row in conn.execute(f"PRAGMA {schema}table_info({name})") if row[5])
    except apsw.Error:
        return by_rowid  # SQLite reports the problem when the statement runs
    key = tuple('"' + column.replace('"', '""') + '"' for _, column in columns)
    return limited_writes.rewritten(statement, key) or by_rowid


def _run_piece(conn: apsw.Connection, piece: Piece, params: Sequence[SqlValue], last: bool,
               readonly_only: bool) -> tuple[list[str], list, int, int]:
    """Execute one statement; returns columns, rows, rows_read, rows_written."""
    if piece.refused is not None:
        raise D1QueryError(piece.refused)
    sql = piece.sql if piece.limited is None else _limited_sql(conn, piece.limited, piece.sql)
    trace = _Trace(readonly_only)
    cursor = conn.cursor()
    cursor.exec_trace = trace
    before = conn.total_changes()
    invalid_text: InvalidText | None = None
    try:
        with authorizer.user_sql():
            try:
                cursor.execute(sql, params, can_cache=not authorizer.must_prepare(piece.first_word))
                rows = fetch_rows(cursor)
            except InvalidText as exc:
                invalid_text = exc
            except apsw.SQLError as exc:
                restore_prepare_offset(conn, sql, exc)  # D1 prepares every statement afresh
                raise
    except apsw.ExecTraceAbort:
        raise NotReadOnly(piece.sql) from None
    except apsw.BindingsError:
        raise D1QueryError(WRONG_BINDINGS if last else PARAMS_ONLY_LAST) from None
    except apsw.Error as exc:
        if authorizer.take_transaction_refusal():
            raise D1QueryError(authorizer.TRANSACTION_REFUSED) from None
        if isinstance(exc, apsw.TooBigError) and len(piece.sql.encode()) > authorizer.MAX_SQL_BYTES:
            raise D1QueryError("statement too long: SQLITE_TOOBIG") from None  # D1's SQLite's words
        raise D1QueryError(sqlite_message(exc, sql)) from None
    if invalid_text is not None:
        # workerd reads such text with U+FFFD in place of each invalid sequence: run a read again
        # so (outside user SQL's policy: the repair is LumaDB's own SQL)
        if not trace.readonly or not trace.description:
            raise D1QueryError(f"{invalid_text.message}: SQLITE_ERROR")
        rows = repaired_rows(conn, sql, params, len(trace.description))
    written = conn.total_changes() - before
    description = trace.description
    if description and not last and not trace.readonly:
        # workerd steps a statement that is not its `sql`'s last once and leaves it: a write with
        # RETURNING is then still running when the request's savepoint is released, which fails
        # and rolls the whole request back (D1 reports it as an internal error)
        raise D1QueryError(STILL_RUNNING)
    if description and _described.get(conn, {}).get(sql) != _schema_version(conn):
        description = _fresh_description(conn, sql, params, description)
    columns = [name for name, _ in description]
    reads = len(rows) + (written if piece.first_word in ("UPDATE", "DELETE") else 0)
    return columns, rows, reads, written


def _size(conn: apsw.Connection) -> int:
    return conn.execute(_SIZE_SQL).fetchone()[0]  # type: ignore[index]


def _measured(conn: apsw.Connection, batch: Sequence[tuple[Piece, Sequence[SqlValue], bool]],
              state: DatabaseState, readonly_only: bool) -> Outcome:
    """Run statements as one result element, with Miniflare's before/after meta."""
    started = time.perf_counter()
    size_before = 0 if readonly_only else _size(conn)
    # D1's file gives freed pages back, so a DROP (or a CREATE into freed pages) moves its
    # size; here the file keeps them: a schema change counts as a change by itself
    ddl = not readonly_only and any(piece.first_word in _DDL for piece, _, _ in batch)
    schema_before = _schema_cookie(conn) if ddl else 0
    changes_before = conn.total_changes()
    row_id_before = conn.last_insert_rowid()
    columns: list[str] = []
    rows: list = []
    reads = written = 0
    for piece, params, last in batch:
        columns, rows, reads, written = _run_piece(conn, piece, params, last, readonly_only)
    duration = (time.perf_counter() - started) * 1000.0
    if readonly_only:
        if state.size is None:
            state.size = _size(conn)
        return Outcome(columns, rows, duration, 0, state.last_row_id, False, state.size, reads, 0)
    changes = conn.total_changes() - changes_before
    row_id = conn.last_insert_rowid()
    size_after = _size(conn)
    changed = changes != 0 or row_id != row_id_before or size_after != size_before
    if ddl and not changed:
        changed = _schema_cookie(conn) != schema_before
    return Outcome(columns, rows, duration, changes, row_id, changed, size_after, reads, written)


_DDL = frozenset(("CREATE", "DROP", "ALTER"))


def _schema_cookie(conn: apsw.Connection) -> int:
    return conn.execute("PRAGMA schema_version").fetchone()[0]  # type: ignore[index]


def _run_query(conn: apsw.Connection, query: Query, query_plan: Plan, state: DatabaseState,
               readonly_only: bool, per_statement: bool) -> list[Outcome]:
    """The binding answers a multi-statement `sql` with its last statement's result (only
    that statement may take parameters); the REST API with one result per statement, the
    statements taking their parameters in order."""
    pieces = query_plan.pieces
    outcomes: list[Outcome] = []
    if per_statement:
        params: Sequence[SqlValue] = query.params
        for index, piece in enumerate(pieces):
            take = len(params) if index == len(pieces) - 1 else min(parameter_count(piece.sql), len(params))
            outcomes.append(_measured(conn, [(piece, params[:take], True)], state, readonly_only))
            params = params[take:]
    elif pieces:
        # workerd gives the parameters to the last statement, and a comment after the last `;`
        # counts as one: then every real statement runs without parameters
        batch: list[tuple[Piece, Sequence[SqlValue], bool]] = [(piece, (), False) for piece in pieces[:-1]]
        batch.append((pieces[-1], (), False) if query_plan.trailing_empty else (pieces[-1], query.params, True))
        outcomes.append(_measured(conn, batch, state, readonly_only))
    if query_plan.trailing_empty:
        raise D1QueryError(NO_STATEMENT)
    return outcomes


def _mentions(plans: Sequence[Plan], word: str) -> bool:
    return any(word in piece.sql.lower() for p in plans for piece in p.pieces)


def _finish_writes(conn: apsw.Connection, plans: Sequence[Plan]) -> None:
    """Checks D1 makes at commit, and connection settings a request must not leave behind.

    A request that leaves foreign-key violations pending (a DEFERRABLE INITIALLY DEFERRED key,
    or `PRAGMA defer_foreign_keys = ON` still on) fails as D1's COMMIT fails it. Here its
    SAVEPOINT shares one transaction with other requests, whose COMMIT must not fail for it:
    SQLite's count of pending violations (which its savepoints restore) is read now, before the
    setting is turned off, which discards those it deferred, as it does in D1."""
    violated = conn.status(apsw.SQLITE_DBSTATUS_DEFERRED_FKS)[0] > 0
    if _mentions(plans, "defer_foreign_keys"):
        conn.execute("PRAGMA defer_foreign_keys = OFF")
    if violated:
        raise D1QueryError(
            "FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)"
        )


def _reset_toggles(conn: apsw.Connection, plans: Sequence[Plan]) -> None:
    if any(piece.first_word == "PRAGMA" for p in plans for piece in p.pieces):
        for pragma, default in authorizer.CONNECTION_TOGGLES.items():
            conn.execute(f"PRAGMA {pragma} = {default}")


def _write_job(conn: apsw.Connection, queries: Sequence[Query], plans: Sequence[Plan], state: DatabaseState,
               per_statement: bool) -> list[Outcome]:
    # D1 has one connection per database; here a write runs on the loop writer's or the writer
    # thread's: either continues from the rowid the last write left
    conn.set_last_insert_rowid(state.last_row_id)
    try:
        _current_schema(conn)  # another process (--workers N) may have changed it
        outcomes = [o for q, p in zip(queries, plans, strict=True)
                    for o in _run_query(conn, q, p, state, False, per_statement)]
        _finish_writes(conn, plans)
    except D1QueryError:
        # the request is rolled back, not the rowid its INSERTs took: D1's connection answers
        # it to the next request (one interrupted to run again on the writer thread repeats them)
        state.last_row_id = conn.last_insert_rowid()
        raise
    finally:
        _reset_toggles(conn, plans)
    state.last_row_id = conn.last_insert_rowid()
    state.size = outcomes[-1].size_after if outcomes else state.size
    if any(o.changed_db for o in outcomes):
        state.bookmark_counter = max(state.bookmark_counter + 1, time.time_ns() // 1000)
    return outcomes


def _current_schema(conn: apsw.Connection) -> None:
    """Load the schema as it is now, inside the transaction that runs the request. SQLite
    prepares a statement with the schema this connection last loaded and notices a change only
    when a statement runs (a SELECT of the schema table: reading the version is not enough):
    with a stale one `ALTER TABLE ... RENAME COLUMN` of a column another connection had added
    was refused."""
    refresh_schema(conn)
    _versions[conn] = _schema_cookie(conn)


# Per connection: the schema version of the request it runs, and for each statement text the
# version its columns were last read fresh at. A cached statement that a schema change expired
# still describes its old columns on its next run (its values are right: SQLite re-prepares it
# when it steps), so its columns are read once from a fresh prepare.
_versions: weakref.WeakKeyDictionary[apsw.Connection, int] = weakref.WeakKeyDictionary()
_described: weakref.WeakKeyDictionary[apsw.Connection, dict[str, int]] = weakref.WeakKeyDictionary()


def _schema_version(conn: apsw.Connection) -> int:
    return _versions.get(conn, -1)


def _fresh_description(conn: apsw.Connection, sql: str, params: Sequence[SqlValue], stale: tuple) -> tuple:
    fresh = fresh_description(conn, sql, params)
    if fresh is None:
        return stale
    _remember(_described.setdefault(conn, {}), sql, _schema_version(conn))
    return fresh


def _read_job(conn: apsw.Connection, queries: Sequence[Query], plans: Sequence[Plan], state: DatabaseState,
              per_statement: bool) -> list[Outcome]:
    conn.execute("BEGIN")  # one snapshot for the whole request; in it, the current schema
    try:
        _current_schema(conn)
        return [o for q, p in zip(queries, plans, strict=True)
                for o in _run_query(conn, q, p, state, True, per_statement)]
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def prepare_queries(queries: Sequence[Query]) -> tuple[list[Query], list[Plan]]:
    """Drop the entries D1 skips and plan the rest; D1's error when nothing is left."""
    kept = [q for q in queries if not is_dropped(q.sql)]
    if not kept:
        raise D1QueryError(NO_STATEMENTS_DETECTED)
    return kept, [plan(q.sql) for q in kept]


def _may_read(plans: Sequence[Plan]) -> bool:
    for p in plans:
        for piece in p.pieces:
            if piece.first_word == "PRAGMA" or _writes.get(piece.sql):
                return False
    return True


async def run(db: Database, state: DatabaseState, queries: Sequence[Query], *,
              per_statement: bool = False) -> list[Outcome]:
    """Run every query of one request atomically; raises D1QueryError with D1's text."""
    queries, plans = prepare_queries(queries)
    if _may_read(plans):
        signature = tuple(q.sql for q in queries)
        try:
            cost = _costs.get(signature)
            if cost is not None and cost < CHEAP_MS:
                outcomes = db.read_now(_read_job, queries, plans, state, per_statement)
            else:
                outcomes = await db.read(_read_job, queries, plans, state, per_statement)
            _remember(_costs, signature, sum(o.duration_ms for o in outcomes))
            return outcomes
        except NotReadOnly as exc:
            _remember(_writes, exc.args[0], True)
    try:
        return await db.write_inline(WRITE_BUDGET_MS, _write_job, queries, plans, state, per_statement)
    except apsw.BusyError as exc:
        # another process held the file's write lock past the busy timeout (no statement ran):
        # a D1 error the Worker can catch, as workerd's D1 reports SQLITE_BUSY
        raise D1QueryError(sqlite_message(exc)) from None
