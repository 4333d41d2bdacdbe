"""An unmodified Worker (tests/node/d1_worker/worker.js) on the real workerd binary, its D1
binding wired to LumaDB by `lumadb workerd-config`, gives the same results as the same Worker
on Miniflare's own D1; so does the lumadb-d1 helper class swapped in for env.DB."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NODE_DIR, run_node
from tests.d1.conftest import D1Http
from tests.lumadb_server import ROOT, LumaServer, free_port

pytestmark = pytest.mark.node
WORKERD = NODE_DIR / "node_modules" / "workerd" / "bin" / "workerd"
WORKER = NODE_DIR / "d1_worker" / "worker.js"


@pytest.fixture(scope="module")
def miniflare_results(server: LumaServer) -> dict:
    results = run_node("d1_miniflare.mjs", server.url, "/run")
    assert isinstance(results, dict)
    return results


class Workerd:
    def __init__(self, url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.url, self.proc, self.log = url, proc, log

    def get(self, path: str) -> object:
        with urllib.request.urlopen(self.url + path, timeout=60) as reply:
            return json.loads(reply.read())


@pytest.fixture
def workerd(server: LumaServer, tmp_path: Path, db_name: str) -> Iterator[Workerd]:
    yield from _workerd(server.url, tmp_path, db_name, "local-token")


def _workerd(lumadb_url: str, tmp_path: Path, db_name: str, token: str | None) -> Iterator[Workerd]:
    if not WORKERD.exists():
        pytest.fail("the workerd binary is required in tests/node (npm install there)")
    (tmp_path / "wrangler.toml").write_text(
        f'name = "scenarios"\nmain = "{WORKER}"\ncompatibility_date = "2025-06-01"\n\n'
        f'[[d1_databases]]\nbinding = "DB"\ndatabase_name = "{db_name}"\n'
        'database_id = "5d1c5ab5-0000-4000-8000-000000000000"\n'
    )
    port = free_port()
    config = tmp_path / "config.capnp"
    made = subprocess.run(
        [sys.executable, "-m", "lumadb.cli", "workerd-config", "--wrangler-toml", str(tmp_path / "wrangler.toml"),
         "--lumadb-url", lumadb_url, "--listen", f"127.0.0.1:{port}", *(["--token", token] if token else []),
         "--out", str(config)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert made.returncode == 0, made.stderr
    log = tmp_path / "workerd.log"
    with open(log, "wb") as out:
        # its own process group: the npm launcher runs the workerd binary as a child, which
        # outlives a signal sent to the launcher alone
        proc = subprocess.Popen([str(WORKERD), "serve", str(config)], cwd=tmp_path, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/nothing", timeout=1)
            except urllib.error.HTTPError:
                break  # the Worker answered (404): workerd is up
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        yield Workerd(f"http://127.0.0.1:{port}", proc, log)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


def differences(expected: dict, actual: dict) -> dict:
    return {k: {"miniflare": expected.get(k), "lumadb": actual.get(k)}
            for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k)}


def test_worker_on_workerd_matches_miniflare(workerd: Workerd, miniflare_results: dict, d1: D1Http,
                                             db_name: str) -> None:
    results = workerd.get("/run")
    assert isinstance(results, dict) and len(results) == len(miniflare_results) > 60
    assert differences(miniflare_results, results) == {}
    # the binding's requests reached the database named in wrangler.toml
    described = d1.rest("GET", f"/{db_name}").json()["result"]
    # (5 tables, and the R*Tree table with its 3 shadow tables)
    assert described["name"] == db_name and described["num_tables"] == 9


def test_dump_through_workerd_returns_the_database_file(workerd: Workerd, d1: D1Http, db_name: str) -> None:
    d1.run(db_name, "CREATE TABLE t (x)")
    # (three pages: the header's, D1's `_cf_KV` and t)
    assert workerd.get("/dump") == {"bytes": 12288, "header": "SQLite format 3"}


def test_a_server_with_api_tokens_serves_the_binding_that_sends_one(start_server: Any, tmp_path: Path,
                                                                   db_name: str) -> None:
    """`lumadb serve --d1-api-token T` and `lumadb workerd-config --token T`: the Worker's
    env.DB works; a config without the token is refused (HTTP 403, as Cloudflare's API answers)."""
    srv: LumaServer = start_server("--d1-api-token", "other-token,local-token")
    D1Http(srv.url).binding(db_name, {"sql": "CREATE TABLE t (x)"}, headers={"authorization": "Bearer local-token"})
    for token, expected in (("local-token", {"bytes": 12288, "header": "SQLite format 3"}),
                            (None, {"error": "D1_DUMP_ERROR: Status + 403"})):  # (workerd's words)
        (tmp_path / (token or "none")).mkdir()
        runner = _workerd(srv.url, tmp_path / (token or "none"), db_name, token)
        worker = next(runner)
        try:
            assert worker.get("/dump") == expected
        finally:
            runner.close()


def test_helper_class_matches_miniflare(server: LumaServer, miniflare_results: dict, db_name: str) -> None:
    results = run_node("d1_helper.mjs", server.url, db_name)
    assert isinstance(results, dict)
    assert differences(miniflare_results, results) == {}
    dump = run_node("d1_helper.mjs", server.url, db_name, "dump")
    assert dump == {"bytes": 49152, "header": "SQLite format 3"}
