"""Dispatch cost: DynamoDB GetItem through LumaDB's whole stack vs a bare uvicorn ASGI app
answering the same bytes. Prints a Markdown table and writes bench/results/dispatch.json.

usage: .venv/bin/python bench/dispatch.py [--rounds 5] [--seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
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
        report = {"date": time.strftime("%Y-%m-%d"), "command": " ".join(sys.argv), "results": {}}
        for conns in args.connections:
            rounds: dict[str, list[dict]] = {s.name: [] for s in servers}
            for _ in range(args.rounds):
                for srv in servers:
                    path = "/dynamodb" if srv is luma else "/"
                    rounds[srv.name].append(harness.measure(srv, path, script, env, conns, args.seconds))
            rows = harness.median_table(rounds, baseline="bare-asgi")
            report["results"][f"{conns} connections"] = rows
            print(f"\n### GetItem, {conns} connection(s), median of {args.rounds} rounds\n")
            print(harness.markdown(rows))
        out = harness.BENCH / "results" / "dispatch.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
    finally:
        for srv in servers:
            srv.stop()


if __name__ == "__main__":
    main()
