"""libSQL over WebSocket side by side: LumaDB (`ws://.../turso`) vs sqld (`ws://...`, its HTTP
port), `execute()` as @libsql/client's ws:// client sends it (open_stream, execute, close_stream
together; bench/hrana_ws.mjs, Node on the load core) of `SELECT ?`, a point SELECT and an
INSERT, at 1 and 16 connections, one core per server, round-robin.

usage: .venv/bin/python bench/libsql_ws.py [--rounds 5] [--seconds 5] [--ops select1 point insert]
           [--connections 1 16]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness
from libsql import prepare

OPS = ["select1", "point", "insert"]


def load(url: str, op: str, connections: int, seconds: float) -> dict:
    cmd = ["taskset", "-c", harness.LOAD_CPU, "node", str(harness.BENCH / "hrana_ws.mjs"), url, op,
           str(connections), str(seconds)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"hrana_ws.mjs printed no RESULT line:\n{out.stdout}\n{out.stderr}")


def measure(srv: harness.Server, op: str, connections: int, seconds: float) -> dict:
    assert srv.proc is not None
    url = "ws" + srv.url.removeprefix("http") + ("/turso" if srv.name.startswith("lumadb") else "/")
    before = harness.cpu_seconds(srv.proc.pid)
    result = load(url, op, connections, seconds)
    result["cpu_us_per_request"] = (harness.cpu_seconds(srv.proc.pid) - before) * 1e6 / max(result["requests"], 1)
    harness.settle(srv.proc.pid)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--ops", nargs="+", default=OPS)
    ap.add_argument("--connections", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--name", default="libsql_ws")
    args = ap.parse_args()

    servers = [harness.lumadb("lumadb"), harness.sqld()]
    report = {**harness.stamp(sys.argv), "versions": harness.versions("sqld", "node"), "results": {}}
    report["versions"].pop("wrk", None)  # (the load is Node's)
    report["versions"]["ws"] = json.loads((harness.NODE_MODULES / "ws" / "package.json").read_text())["version"]
    md = [harness.header("libSQL over WebSocket (Hrana 2): LumaDB vs sqld", report, load="the load (Node)"),
          "Load: `bench/hrana_ws.mjs` (Node's `ws`), each request open_stream + execute + close_stream as "
          "@libsql/client sends them for a ws:// URL; rps counts `execute()` calls.\n"]
    harness.run_grid(servers, prepare, args.ops, args.connections, args.rounds,
                     lambda srv, op, conns: measure(srv, op, conns, args.seconds), report, md, args.name, ["sqld"])

if __name__ == "__main__":
    main()
