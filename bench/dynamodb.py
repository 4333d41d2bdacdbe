"""DynamoDB side by side: LumaDB vs dynalite vs moto, GetItem, PutItem, UpdateItem (three
clauses), Query (10 items) and BatchWriteItem (25 items) at 1 and 16 connections.

Every server gets the same tables (prep_dynamodb.py: NPARTS partitions x 10 items, ~150 B each),
then each (operation, connections) case runs round-robin over the servers for --rounds rounds.
moto is two orders of magnitude slower: it runs --moto-seconds per round.

usage: .venv/bin/python bench/dynamodb.py [--rounds 5] [--seconds 5] [--moto-seconds 2]
           [--ops GetItem PutItem ...] [--connections 1 16] [--servers lumadb dynalite moto]
           [--lumadb-flags="--durability normal"]
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

OPS = ["GetItem", "Query", "PutItem", "UpdateItem", "BatchWriteItem"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--moto-seconds", type=float, default=2)
    ap.add_argument("--ops", nargs="+", default=OPS)
    ap.add_argument("--connections", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--servers", nargs="+", default=["lumadb", "dynalite", "moto"])
    ap.add_argument("--lumadb-flags", default="", help="extra `lumadb serve` flags, e.g. '--durability normal'")
    ap.add_argument("--nparts", type=int, default=1000)
    ap.add_argument("--name", default="dynamodb", help="results file name under bench/results/")
    args = ap.parse_args()

    makers = {
        "lumadb": lambda: harness.lumadb("lumadb", *shlex.split(args.lumadb_flags)),
        "dynalite": harness.dynalite,
        "moto": harness.moto,
    }
    servers = [makers[name]() for name in args.servers]
    py = str(harness.ROOT / ".venv" / "bin" / "python")
    report = {**harness.stamp(sys.argv), "versions": harness.versions(*args.servers), "results": {}}
    md = [harness.header("DynamoDB: LumaDB vs dynalite vs moto", report)]
    script = harness.BENCH / "dynamodb.lua"

    def prepare(srv: harness.Server) -> None:
        subprocess.run([py, str(harness.BENCH / "prep_dynamodb.py"), endpoint(srv), str(args.nparts)], check=True)

    def measure(srv: harness.Server, op: str, conns: int) -> dict:
        seconds = args.moto_seconds if srv.name == "moto" else args.seconds
        path = "/dynamodb" if srv.name.startswith("lumadb") else "/"
        return harness.measure(srv, path, script, {"OP": op, "NPARTS": str(args.nparts)}, conns, seconds)

    harness.run_grid(servers, prepare, args.ops, args.connections, args.rounds, measure, report, md, args.name,
                     ["dynalite", "moto"])

def endpoint(srv: harness.Server) -> str:
    return srv.url + ("/dynamodb" if srv.name.startswith("lumadb") else "")


if __name__ == "__main__":
    main()
