"""D1 side by side: a point SELECT and an INSERT against Miniflare's D1 and against LumaDB.

Configurations (each pinned to core 0, wrk on core 1):
  miniflare        bench/d1/worker.js on Miniflare (Cloudflare's D1 code on workerd); CPU = node + workerd
  workerd+lumadb   the same worker.js on plain workerd, its D1 binding pointed at LumaDB by
                   `lumadb workerd-config`; CPU = workerd + LumaDB
  lumadb-binding   the binding's own requests (`POST /query`, `/execute` with X-LumaDB-Database)
                   sent straight to LumaDB: the binding protocol without a Worker in front
  lumadb-rest      the REST API (`POST /client/v4/accounts/<a>/d1/database/<uuid>/query`)
Miniflare's D1 has no REST API and no external binding endpoint: a Worker is the only way in,
so the first two compare the same Worker code; the last two show what LumaDB itself costs.

usage: .venv/bin/python bench/d1.py [--rounds 5] [--seconds 5] [--ops point insert] [--connections 1 16]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

D1 = harness.BENCH / "d1"
WORKERD = harness.NODE_MODULES / ".bin" / "workerd"
SETUP = [
    {"sql": "DROP TABLE IF EXISTS kv"},
    {"sql": "DROP TABLE IF EXISTS kvw"},
    {"sql": "CREATE TABLE kv (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"},
    {"sql": "CREATE TABLE kvw (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL)"},
    {"sql": "INSERT INTO kv (id, v) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) "
            "SELECT x, printf('value-%06d-', x) || hex(zeroblob(40)) FROM c", "params": [10000]},
]


def post(url: str, body: object, headers: dict[str, str] | None = None) -> dict:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def rest_query_path(luma: harness.Server) -> str:
    """Load the tables through the binding protocol, then find the database's uuid for the REST API."""
    answer = post(luma.url + "/query?resultsFormat=NONE", SETUP, {"X-LumaDB-Database": "bench"})
    assert all(r.get("success", True) for r in (answer if isinstance(answer, list) else [answer])), answer
    with urllib.request.urlopen(luma.url + "/client/v4/accounts/bench/d1/database?name=bench", timeout=10) as r:
        uuid = json.loads(r.read())["result"][0]["uuid"]
    path = f"/client/v4/accounts/bench/d1/database/{uuid}/query"
    check = post(luma.url + path, {"sql": "SELECT id, v FROM kv WHERE id = ?", "params": [42]})
    assert check["result"][0]["results"][0]["id"] == 42, check
    return path


class Pair:
    """workerd in front of LumaDB: measured as one server (CPU of both processes)."""

    def __init__(self, luma: harness.Server, workerd: harness.Server) -> None:
        self.name = "workerd+lumadb"
        self.luma, self.workerd = luma, workerd

    @property
    def url(self) -> str:
        return self.workerd.url


def measure(target: harness.Server | Pair, path: str, script: Path, env: dict[str, str], conns: int,
            seconds: float) -> dict:
    parts = [target.luma, target.workerd] if isinstance(target, Pair) else [target]
    before = sum(harness.cpu_seconds(p.proc.pid) for p in parts if p.proc)
    result = harness.wrk(target.url + path, script, env, conns, seconds)
    used = sum(harness.cpu_seconds(p.proc.pid) for p in parts if p.proc) - before
    result["cpu_us_per_request"] = used * 1e6 / max(result["requests"], 1)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--ops", nargs="+", default=["point", "insert"])
    ap.add_argument("--connections", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--name", default="d1")
    args = ap.parse_args()

    luma = harness.lumadb("lumadb")
    miniflare = harness.Server("miniflare", lambda port, work: ["node", str(D1 / "miniflare_server.mjs"), str(port),
                                                                str(work / "persist")], ready_path="/noop")
    luma.start()
    config = Path(luma.workdir or ".") / "workerd.capnp"
    wport = harness.free_port()
    py = str(harness.ROOT / ".venv" / "bin" / "python")
    subprocess.run([py, "-m", "lumadb.cli", "workerd-config", "--main", str(D1 / "worker.js"), "--d1", "DB=bench",
                    "--lumadb-url", luma.url, "--listen", f"127.0.0.1:{wport}", "--out", str(config)], check=True)
    workerd = harness.Server("workerd", lambda port, _w: [str(WORKERD), "serve", str(config), "--socket-addr",
                                                          f"http=127.0.0.1:{port}"], ready_path="/noop")
    pair = Pair(luma, workerd)
    report = {**harness.stamp(sys.argv), "versions": harness.versions("miniflare", "workerd", "node"), "results": {}}
    md = [harness.header("D1: LumaDB vs Miniflare's D1", report), __doc__.split("\n\n")[1] + "\n"]
    try:
        workerd.start()
        miniflare.start()
        rest_path = rest_query_path(luma)
        for target in (workerd, miniflare):  # the Worker answers on both
            with urllib.request.urlopen(target.url + "/point?id=42", timeout=10) as r:
                assert json.loads(r.read())["id"] == 42
        worker_lua, direct_lua = D1 / "d1.lua", D1 / "direct.lua"
        for op in args.ops:
            cases = [
                (miniflare, "/", worker_lua, {"OP": op}),
                (pair, "/", worker_lua, {"OP": op}),
                (luma, "/", direct_lua, {"OP": f"binding_{op}", "DATABASE": "bench"}),
                (luma, rest_path, direct_lua, {"OP": f"rest_{op}", "URLPATH": rest_path}),
            ]
            names = ["miniflare", "workerd+lumadb", "lumadb-binding", "lumadb-rest"]
            for conns in args.connections:
                rounds: dict[str, list[dict]] = {n: [] for n in names}
                for _ in range(args.rounds):
                    for name, (target, path, script, env) in zip(names, cases, strict=True):
                        rounds[name].append(measure(target, path, script, env, conns, args.seconds))
                harness.section(report, md, op, conns, rounds, ["miniflare"])
    finally:
        for srv in (miniflare, workerd, luma):
            srv.stop()
    harness.save(args.name, report, "\n".join(md))


if __name__ == "__main__":
    main()
