"""With --workers N a stream's BEGIN that waits for another worker's transaction tries again
every millisecond (write_lock.py `busy_handler`, on every libSQL connection), not on SQLite's
own schedule, whose sleeps grow to 100 ms; it still gives up at the busy timeout. In process: a
second connection to the file stands for the other worker."""

from __future__ import annotations

import threading
import time
from functools import partial
from pathlib import Path

import pytest

from lumadb.libsql.namespaces import setup_connection
from lumadb.libsql.streams import Stream
from lumadb.storage.executor import Database
from lumadb.storage.sqlite import apsw


@pytest.fixture
def database(tmp_path: Path):
    setup = partial(setup_connection, name="default", busy_timeout_ms=400)
    db = Database(tmp_path / "x.sqlite", busy_timeout_ms=400, cross_process=True, setup=setup)
    other = apsw.Connection(str(tmp_path / "x.sqlite"))
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("CREATE TABLE t (v)")
    yield db, other
    other.close()
    db.close()


def _begin_when_free(stream: Stream, other: apsw.Connection, held_s: float) -> float:
    """How long after `other` ends its write transaction the stream's BEGIN IMMEDIATE returns."""
    other.execute("BEGIN IMMEDIATE")
    released: list[float] = []

    def release() -> None:
        time.sleep(held_s)
        other.execute("COMMIT")
        released.append(time.monotonic())

    thread = threading.Thread(target=release)
    thread.start()
    stream.pin_here()
    assert stream.conn is not None
    stream.conn.execute("BEGIN IMMEDIATE")
    began = time.monotonic()
    thread.join()
    stream.conn.execute("ROLLBACK")
    return began - released[0]


def test_a_stream_begins_soon_after_the_other_writer_commits(database) -> None:
    db, other = database
    stream = Stream(db, "default")
    # SQLite's schedule would try again 128 and 178 ms into the wait: ~40 ms late at 140
    assert _begin_when_free(stream, other, 0.14) < 0.015


def test_a_stream_still_gives_up_at_the_busy_timeout(database) -> None:
    db, other = database
    stream = Stream(db, "default")
    stream.pin_here()
    assert stream.conn is not None
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(apsw.BusyError):
        stream.conn.execute("BEGIN IMMEDIATE")
    assert 0.4 <= time.monotonic() - started < 1.5
    other.execute("COMMIT")
