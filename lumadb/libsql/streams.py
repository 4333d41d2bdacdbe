"""Hrana streams over HTTP: batons, the stream table, idle expiry.

A baton is base64(stream id ‖ sequence number ‖ HMAC-SHA256 of both) like sqld's: it is
unguessable, cannot be forged without the server secret, and changes on every response,
so a reused baton is detected. A stream is either available (between requests), acquired
(a request is using it: requests on one stream are strictly serial) or expired (kept for a
while so that late clients get STREAM_EXPIRED rather than "invalid baton").

A stream id carries the pid of the worker process that holds the stream: with `--workers N`
a baton that reaches another worker is passed on to its own (sibling_workers.py).

A stream opens its own SQLite connection only when it needs one ("pinned": a transaction,
connection state such as PRAGMAs or temp tables, several statements); until then its
statements run on the database's shared connections (see execution.py).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from lumadb.libsql import write_lock
from lumadb.libsql.errors import HranaError
from lumadb.libsql.namespaces import authorize, count_afresh
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import Clock, apsw

T = TypeVar("T")
log = logging.getLogger("lumadb.libsql")

# Pinned streams run their SQL here: one stream's requests are serial, streams run side by side.
STREAM_POOL = ThreadPoolExecutor(max_workers=32, thread_name_prefix="lumadb-stream")
EXPIRED_MEMORY_SECONDS = 300.0  # how long an expired stream is remembered (sqld: 5 minutes)
# A stream left inside a transaction holds SQLite's locks: it expires as soon as sqld's would,
# so that a client that vanished mid-transaction cannot block writers for long.
TRANSACTION_IDLE_SECONDS = 10.0
U64 = 2**64
PID_SHIFT = 40  # a stream id is the worker's pid (Linux: at most 2**22) and 40 random bits


class StreamElsewhere(Exception):
    """The baton names a stream of another worker process."""

    def __init__(self, pid: int) -> None:
        super().__init__(pid)
        self.pid = pid


class Stream:
    __slots__ = ("changed_state", "clock", "closed", "conn", "db", "id", "in_use", "last_used", "loop", "namespace",
                 "seq", "sqls", "stolen", "turn", "write_since")

    def __init__(self, db: Database, namespace: str) -> None:
        self.db = db
        self.namespace = namespace
        self.id: int | None = None  # assigned when the stream outlives its first request
        self.seq = 0
        self.sqls: dict[int, str] = {}
        self.conn: apsw.Connection | None = None
        self.clock: Clock | None = None
        self.changed_state = False  # its SQL may have left state on its connection (see close)
        self.closed = False
        self.last_used = time.monotonic()
        # the database's turn to write (pipeline.run_stream_batch), held while its transaction is open
        self.turn: asyncio.Lock | None = None
        # sqld's transaction timeout (write_lock.py): when its connection took the write lock,
        # whether a waiting writer took it back since, and held while its connection is in use
        self.write_since: float | None = None
        self.stolen = False
        self.in_use = threading.Lock()
        try:
            self.loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None

    @property
    def pinned(self) -> bool:
        return self.conn is not None

    async def on_connection(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(conn, *args)` on the stream's own connection (opened on first use), on a
        thread, so that a statement waiting for a lock never blocks the event loop."""
        return await self.start_on_connection(fn, *args)

    def start_on_connection(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """`on_connection`, its outcome left to be awaited later."""
        return asyncio.get_running_loop().run_in_executor(STREAM_POOL, self._call, fn, args)

    async def pin(self) -> None:
        """Open the stream's own connection now: its statements will share connection state
        (`last_insert_rowid()`, `changes()`) the way they do on sqld."""
        if self.conn is None:
            await self.on_connection(_nothing)

    def pin_here(self) -> None:
        """Take the stream's own connection now, on the calling thread (an idle one of the
        database's, else a new one)."""
        if self.conn is None:
            self._take(self.db.borrow_connection())

    def pin_idle(self) -> bool:
        """Take an idle connection of the database's as the stream's own, if one is idle."""
        if self.conn is None:
            entry = self.db.borrow_idle_connection()
            if entry is None:
                return False
            self._take(entry)
        return True

    def _take(self, entry: tuple[apsw.Connection, Clock]) -> None:
        self.conn, self.clock = entry
        self.conn.authorizer = self._authorize

    def _call(self, fn: Callable[..., T], args: tuple) -> T:
        self.pin_here()
        assert self.clock is not None
        with self.in_use:
            self.clock.start()
            try:
                return fn(self.conn, *args)
            finally:
                self.clock.stop()
                write_lock.note(self)

    def lost_turn(self) -> None:
        """(On any thread.) A waiting writer ended its transaction: its turn to write passes on."""
        if self.turn is not None and self.loop is not None:
            self.loop.call_soon_threadsafe(self.turn_over)

    def is_autocommit(self) -> bool:
        return self.conn is None or not self.conn.in_transaction

    def _authorize(self, action: int, name: str | None, function: str | None, *rest: object) -> int:
        # (reading the settings LumaDB itself reads, with --workers N: sql/execute.py, leaves none)
        if action in _STATE_ACTIONS and not (function is None and name in _READS_OF_OUR_OWN):
            self.changed_state = True
        return authorize(action, name, function, *rest)

    def end_turn(self) -> None:
        turn, self.turn = self.turn, None
        if turn is not None:
            turn.release()

    def turn_over(self) -> None:
        """After a request: pass the turn to write on if the stream's transaction has ended
        (COMMIT, ROLLBACK, or a failure that ended it)."""
        if self.turn is not None and self.is_autocommit():
            self.end_turn()

    async def close(self, reuse: bool = True) -> None:
        """Let go of the stream's connection. One left as it was found (no transaction open, no
        PRAGMA, ATTACH or temporary object) goes back to the database's idle connections for
        the next stream or read: opening one costs ~100-230 µs and closing it a thread hop,
        per batch request. Any other is closed (SQLite rolls back an open transaction). The
        stream's turn to write, if it holds one, passes on once its connection has let go."""
        self.closed = True
        try:
            await self._let_go(reuse)
        finally:
            self.end_turn()

    async def _let_go(self, reuse: bool) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        write_lock.let_go(self)
        # Not one inside a transaction (a deferred BEGIN or a SAVEPOINT that has read nothing
        # holds no snapshot yet), nor one holding a snapshot (a statement left unfinished holds
        # it outside any transaction), nor after a failed request, whose statement may still be
        # running on its thread. One that wrote shows the next stream changes() and
        # total_changes() of 0, and last_insert_rowid() 0, as sqld's new connection does.
        if (reuse and not self.changed_state and not conn.in_transaction
                and conn.txn_state() == apsw.SQLITE_TXN_NONE
                and (conn.total_changes() == 0 or count_afresh(conn))):
            conn.authorizer = authorize
            conn.set_last_insert_rowid(0)
            assert self.clock is not None
            if self.db.give_back((conn, self.clock)):
                return
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(STREAM_POOL, _close_connection, conn)


# What leaves state on a connection beyond its transaction: such a stream's connection is closed.
_STATE_ACTIONS = frozenset((
    apsw.SQLITE_PRAGMA, apsw.SQLITE_ATTACH, apsw.SQLITE_DETACH, apsw.SQLITE_CREATE_TEMP_INDEX,
    apsw.SQLITE_CREATE_TEMP_TABLE, apsw.SQLITE_CREATE_TEMP_TRIGGER, apsw.SQLITE_CREATE_TEMP_VIEW,
    apsw.SQLITE_CREATE_VTABLE, apsw.SQLITE_DROP_VTABLE,
))  # fmt: skip


_READS_OF_OUR_OWN = frozenset(("schema_version", "data_version", "journal_mode"))

def _nothing(_conn: apsw.Connection) -> None:
    return None


def _close_connection(conn: apsw.Connection) -> None:
    try:
        conn.close()
    except apsw.Error:
        log.exception("closing a stream connection")


class StreamRegistry:
    def __init__(self, secret: bytes, idle_seconds: float, *, siblings: bool = False) -> None:
        self._key = hashlib.sha256(b"lumadb-hrana-baton\0" + secret).digest()
        self.idle_seconds = idle_seconds
        self.siblings = siblings  # other worker processes hold streams too
        self._available: dict[int, Stream] = {}
        self._acquired: set[int] = set()
        self._expired: dict[int, float] = {}  # stream id -> when to forget it
        self._sweeper: asyncio.Task | None = None

    # -- batons -----------------------------------------------------------------------
    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()

    def encode_baton(self, stream_id: int, seq: int) -> str:
        payload = stream_id.to_bytes(8, "big") + seq.to_bytes(8, "big")
        return base64.b64encode(payload + self._mac(payload)).decode().rstrip("=")

    def decode_baton(self, baton: str) -> tuple[int, int]:
        if len(baton) != 64:
            raise HranaError.baton_invalid()
        try:
            data = base64.b64decode(baton, validate=True)
        except (binascii.Error, ValueError):
            raise HranaError.baton_invalid() from None
        payload, mac = data[:16], data[16:]
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise HranaError.baton_invalid()
        return int.from_bytes(payload[:8], "big"), int.from_bytes(payload[8:], "big")

    # -- life cycle of one request -------------------------------------------------------
    def acquire(self, baton: str) -> Stream:
        """The stream a baton names, taken for the duration of one request."""
        stream_id, seq = self.decode_baton(baton)
        if stream_id in self._acquired:
            raise HranaError.baton_reused()
        if stream_id in self._expired:
            raise HranaError.stream_expired()
        stream = self._available.get(stream_id)
        if stream is None:
            if self.siblings and stream_id >> PID_SHIFT != os.getpid():
                raise StreamElsewhere(stream_id >> PID_SHIFT)
            raise HranaError.baton_invalid()
        if stream.seq != seq:
            raise HranaError.baton_reused()
        del self._available[stream_id]
        self._acquired.add(stream_id)
        stream.seq = (stream.seq + 1) % U64  # the next request must show a new baton
        return stream

    def release(self, stream: Stream) -> str | None:
        """Make the stream available again and return its next baton (None once closed)."""
        if stream.id is not None:
            self._acquired.discard(stream.id)
        if stream.closed:
            return None
        if stream.id is None:
            stream.id = self._new_id()
            stream.seq = secrets.randbits(64)
        stream.last_used = time.monotonic()
        self._available[stream.id] = stream
        self._ensure_sweeper()
        return self.encode_baton(stream.id, stream.seq)

    def next_baton(self, stream: Stream) -> str:
        """The baton `release` will answer, known while the request still holds the stream (a
        cursor's first line, sent before its rows)."""
        if stream.id is None:
            stream.id = self._new_id()
            stream.seq = secrets.randbits(64)
            self._acquired.add(stream.id)
        return self.encode_baton(stream.id, stream.seq)

    async def discard(self, stream: Stream) -> None:
        """A request failed: the stream is closed (sqld drops it too)."""
        if stream.id is not None:
            self._acquired.discard(stream.id)
        await stream.close(reuse=False)

    def _new_id(self) -> int:
        worker = os.getpid() << PID_SHIFT
        while True:
            stream_id = worker | secrets.randbits(PID_SHIFT)
            if stream_id not in self._available and stream_id not in self._acquired and stream_id not in self._expired:
                return stream_id

    # -- expiry -------------------------------------------------------------------------
    def _ensure_sweeper(self) -> None:
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def _sweep_forever(self) -> None:
        interval = max(0.05, min(1.0, self.idle_seconds / 4))  # expiry is late by at most this
        while self._available or self._expired:
            await asyncio.sleep(interval)
            try:
                await self.sweep()
            except Exception:
                log.exception("expiring streams")

    async def sweep(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        in_transaction_limit = min(self.idle_seconds, TRANSACTION_IDLE_SECONDS)
        stale = [
            s for s in self._available.values()
            if now - s.last_used >= (self.idle_seconds if s.is_autocommit() else in_transaction_limit)
        ]
        for stream in stale:
            assert stream.id is not None
            del self._available[stream.id]
            self._expired[stream.id] = now + EXPIRED_MEMORY_SECONDS
        for stream_id in [i for i, forget_at in self._expired.items() if forget_at <= now]:
            del self._expired[stream_id]
        for stream in stale:
            await stream.close()

    async def close_where(self, predicate: Callable[[Stream], bool]) -> None:
        """Close the available streams matching `predicate` (a deleted database's)."""
        doomed = [s for s in self._available.values() if predicate(s)]
        for stream in doomed:
            assert stream.id is not None
            del self._available[stream.id]
            await stream.close()

    async def close_all(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        streams = list(self._available.values())
        self._available.clear()
        for stream in streams:
            await stream.close()

    def __len__(self) -> int:
        return len(self._available) + len(self._acquired)
