"""A whole read transaction in one request, run on the event loop's read connection.

@libsql/client's `batch(stmts, "read")` sends one pipeline request that opens a stream, runs
`BEGIN TRANSACTION READONLY` (to SQLite and to sqld a deferred BEGIN of a transaction so named),
the statements, `COMMIT` (each step conditional on the one before), a `ROLLBACK` should any of
them fail, and closes the stream. On a connection of the stream's own that cost a connection
borrowed (or opened) and two thread hops per request: ~410 µs of server CPU per batch at 16
connections, three times a write batch's. Such a batch of reads runs instead where a single
read does (execution.py): on the database's read connection on the event loop, under the same
time budget, its BEGIN, COMMIT and ROLLBACK as written. Only batches whose outcome cannot tell
the difference take this path: a deferred BEGIN first, then reads (execution.Route.READ, which
leaves out whatever reads connection state) and transaction control. Anything else hands the
batch back (`Unsuited`), its transaction rolled back, to the stream's own connection, which
runs it from the start: a statement that turns out to write, transaction control out of place,
a read past the time budget. Reads change nothing, so running them again is safe.
"""

from __future__ import annotations

import re
import time
from typing import Any

from lumadb.libsql import execution
from lumadb.libsql.batch import COMMIT, ROLLBACK, Step, control, play
from lumadb.libsql.errors import StmtError
from lumadb.libsql.stmt import Access, read_query
from lumadb.libsql.write_batch import empty_result, whole_transaction
from lumadb.sql import NotReadOnly
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import Clock, apsw

# a deferred BEGIN, with or without a transaction name (@libsql/client's "READONLY" is one)
_BEGIN = re.compile(r"\s*BEGIN(\s+DEFERRED)?(\s+TRANSACTION(\s+[A-Za-z_][A-Za-z0-9_]*)?)?\s*;?\s*", re.IGNORECASE)


class Unsuited(Exception):
    """The batch must run on the stream's own connection after all (nothing of it stays)."""


def suits(program: list[Step]) -> bool:
    """Whether this batch, alone in a request that then closes its stream, may run here."""
    return whole_transaction(program, _BEGIN, lambda route: route is execution.Route.READ)


def opens(program: list[Step]) -> bool:
    """Whether this batch opens a read transaction and reads, and no more (the first request of
    @libsql/client's `transaction("read")`, whose stream stays open): unconditional, it can run
    on the stream's connection on the event loop and, past the time budget, be rolled back and
    run again on its thread."""
    return (len(program) >= 1 and program[0].condition is None and control(program[0], _BEGIN)
            and all(execution.route_for(step.query.sql) is execution.Route.READ for step in program[1:]))


def run(db: Database, program: list[Step], access: Access) -> dict[str, Any]:
    """The batch on the event loop's read connection: its step results and errors."""
    conn, clock = db.inline_connection()
    if conn.in_transaction:
        raise Unsuited
    clock.start(execution.INLINE_BUDGET_MS)
    try:
        return _run(conn, clock, program, access)
    finally:
        clock.stop()
        if conn.in_transaction:  # the stream closes inside its transaction, or the batch went back
            conn.execute("ROLLBACK")


def _run(conn: apsw.Connection, clock: Clock, program: list[Step], access: Access) -> dict[str, Any]:
    def run_step(index: int, step: Step) -> tuple[dict | None, dict | None]:
        if index == 0 or control(step, COMMIT) or control(step, ROLLBACK):
            if (index == 0) == conn.in_transaction:
                raise Unsuited  # SQLite's own error for COMMIT with no transaction says it best
            started = time.perf_counter()
            conn.execute("BEGIN" if index == 0 else "COMMIT" if control(step, COMMIT) else "ROLLBACK")
            return empty_result(started), None
        return _statement(conn, clock, step, access)

    return play(program, lambda: not conn.in_transaction, run_step)


def _statement(conn: apsw.Connection, clock: Clock, step: Step, access: Access) -> tuple[dict | None, dict | None]:
    """(result, None) or (None, error) of a read step, as on the stream's connection."""
    try:
        return read_query(conn, step.query, access), None
    except NotReadOnly:
        raise Unsuited from None  # it would write: nothing ran
    except apsw.InterruptError as exc:
        if clock.check():
            raise Unsuited from None  # past its time budget on the event loop
        return None, StmtError.from_sqlite(exc).as_dict()
    except StmtError as exc:
        return None, exc.as_dict()
