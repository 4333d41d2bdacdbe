"""A whole write transaction in one request, run in the group commit.

@libsql/client's `batch(stmts, "write")` (and "deferred") sends one pipeline request that opens
a stream, runs `BEGIN IMMEDIATE`, the statements, `COMMIT` (each step conditional on the one
before), a `ROLLBACK` should any of them fail, and closes the stream. On a connection of the
stream's own that cost a connection opened and closed, thread hops and an fsync of its own per
batch: half sqld's batches/s at one connection. Such a batch runs here instead as one job of
the loop writer's group commit (storage/loop_writer.py), the way a single statement does, with
its transaction control played inside the group's transaction:

- `BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION]` opens a SAVEPOINT,
- `COMMIT`/`END` releases it (the group's COMMIT and sync make it durable before the answer),
- `ROLLBACK` rolls back to it, and so does the close that ends a batch left inside it,
- `is_autocommit` conditions read whether it is open.

Every other step runs as on the stream's connection (`run_query`'s errors), and each step's
result is what that connection gives. Only batches whose outcome cannot tell the difference take this
path: the transaction control above and nothing else of it (no SAVEPOINT, no second BEGIN), no
statement that reads or leaves connection state (execution.Route.PIN), from a client that may
write. A step that would end the transaction itself (ON CONFLICT ROLLBACK, RAISE(ROLLBACK)),
a COMMIT that deferred foreign keys would fail, or transaction control out of place (COMMIT
with no transaction open) hands the batch back (`Unsuited`), undone, to the stream's own
connection, where SQLite answers it as before; so does the write lock held elsewhere (a stream's
open transaction: there the batch waits its turn as before, and fails as on sqld if the lock
stays taken).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import Any

from lumadb.libsql import execution
from lumadb.libsql.batch import COMMIT, ROLLBACK, Step, control, play
from lumadb.libsql.errors import StmtError
from lumadb.libsql.stmt import Access, execute_query, result_dict
from lumadb.sql.execute import ResultTooLarge, StatementResult
from lumadb.storage.jobs import loop_only
from lumadb.storage.sqlite import apsw

_BEGIN = re.compile(r"\s*BEGIN(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?(\s+TRANSACTION)?\s*;?\s*", re.IGNORECASE)
_SAVEPOINT = "hrana_batch"


class Unsuited(Exception):
    """The batch must run on the stream's own connection after all (its changes are undone)."""


def suits(program: list[Step], access: Access) -> bool:
    """Whether this batch, alone in a request that then closes its stream, may run here: no
    statement that needs a connection of its own (transaction control, PRAGMAs, connection
    state: execution.Route.PIN)."""
    return access.can_write and whole_transaction(program, _BEGIN, lambda route: route is not execution.Route.PIN)


def whole_transaction(program: list[Step], begin: re.Pattern[str], takes: Callable[[execution.Route], bool]) -> bool:
    """Whether `program` opens a transaction with its first step (`begin`, unconditional) and
    holds nothing but COMMIT, ROLLBACK and statements whose route `takes` takes."""
    if len(program) < 2 or program[0].condition is not None or not control(program[0], begin):
        return False
    return all(control(step, COMMIT) or control(step, ROLLBACK) or takes(execution.route_for(step.query.sql))
               for step in program[1:])


@loop_only
def run(conn: apsw.Connection, program: list[Step], access: Access) -> dict[str, Any] | ResultTooLarge:
    """The batch as a job of the group commit: its step results and errors."""
    conn.set_last_insert_rowid(0)  # as the new connection sqld gives each stream
    in_transaction = False

    def run_step(index: int, step: Step) -> tuple[dict | None, dict | None]:
        nonlocal in_transaction
        if index == 0 or control(step, COMMIT) or control(step, ROLLBACK):
            started = time.perf_counter()
            in_transaction = _transaction_control(conn, step, index == 0, in_transaction)
            return empty_result(started), None
        return _statement(conn, step, access)

    answer: dict[str, Any] | ResultTooLarge
    try:
        answer = play(program, lambda: not in_transaction, run_step)
    except ResultTooLarge as exc:
        answer = exc  # what ran before it stays, as on sqld; the caller raises it
    if in_transaction:
        _roll_back(conn)  # the stream closes inside its transaction: SQLite rolls it back
    return answer


def _transaction_control(conn: apsw.Connection, step: Step, first: bool, in_transaction: bool) -> bool:
    """BEGIN (the first step), COMMIT or ROLLBACK on the batch's SAVEPOINT; whether the
    transaction is open after it."""
    if first:
        conn.execute(f"SAVEPOINT {_SAVEPOINT}")
        return True
    if not in_transaction:
        raise Unsuited  # SQLite's own error for COMMIT or ROLLBACK with no transaction says it best
    if not control(step, COMMIT):
        _roll_back(conn)
    elif conn.status(apsw.SQLITE_DBSTATUS_DEFERRED_FKS)[0] > 0:
        raise Unsuited  # the COMMIT fails and the transaction stays open: SQLite's to tell
    else:
        conn.execute(f"RELEASE {_SAVEPOINT}")
    return False


def _statement(conn: apsw.Connection, step: Step, access: Access) -> tuple[dict | None, dict | None]:
    """(result, None) or (None, error) of a statement step, as on the stream's connection."""
    try:
        return execute_query(conn, step.query, access), None
    except (apsw.Error, ValueError, OverflowError, StmtError) as exc:
        if not conn.in_transaction:
            raise Unsuited from None  # it ended the transaction (the group's too)
        if isinstance(exc, apsw.InterruptError) and _on_event_loop():
            raise  # past its time budget on the event loop: undone, run on the writer thread
        error = exc if isinstance(exc, StmtError) else StmtError.from_sqlite(exc)
        return None, error.as_dict()


def _on_event_loop() -> bool:
    """Whether the job runs on the event loop (under the loop writer's time budget), not on the
    writer thread (under the statement timeout, whose interrupt is the statement's error)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _roll_back(conn: apsw.Connection) -> None:
    conn.execute(f"ROLLBACK TO {_SAVEPOINT}")
    conn.execute(f"RELEASE {_SAVEPOINT}")


def empty_result(started: float) -> dict[str, Any]:
    """What BEGIN, COMMIT and ROLLBACK return on a connection of their own."""
    return result_dict(StatementResult(
        columns=[], decltypes=[], rows=[], row_count=0, changes=0, last_insert_rowid=None, rows_read=0,
        rows_written=0, duration_ms=(time.perf_counter() - started) * 1000.0, kind="other",
    ))
