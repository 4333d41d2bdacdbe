"""Many databases on a machine whose soft limit of open files is low: the server raises it to
the hard limit, so that ~9 descriptors per open database do not run out after a few dozen."""

from __future__ import annotations

import resource
from pathlib import Path

import httpx

from tests.lumadb_server import LumaServer


def low_soft_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))


def test_more_databases_than_a_low_soft_limit_allows() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    server = LumaServer("--memory", preexec_fn=low_soft_limit).start()
    try:
        assert server.proc is not None
        limits = Path(f"/proc/{server.proc.pid}/limits").read_text()
        soft = next(line for line in limits.splitlines() if line.startswith("Max open files")).split()[3]
        assert int(soft) == hard
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for i in range(60):  # ~540 descriptors
                reply = client.post("/query", json={"sql": "CREATE TABLE t (a); INSERT INTO t VALUES (1)"},
                                    headers={"x-lumadb-database": f"many-{i}"})  # fmt: skip
                assert reply.status_code == 200 and reply.json()[-1]["success"], reply.text
            reply = client.post("/turso/v2/pipeline", json={"requests": [
                {"type": "execute", "stmt": {"sql": "SELECT 1"}}, {"type": "close"}]})  # fmt: skip
            assert reply.status_code == 200
    finally:
        server.stop()
