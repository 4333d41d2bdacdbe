"""libSQL side by side: LumaDB vs sqld, Hrana `/v2/pipeline` execute + close (what
@libsql/client sends for `client.execute()`): `SELECT ?`, a point SELECT, a 10-row SELECT and
an INSERT, at 1 and 16 connections. sqld and LumaDB get one core each; `lumadb-workers2` is
`lumadb serve --workers 2` on both cores (shared with wrk), reported beside them. `--ops` also
takes hrana.lua's batches and interactive transactions (batch_write, batch_read, txn_write,
txn_read).

usage: .venv/bin/python bench/libsql.py [--rounds 5] [--seconds 5] [--ops select1 point range insert]
           [--connections 1 16] [--servers lumadb sqld lumadb-workers2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

OPS = ["select1", "point", "range", "insert"]
ROWS = 10_000
SETUP = [
    "DROP TABLE IF EXISTS kv",
    "DROP TABLE IF EXISTS kvw",
    "CREATE TABLE kv (id INTEGER PRIMARY KEY, v TEXT NOT NULL)",
    "CREATE TABLE kvw (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL)",
    f"INSERT INTO kv (id, v) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {ROWS}) "
    "SELECT x, printf('value-%06d-', x) || hex(zeroblob(40)) FROM c",
]
CHECKS = {
    "select1": ("SELECT ?", [{"type": "integer", "value": "1"}], 1),
    "point": ("SELECT id, v FROM kv WHERE id = ?", [{"type": "integer", "value": "42"}], 1),
    "range": ("SELECT id, v FROM kv WHERE id >= ? ORDER BY id LIMIT 10", [{"type": "integer", "value": "42"}], 10),
    "insert": ("INSERT INTO kvw(v) VALUES (?)", [{"type": "text", "value": "check"}], 0),
}


# A round of interactive write transactions ends with wrk cutting the last ones off, each inside
# BEGIN IMMEDIATE: the next round on that server waits until its stream expires (10 s on both).
SETTLE_SECONDS = {"txn_write": 11.0}


def settle(op: str) -> None:
    time.sleep(SETTLE_SECONDS.get(op, 0.0))


def pipeline(url: str, statements: list[tuple[str, list]]) -> list[dict]:
    requests = [{"type": "execute", "stmt": {"sql": sql, "args": args}} for sql, args in statements]
    body = json.dumps({"requests": [*requests, {"type": "close"}]}).encode()
    req = urllib.request.Request(url + "/v2/pipeline", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        results = json.loads(r.read())["results"]
    for result in results:
        if result["type"] != "ok":
            raise RuntimeError(f"{url}: {result}")
    return results


def prepare(srv: harness.Server) -> None:
    pipeline(srv.url, [(sql, []) for sql in SETUP])
    for op, (sql, args, rows) in CHECKS.items():
        got = pipeline(srv.url, [(sql, args)])[0]["response"]["result"]["rows"]
        assert len(got) == rows, (srv.name, op, got)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--ops", nargs="+", default=OPS)
    ap.add_argument("--connections", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--servers", nargs="+", default=["lumadb", "sqld", "lumadb-workers2"])
    ap.add_argument("--name", default="libsql")
    args = ap.parse_args()

    def workers2() -> harness.Server:
        srv = harness.lumadb("lumadb-workers2", "--workers", "2")
        srv.cpus = "0,1"
        return srv

    makers = {"lumadb": lambda: harness.lumadb("lumadb"), "sqld": harness.sqld, "lumadb-workers2": workers2}
    servers = [makers[name]() for name in args.servers]
    report = {**harness.stamp(sys.argv), "versions": harness.versions("sqld"), "results": {}}
    md = [harness.header("libSQL (Hrana over HTTP): LumaDB vs sqld", report),
          "`lumadb-workers2` runs on both cores (shared with wrk); the others on one core.\n"]
    script = harness.BENCH / "hrana.lua"

    def measure(srv: harness.Server, op: str, conns: int) -> dict:
        result = harness.measure(srv, "/v2/pipeline", script, {"OP": op}, conns, args.seconds)
        settle(op)
        return result

    harness.run_grid(servers, prepare, args.ops, args.connections, args.rounds, measure, report, md, args.name,
                     ["sqld"])

if __name__ == "__main__":
    main()
