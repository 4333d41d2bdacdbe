"""Side by side: LumaDB from two (or more) worktrees, one operation, round-robin, with the
median of the per-round ratios against the first. Each server runs from its own worktree
(README.md, Method: a PYTHONPATH would be ignored).

usage: .venv/bin/python bench/ab.py OP CONNECTIONS NAME=WORKTREE[:ENV=VALUE,...] ...
       [--rounds 5] [--seconds 3] [--fresh] [--nparts 1000]

OP is an `OP` of dynamodb.lua (PutItem, GetItem, ...) or `hrana:` and one of hrana.lua's
(hrana:insert, hrana:point, ...). With --fresh each round starts every server anew (its first
seconds: a new database, a WAL that grows). A worktree of the commit before: `git worktree add ../base
HEAD~1`, then link this checkout's `.venv` and `tests/node/node_modules` into it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness
import libsql


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("op")
    ap.add_argument("connections", type=int)
    ap.add_argument("servers", nargs="+", metavar="NAME=WORKTREE[:ENV=VALUE,...]")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--fresh", action="store_true", help="a new server (and data) for every round")
    ap.add_argument("--nparts", type=int, default=1000, help="DynamoDB: partitions of 10 items loaded first")
    args = ap.parse_args()

    hrana = args.op.startswith("hrana:")
    op = args.op.removeprefix("hrana:")
    servers = []
    for spec in args.servers:
        name, _, rest = spec.partition("=")
        worktree, _, env_text = rest.partition(":")
        env = dict(pair.split("=", 1) for pair in env_text.split(",") if pair)
        server = harness.lumadb(name, env=env)
        server.cwd = Path(worktree).resolve()
        servers.append(server)
    py = str(harness.ROOT / ".venv" / "bin" / "python")
    rounds: dict[str, list[dict]] = {s.name: [] for s in servers}

    def start(server: harness.Server) -> None:
        server.start()
        if hrana:
            libsql.prepare(server)
        else:
            subprocess.run([py, str(harness.BENCH / "prep_dynamodb.py"), server.url + "/dynamodb", str(args.nparts)],
                           check=True, capture_output=True)

    try:
        if not args.fresh:
            for server in servers:
                start(server)
        path, script = ("/v2/pipeline", "hrana.lua") if hrana else ("/dynamodb", "dynamodb.lua")
        for _ in range(args.rounds):
            for server in servers:
                if args.fresh:
                    start(server)
                rounds[server.name].append(harness.measure(
                    server, path, harness.BENCH / script, {"OP": op, "NPARTS": str(args.nparts)}, args.connections, args.seconds
                ))
                if args.fresh:
                    server.stop()
                elif hrana:
                    libsql.settle(op)
    finally:
        for server in servers:
            server.stop()
    first = rounds[servers[0].name]
    for server in servers:
        mine = rounds[server.name]
        ratios = [a["rps"] / b["rps"] for a, b in zip(mine, first, strict=True)]
        print(f"{server.name:12s} rps {statistics.median(r['rps'] for r in mine):8,.0f}"
              f"  cpu {statistics.median(r['cpu_us_per_request'] for r in mine):6.1f} µs"
              f"  p99 {statistics.median(r['p99_us'] for r in mine) / 1000:6.2f} ms"
              f"  x{servers[0].name} {statistics.median(ratios):.3f}  per round {[round(x, 2) for x in ratios]}")


if __name__ == "__main__":
    main()
