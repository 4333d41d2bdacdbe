"""How fast a durable PutItem at 1 connection can be on this disk, side by side with dynalite.

With `--durability full` a write is acknowledged only once the WAL is synced, so a lone client's
PutItem round trip is at least LumaDB's round trip without the sync plus one `fdatasync`. Each
round measures, in turn:
- the disk: a closed loop of `pwrite` (two WAL frames, 2 x 4,120 bytes, at advancing offsets in
  a 40 MB file that exists already, as a WAL that has started over) then `fdatasync`, pinned to
  the server core, in the directory the servers' data lives in; then the same loop with
  --gap-us of busy work after each sync, as a server answers, reads and runs the next request
  between two syncs (on this machine's virtual disk that makes each sync dearer);
- PutItem at 1 connection on dynalite, LumaDB `--durability normal` and LumaDB (default `full`).
The report sets the round trip a target ratio to dynalite allows beside that floor.

usage: .venv/bin/python bench/sync_floor.py [--rounds 5] [--seconds 5] [--target 1.5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

FRAME = 4096 + 24  # a WAL frame: header and a 4 KB page
WAL_BYTES = 40 << 20  # the WAL's size when a checkpoint starts it over (checkpoints.PAGES)

# Runs in its own process on the server core: the loop the server's sync would be.
_SYNC_LOOP = textwrap.dedent("""
    import json, os, sys, time
    path, seconds, frame, size = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    gap = float(sys.argv[5]) / 1e6
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    os.pwrite(fd, bytes(size), 0)
    os.fsync(fd)
    data, offset, took = os.urandom(2 * frame), 0, []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        os.pwrite(fd, data, offset)
        started = time.perf_counter()
        os.fdatasync(fd)
        done = time.perf_counter()
        took.append(done - started)
        while time.perf_counter() - done < gap:  # the work between two syncs
            pass
        offset = (offset + len(data)) % (size - len(data))
    os.close(fd)
    os.unlink(path)
    took.sort()
    n = len(took)
    print(json.dumps({"syncs": n, "p50_us": took[n // 2] * 1e6, "p90_us": took[n * 9 // 10] * 1e6,
                      "mean_us": sum(took) / n * 1e6}))
""")


def disk_sync(seconds: float, gap_us: float = 0) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as work:
        cmd = ["taskset", "-c", harness.SERVER_CPU, sys.executable, "-c", _SYNC_LOOP,
               os.path.join(work, "wal"), str(seconds), str(FRAME), str(WAL_BYTES), str(gap_us)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60)
    return dict(json.loads(out.stdout))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--target", type=float, default=1.5, help="the ratio to dynalite to set against the floor")
    ap.add_argument("--gap-us", type=float, default=100, help="busy work between two syncs in the second loop")
    ap.add_argument("--name", default="sync_floor")
    args = ap.parse_args()

    servers = [harness.dynalite(), harness.lumadb("lumadb --durability normal", "--durability", "normal"),
               harness.lumadb("lumadb")]
    py = str(harness.ROOT / ".venv" / "bin" / "python")
    report = {**harness.stamp(sys.argv), "versions": harness.versions("dynalite"), "results": {}}
    rounds: dict[str, list[dict]] = {s.name: [] for s in servers}
    syncs: list[dict] = []
    gapped: list[dict] = []
    script = harness.BENCH / "dynamodb.lua"
    try:
        for srv in servers:
            srv.start()
            endpoint = srv.url + ("/dynamodb" if srv.name.startswith("lumadb") else "")
            subprocess.run([py, str(harness.BENCH / "prep_dynamodb.py"), endpoint, "1000"], check=True)
        for _ in range(args.rounds):
            syncs.append(disk_sync(args.seconds))
            gapped.append(disk_sync(args.seconds, args.gap_us))
            for srv in servers:
                path = "/dynamodb" if srv.name.startswith("lumadb") else "/"
                rounds[srv.name].append(harness.measure(srv, path, script, {"OP": "PutItem"}, 1, args.seconds))
    finally:
        for srv in servers:
            srv.stop()

    def median(values: list[float]) -> float:
        return statistics.median(values)

    sync = {key: median([s[key] for s in syncs]) for key in ("p50_us", "p90_us", "mean_us")}
    sync_gapped = {key: median([s[key] for s in gapped]) for key in ("p50_us", "p90_us", "mean_us")}
    rows = harness.ratio_rows(rounds, ["dynalite"])
    trip = {name: median([1e6 / r["rps"] for r in results]) for name, results in rounds.items()}
    allowed = trip["dynalite"] / args.target
    floor = trip["lumadb --durability normal"] + sync["mean_us"]
    expected = trip["lumadb --durability normal"] + sync_gapped["mean_us"]
    report["results"] = {"PutItem, 1 connection": rows, "disk_sync": sync, "disk_sync_rounds": syncs,
                         "disk_sync_with_gap": sync_gapped, "gap_us": args.gap_us, "disk_sync_with_gap_rounds": gapped,
                         "round_trip_us": trip, "allowed_us": allowed, "floor_us": floor,
                         "expected_us": expected}
    md = [harness.header("PutItem at 1 connection: the disk's sync against the round trip dynalite allows", report)]
    md.append(f"## PutItem, 1 connection\n\n{harness.table(rows)}\n")
    md.append(textwrap.dedent(f"""\
        ## The floor

        | what | µs |
        |---|---:|
        | `pwrite` of two WAL frames + `fdatasync`, closed loop on the server core: p50 | {sync['p50_us']:,.0f} |
        | the same: p90 | {sync['p90_us']:,.0f} |
        | the same: mean | {sync['mean_us']:,.0f} |
        | the same with {args.gap_us:,.0f} µs of busy work after each sync: p50 | {sync_gapped['p50_us']:,.0f} |
        | the same with {args.gap_us:,.0f} µs of busy work after each sync: p90 | {sync_gapped['p90_us']:,.0f} |
        | the same with {args.gap_us:,.0f} µs of busy work after each sync: mean | {sync_gapped['mean_us']:,.0f} |
        | dynalite PutItem round trip (1 / req/s) | {trip['dynalite']:,.0f} |
        | LumaDB `--durability normal` PutItem round trip (no sync) | {trip['lumadb --durability normal']:,.0f} |
        | LumaDB PutItem round trip (default, synced) | {trip['lumadb']:,.0f} |
        | the round trip x{args.target} dynalite allows | {allowed:,.0f} |
        | the floor: no-sync round trip + mean sync (closed loop) | {floor:,.0f} |
        | no-sync round trip + mean sync with work between syncs | {expected:,.0f} |
        """))
    text = "\n".join(md)
    print(text)
    harness.save(args.name, report, text)


if __name__ == "__main__":
    main()
