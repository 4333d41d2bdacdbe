"""What a write job of a group commit may say of itself, how a failed one is undone, and how one
handed elsewhere reports back: shared by the loop writer (loop_writer.py) and the writer thread
(writer_thread.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from lumadb.storage.sqlite import apsw

T = TypeVar("T")


def changes_last(fn: Callable[..., T]) -> Callable[..., T]:
    """Mark a job that changes nothing until it can no longer fail, but for errors of the
    storage itself: it runs without a SAVEPOINT of its own (two statements of a PutItem's
    five). Should it fail after a change all the same, the group's transaction is rolled back
    and its other jobs run again, as for a failure that ends the transaction."""
    fn.changes_last = True  # type: ignore[attr-defined]
    return fn


class WriteLockElsewhere(Exception):
    """A `loop_only` job met the write lock held elsewhere (the writer thread, a stream's
    transaction, another process) and was not run."""


def loop_only(fn: Callable[..., T]) -> Callable[..., T]:
    """Mark a job whose caller has a path of its own for when the loop writer cannot take the
    write lock: the job fails with WriteLockElsewhere instead of waiting on the writer thread."""
    fn.loop_only = True  # type: ignore[attr-defined]
    return fn


def undo_job(conn: apsw.Connection) -> bool:
    """Undo a failed job's changes (its SAVEPOINT); False when its failure ended the whole
    transaction. A statement left part-way through its rows (a row whose text is not valid
    UTF-8 cannot be read) would keep RELEASE from running: end the transaction then."""
    if not conn.in_transaction:
        return False
    try:
        conn.execute("ROLLBACK TO job")
        conn.execute("RELEASE job")
        return True
    except apsw.Error:
        conn.execute("ROLLBACK")
        return False


@loop_only  # the write lock taken elsewhere: the transaction it would wait for has ended
@changes_last
def settle(_conn: apsw.Connection) -> None:
    """A job that does nothing: done once the transaction it joins has ended."""


def chain(source: asyncio.Future, target: asyncio.Future) -> None:
    """Hand `source`'s outcome on to `target` (a job run elsewhere, for its caller)."""

    def copy(done: asyncio.Future) -> None:
        if target.cancelled():
            return
        if done.cancelled():
            target.cancel()
        elif done.exception() is not None:
            target.set_exception(done.exception())  # type: ignore[arg-type]
        else:
            target.set_result(done.result())

    source.add_done_callback(copy)
