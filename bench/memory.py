"""Memory: LumaDB's resident set (RSS of the server process tree) while a table of --mb megabytes
is loaded through BatchWriteItem (25 items of --item-kb each per request, 8 connections) and
then read back in full with Scan (1 MB pages, as DynamoDB pages). RSS is sampled every 0.1 s.
The default is 1024 MB; `--mb 100` is a quick run.

usage: .venv/bin/python bench/memory.py [--mb 1024] [--item-kb 4] [--connections 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import threading
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bulk_load
import harness


def rss_bytes(pid: int) -> int:
    total = 0
    for p in harness._tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.samples, self.running = pid, 0, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_bytes(self.pid))
            self.samples += 1
            time.sleep(0.1)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak


def put_request(port: int, table: str, number: int, item_bytes: int) -> bytes:
    filler = "v" * item_bytes
    items = ",".join(
        f'{{"PutRequest":{{"Item":{{"pk":{{"S":"p{number}"}},"sk":{{"S":"s{i}"}},"blob":{{"S":"{filler}"}}}}}}}}'
        for i in range(25))
    body = f'{{"RequestItems":{{"{table}":[{items}]}}}}'.encode()
    head = (f"POST /dynamodb HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-amz-json-1.0\r\n"
            f"X-Amz-Target: DynamoDB_20120810.BatchWriteItem\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def load(port: int, table: str, requests: int, item_bytes: int, connections: int) -> None:
    numbers = iter(range(requests))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for number in numbers:
            writer.write(put_request(port, table, number, item_bytes))
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
            body = await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200") or b'"UnprocessedItems":{}' not in body:
                raise RuntimeError(f"load failed: {head[:60]!r} {body[:200]!r}")
        writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))


async def scan(port: int, table: str) -> tuple[int, int, int]:
    """Scan the whole table over one keep-alive connection: (items, response bytes, pages)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    items = size = pages = 0
    start = None
    while True:
        body = orjson.dumps({"TableName": table, **({"ExclusiveStartKey": start} if start else {})})
        writer.write((f"POST /dynamodb HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                      f"X-Amz-Target: DynamoDB_20120810.Scan\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
        page = orjson.loads(await reader.readexactly(length))
        items += page["Count"]
        size += length
        pages += 1
        start = page.get("LastEvaluatedKey")
        if not start:
            writer.close()
            return items, size, pages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--item-kb", type=float, default=4)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--lumadb-flags", default="")
    ap.add_argument("--name", default="memory")
    args = ap.parse_args()
    os.sched_setaffinity(0, {int(harness.LOAD_CPU)})

    item_bytes = int(args.item_kb * 1024)
    requests = max(1, args.mb * 1024 * 1024 // (item_bytes * 25))
    srv = harness.lumadb("lumadb", *args.lumadb_flags.split())
    report = {**harness.stamp(sys.argv), "versions": harness.versions(), "results": {}}
    try:
        srv.start()
        assert srv.proc is not None
        bulk_load.create(srv.url + "/dynamodb", "big")
        idle = rss_bytes(srv.proc.pid)
        sampler = Sampler(srv.proc.pid)
        sampler.start()
        started = time.perf_counter()
        asyncio.run(load(srv.port, "big", requests, item_bytes, args.connections))
        load_seconds = time.perf_counter() - started
        load_peak = sampler.stop()
        data_dir = Path(srv.workdir or ".") / "data"
        file_bytes = sum(p.stat().st_size for p in data_dir.glob("dynamodb.sqlite*"))
        sampler = Sampler(srv.proc.pid)
        sampler.start()
        started = time.perf_counter()
        items, scanned, pages = asyncio.run(scan(srv.port, "big"))
        scan_seconds = time.perf_counter() - started
        scan_peak = sampler.stop()
        after = rss_bytes(srv.proc.pid)
    finally:
        srv.stop()
    mb = 1024 * 1024
    result = {
        "items": requests * 25, "item_bytes": item_bytes, "table_mb": requests * 25 * item_bytes / mb,
        "sqlite_files_mb": file_bytes / mb, "idle_rss_mb": idle / mb, "load_peak_rss_mb": load_peak / mb,
        "load_seconds": load_seconds, "scan_peak_rss_mb": scan_peak / mb, "scan_seconds": scan_seconds,
        "scanned_items": items, "scanned_mb": scanned / mb, "scan_pages": pages, "rss_after_mb": after / mb,
    }
    assert items == requests * 25, (items, requests * 25)
    report["results"] = result
    rows = [{"what": k, "value": v} for k, v in result.items()]
    md = harness.header(f"Memory: LumaDB RSS while {result['table_mb']:,.0f} MB are loaded and Scanned", report)
    md += "\n" + harness.table(rows) + "\n"
    print(md)
    harness.save(args.name, report, md)


if __name__ == "__main__":
    main()
