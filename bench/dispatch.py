"""Dispatch cost: DynamoDB GetItem through LumaDB's whole stack vs a bare uvicorn ASGI app
answering the same bytes. Prints a Markdown table and writes bench/results/dispatch.json.

usage: .venv/bin/python bench/dispatch.py [--rounds 5] [--seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, nargs="+", default=[1, 16])
    args = ap.parse_args()

    py = str(harness.ROOT / ".venv" / "bin" / "python")
    bare = harness.Server("bare-asgi", lambda port, _w: [
        py, "-m", "uvicorn", "bare_asgi:app", "--port", str(port), "--loop", "uvloop", "--http", "httptools",
        "--log-level", "warning", "--no-access-log"], ready_path="/", cwd=harness.BENCH)
    luma = harness.lumadb()
    servers = [luma.start(), bare.start()]
    try:
        subprocess.run([py, str(harness.BENCH / "prep_dynamodb.py"), luma.url + "/dynamodb", "100"], check=True)
        script = harness.BENCH / "dynamodb.lua"
        env = {"OP": "GetItem", "NPARTS": "100"}
        report = {**harness.stamp(sys.argv), "versions": harness.versions(), "results": {}}
        md = [harness.header("Dispatch cost: GetItem through LumaDB vs a bare ASGI app on uvicorn", report)]
        for conns in args.connections:
            rounds: dict[str, list[dict]] = {s.name: [] for s in servers}
            for _ in range(args.rounds):
                for srv in servers:
                    path = "/dynamodb" if srv is luma else "/"
                    rounds[srv.name].append(harness.measure(srv, path, script, env, conns, args.seconds))
            rows = harness.ratio_rows(rounds, ["bare-asgi"])
            report["results"][f"{conns} connections"] = rows
            md.append(f"## GetItem, {conns} connection(s), median of {args.rounds} rounds\n\n{harness.table(rows)}\n")
            print(md[-1], flush=True)
        harness.save("dispatch", report, "\n".join(md))
    finally:
        for srv in servers:
            srv.stop()


if __name__ == "__main__":
    main()
