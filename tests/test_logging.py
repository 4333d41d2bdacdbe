"""LUMADB_LOG=debug (and RUST_LOG=debug, which sqld users try) logs each request with its
duration and each SQL statement with its time."""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest


def pipeline_select(url: str) -> None:
    body = json.dumps({"requests": [{"type": "execute", "stmt": {"sql": "SELECT 41 + 1"}}, {"type": "close"}]})
    req = urllib.request.Request(url + "/v2/pipeline", body.encode(), {"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


@pytest.mark.parametrize("variable", ["LUMADB_LOG", "RUST_LOG"])
def test_debug_logs_requests_and_sql_with_durations(start_server, variable: str) -> None:
    srv = start_server(env={variable: "debug"})
    pipeline_select(srv.url)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "SELECT 41 + 1" not in srv.log():
        time.sleep(0.05)
    log = srv.log()
    assert re.search(r"POST /v2/pipeline 200 [0-9.]+ ms", log), log
    assert re.search(r"sql [0-9.]+ ms: SELECT 41 \+ 1", log), log


def test_info_level_logs_neither(start_server) -> None:
    srv = start_server()
    pipeline_select(srv.url)
    time.sleep(0.2)
    assert "SELECT 41 + 1" not in srv.log()
    assert "/v2/pipeline" not in srv.log()
