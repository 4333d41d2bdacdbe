"""sqld's transaction timeout: a stream's transaction holds SQLite's write lock for 5 s at most.

A stream whose connection takes the write lock (a BEGIN IMMEDIATE, a write inside BEGIN) is the
database's holder from then on (`note`). A writer that then waits for the lock (another stream,
an autocommit write on the writer thread) waits until the holder's 5 s are up, then ends the
holder's transaction itself (`steal`: ROLLBACK on the holder's connection) and goes on (a busy
timeout set below 5 s, `--busy-timeout-ms`, answers SQLITE_BUSY first). A transaction that has
read and then writes waits the same way (`upgrade_when_free`), where SQLite would not wait. The
holder's next request finds its transaction gone: every statement of that request answers
`TRANSACTION_TIMEOUT` ("Transaction timed out"), and the stream goes on in autocommit. So an abandoned transaction blocks the database's other
writers for 5 s, not until its stream expires, as on sqld (its connection/libsql.rs). Holders
are known within one process: with --workers N a transaction of another worker is waited for as
before, up to the busy timeout.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from lumadb.libsql.errors import StmtError
from lumadb.storage.sqlite import apsw

if TYPE_CHECKING:
    from lumadb.libsql.streams import Stream

T = TypeVar("T")

TXN_TIMEOUT_S = 5.0
_POLL_S = 0.001  # between tries while a holder's time runs (it may end its transaction first)

# namespace -> the stream holding its write lock, in this process
_holders: dict[str, Stream] = {}
_holders_lock = threading.Lock()


def timed_out() -> StmtError:
    return StmtError("Transaction timed out", "TRANSACTION_TIMEOUT")


def note(stream: Stream) -> None:
    """After a request on the stream's own connection: whether it now holds the write lock."""
    conn = stream.conn
    holds = conn is not None and conn.txn_state() == apsw.SQLITE_TXN_WRITE
    if holds and stream.write_since is None:
        stream.write_since = time.monotonic()
        with _holders_lock:
            _holders[stream.namespace] = stream
    elif not holds and stream.write_since is not None:
        let_go(stream)


def let_go(stream: Stream) -> None:
    stream.write_since = None
    with _holders_lock:
        if _holders.get(stream.namespace) is stream:
            del _holders[stream.namespace]


def expired(stream: Stream) -> bool:
    """Before a request: whether a waiting writer ended the stream's transaction since the last
    one (once: the request's statements then answer TRANSACTION_TIMEOUT). A transaction nobody
    waits for goes on past its 5 s, as on sqld 0.24."""
    if not stream.stolen:
        return False
    with stream.in_use:  # (not while a waiting writer ends it)
        stolen, stream.stolen = stream.stolen, False
    return stolen


def steal(holder: Stream, since: float) -> bool:
    """End the holder's transaction for a waiting writer, if it is still the one that began at
    `since`: not while a request of the holder's runs (it may be about to end it). Whether it
    was ended here."""
    if not holder.in_use.acquire(blocking=False):
        return False
    try:
        conn = holder.conn
        if holder.write_since != since or conn is None:
            return False
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        holder.stolen = True
        let_go(holder)
    finally:
        holder.in_use.release()
    holder.lost_turn()
    return True


BusyHandler = Callable[[int], bool]

# each libSQL connection's busy handler, for the waits SQLite does not hand to it
_handlers: weakref.WeakKeyDictionary[apsw.Connection, BusyHandler] = weakref.WeakKeyDictionary()


def install(conn: apsw.Connection, namespace: str, timeout_s: float) -> None:
    handler = busy_handler(namespace, timeout_s)
    conn.set_busy_handler(handler)
    _handlers[conn] = handler


def upgrade_when_free(conn: apsw.Connection, busy: apsw.BusyError, run: Callable[[], T]) -> T:
    """After `run` failed with `busy`: SQLite calls no busy handler for a transaction that has
    read and now writes (its lock upgrade), and answers SQLITE_BUSY at once. sqld waits there
    as for any write: until the holder ends its transaction (then SQLITE_BUSY, the snapshot
    being stale: SQLITE_BUSY_SNAPSHOT) or loses it after its 5 s (then the write goes on). So
    here: the connection's busy handler's wait, `run` tried again after each of its turns (the
    failed statement had not started: the lock is taken before anything runs)."""
    handler = _handlers.get(conn)
    if handler is None or _extended(busy) != apsw.SQLITE_BUSY or conn.txn_state() != apsw.SQLITE_TXN_READ:
        raise busy
    calls = 0
    while handler(calls):
        calls += 1
        try:
            return run()
        except apsw.BusyError as again:
            if _extended(again) != apsw.SQLITE_BUSY:
                raise
            busy = again
    raise busy


def _extended(error: apsw.Error) -> int | None:
    return getattr(error, "extendedresult", None)  # (not in apsw's type stubs)


def busy_handler(namespace: str, timeout_s: float) -> BusyHandler:
    """A connection's wait for the write lock, up to the busy timeout (5 s by default, sqld's
    wait), polled every millisecond (SQLite's own sleeps grow to 100 ms); a stream of this
    process that has held the lock for more than 5 s by then loses it to this writer."""
    started = 0.0

    def handler(prior_calls: int) -> bool:
        nonlocal started
        now = time.monotonic()
        if prior_calls == 0:
            started = now
        holder = _holders.get(namespace)
        since = holder.write_since if holder is not None else None
        if holder is not None and since is not None and now - since > TXN_TIMEOUT_S and steal(holder, since):
            return True  # the lock is free: try again at once
        if now - started >= timeout_s:
            return False  # SQLITE_BUSY, as after the busy timeout
        time.sleep(_POLL_S)
        return True

    return handler
