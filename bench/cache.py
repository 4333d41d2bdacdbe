"""The query cache: the same read repeated (a point SELECT and a 10-row SELECT through Hrana
`/v2/pipeline`), LumaDB with its cache (the default) vs LumaDB with `LUMADB_QUERY_CACHE_ENTRIES=0`,
side by side over HTTP; then the same requests in process (no sockets: the router and handler
alone, `LumaApp.respond`), where the cache's share of the work shows without the HTTP cost.

usage: .venv/bin/python bench/cache.py [--rounds 5] [--seconds 5] [--connections 1 16]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness
import libsql as libsql_bench

sys.path.insert(0, str(harness.ROOT))
OPS = {"repeat_point": "SELECT id, v FROM kv WHERE id = ?", "repeat_range": "SELECT id, v FROM kv WHERE id >= ? "
       "ORDER BY id LIMIT 10"}


def in_process(entries: int, sql: str, n: int = 20000) -> float:
    """CPU µs per request of `LumaApp.respond` for the same pipeline request, n times."""
    import orjson

    from lumadb.app import create_app
    from lumadb.config import Config

    async def run() -> float:
        app = create_app(Config(data_dir=Path(tempfile.mkdtemp(prefix="bench-cache-")), log_level="warning",
                                query_cache_entries=entries))
        await app.server.startup()
        headers = {"host": "127.0.0.1", "content-type": "application/json"}
        raw = [(k.encode(), v.encode()) for k, v in headers.items()]

        def body(stmt: dict) -> bytes:
            return orjson.dumps({"requests": [{"type": "execute", "stmt": stmt}, {"type": "close"}]})

        for setup in libsql_bench.SETUP:
            await app.respond("POST", "/v2/pipeline", b"", headers, raw, body({"sql": setup}))
        request = body({"sql": sql, "args": [{"type": "integer", "value": "42"}]})
        await app.respond("POST", "/v2/pipeline", b"", headers, raw, request)
        gc.collect()
        started = time.process_time()
        for _ in range(n):
            await app.respond("POST", "/v2/pipeline", b"", headers, raw, request)
        used = time.process_time() - started
        await app.server.shutdown()
        return used * 1e6 / n

    return asyncio.run(run())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--connections", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--name", default="cache")
    args = ap.parse_args()

    cached = harness.lumadb("cached")
    uncached = harness.lumadb("uncached", env={"LUMADB_QUERY_CACHE_ENTRIES": "0"})
    servers = [cached, uncached]
    report = {**harness.stamp(sys.argv), "versions": harness.versions(), "results": {}}
    md = [harness.header("Query cache: the same read repeated, cached vs uncached", report)]
    try:
        for srv in servers:
            srv.start()
            libsql_bench.prepare(srv)
        script = harness.BENCH / "hrana.lua"
        for op in OPS:
            for conns in args.connections:
                rounds: dict[str, list[dict]] = {s.name: [] for s in servers}
                for _ in range(args.rounds):
                    for srv in servers:
                        rounds[srv.name].append(harness.measure(srv, "/v2/pipeline", script, {"OP": op}, conns,
                                                                args.seconds))
                rows = harness.ratio_rows(rounds, ["uncached"])
                for row in rows:  # the CPU ratio: what the cache saves per request
                    row["cpu x uncached"] = statistics.median(
                        u["cpu_us_per_request"] / max(c["cpu_us_per_request"], 1e-9)
                        for c, u in zip(rounds[row["config"]], rounds["uncached"], strict=True))
                key = f"HTTP {op}, {conns} connection{'s' if conns > 1 else ''}"
                report["results"][key] = rows
                md.append(f"## {key}\n\n{harness.table(rows)}\n")
                print(md[-1], flush=True)
    finally:
        for srv in servers:
            srv.stop()
    lines = ["## In process (`LumaApp.respond`, no HTTP), CPU µs per request, median of the rounds", "",
             "| read | cached | uncached | uncached / cached |", "|---|---:|---:|---:|"]
    for op, sql in OPS.items():
        on = statistics.median(in_process(2048, sql) for _ in range(args.rounds))
        off = statistics.median(in_process(0, sql) for _ in range(args.rounds))
        report["results"][f"in process {op}"] = {"cached_us": on, "uncached_us": off, "ratio": off / on}
        lines.append(f"| {op} | {on:.1f} | {off:.1f} | {off / on:.2f} |")
    md.append("\n".join(lines) + "\n")
    print(md[-1])
    harness.save(args.name, report, "\n".join(md))


if __name__ == "__main__":
    main()
