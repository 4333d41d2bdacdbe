"""D1 and libSQL databases left unused are let go (`--idle-database-seconds`): their
connections closed and their writer threads stopped, so that a server that has served many
databases (one per tenant, as D1 suggests) does not keep a thread and ~9 descriptors for each.
Their next request opens them again, with every write kept and no stale cached read."""

from __future__ import annotations

import asyncio
import os
import time
import urllib.request
from pathlib import Path

import apsw
import libsql_client
from cloudflare import Cloudflare

from tests.d1.conftest import ACCOUNT
from tests.lumadb_server import LumaServer

DATABASES = 12


def _threads_and_files(pid: int) -> tuple[int, int]:
    threads = len(os.listdir(f"/proc/{pid}/task"))
    return threads, len(os.listdir(f"/proc/{pid}/fd"))


def _wait_until_let_go(pid: int, threads: int, files: int, timeout: float = 20.0) -> tuple[int, int]:
    deadline = time.monotonic() + timeout
    while True:
        now = _threads_and_files(pid)
        if (now[0] <= threads and now[1] <= files) or time.monotonic() > deadline:
            return now
        time.sleep(0.2)


def _libsql(url: str, *statements: str) -> list:
    async def run() -> list:
        async with libsql_client.create_client(url) as client:
            return [[tuple(row) for row in (await client.execute(sql)).rows] for sql in statements]

    return asyncio.run(run())


def test_idle_databases_are_let_go_and_open_again_with_their_data() -> None:
    server = LumaServer("--idle-database-seconds", "1").start()
    try:
        assert server.proc is not None
        pid = server.proc.pid
        cf = Cloudflare(api_token="local-token", base_url=server.url + "/client/v4", max_retries=0)
        cf.d1.database.list(account_id=ACCOUNT)  # the D1 catalog (kept open) is in the baseline
        baseline = _threads_and_files(pid)

        uuids = []
        for i in range(DATABASES):
            db = cf.d1.database.create(account_id=ACCOUNT, name=f"tenant-{i}")
            cf.d1.database.query(db.uuid, account_id=ACCOUNT, sql="CREATE TABLE t (v); INSERT INTO t VALUES (1)")
            uuids.append(db.uuid)
        turso = server.url + "/turso"
        _libsql(turso, "CREATE TABLE kv (v)", "INSERT INTO kv VALUES (1)")
        for _ in range(3):  # from the second read on, served by the query cache
            assert _libsql(turso, "SELECT v FROM kv") == [[(1,)]]
        busy = _threads_and_files(pid)
        assert busy[0] >= baseline[0] + DATABASES and busy[1] >= baseline[1] + 4 * DATABASES, (baseline, busy)

        # A few threads and descriptors of the server's own may come and go (pools).
        idle = _wait_until_let_go(pid, baseline[0] + 2, baseline[1] + 4)
        assert idle[0] <= baseline[0] + 2 and idle[1] <= baseline[1] + 4, (baseline, busy, idle)

        # Another process changes the libSQL database meanwhile: the cached read must not
        # come back from the new connection's first look at the file.
        with apsw.Connection(str(Path(server.data_dir) / "libsql" / "default.sqlite")) as other:
            other.execute("UPDATE kv SET v = 2")
        assert _libsql(turso, "SELECT v FROM kv") == [[(2,)]]

        for uuid in uuids:
            pages = cf.d1.database.query(uuid, account_id=ACCOUNT,
                                         sql="INSERT INTO t VALUES (2); SELECT sum(v) AS s FROM t")  # fmt: skip
            assert [r.results for r in pages] == [[], [{"s": 3}]]
    finally:
        server.stop()


def _make_databases(cf: Cloudflare, prefix: str, count: int = 150) -> None:
    for i in range(count):
        db = cf.d1.database.create(account_id=ACCOUNT, name=f"{prefix}-{i}")
        cf.d1.database.query(db.uuid, account_id=ACCOUNT, sql="CREATE TABLE t (v); INSERT INTO t VALUES (1)")


def test_letting_go_of_many_databases_does_not_stall_requests() -> None:
    """Letting go of a database closes its kernel sync context, and `io_destroy` waits ~30 ms
    for the kernel: 150 databases let go at once held every request up for 5 s. Requests
    sent meanwhile now answer as fast as ever."""
    server = LumaServer("--idle-database-seconds", "1").start()
    try:
        assert server.proc is not None
        pid = server.proc.pid
        cf = Cloudflare(api_token="local-token", base_url=server.url + "/client/v4", max_retries=0)
        baseline = _threads_and_files(pid)
        _make_databases(cf, "many")
        worst, deadline = 0.0, time.monotonic() + 20
        while _threads_and_files(pid)[1] > baseline[1] + 4 and time.monotonic() < deadline:
            started = time.monotonic()
            with urllib.request.urlopen(server.url + "/health", timeout=30) as reply:
                assert reply.status == 200
            worst = max(worst, time.monotonic() - started)
            time.sleep(0.01)
        assert _threads_and_files(pid)[1] <= baseline[1] + 4, "the databases were not let go"
        assert worst < 1.0, f"a request waited {worst:.2f} s while databases were let go"
    finally:
        server.stop()


def test_a_server_with_many_open_databases_stops_at_once() -> None:
    """Stopping closes every open database: 150 took 5.6 s, one `io_destroy` after another."""
    server = LumaServer().start()
    try:
        _make_databases(Cloudflare(api_token="local-token", base_url=server.url + "/client/v4", max_retries=0), "open")
    finally:
        started = time.monotonic()
        server.stop()
    assert time.monotonic() - started < 2.5
