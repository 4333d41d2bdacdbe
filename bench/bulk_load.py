"""Bulk load: N items through BatchWriteItem (25 per request, ~150 B each, 16 keep-alive
connections from an asyncio client pinned to the load core),
LumaDB vs dynalite, round-robin, each round into a new empty table; items/s and server CPU
per item. The default is 100,000 items per round; `--items 1000000` gives the 1M figure.

usage: .venv/bin/python bench/bulk_load.py [--items 100000] [--rounds 5] [--connections 16]
           [--lumadb-flags="--durability normal"]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import statistics
import sys
import time
from pathlib import Path

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness


def client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                        aws_secret_access_key="secret", config=Config(retries={"max_attempts": 10}))


def create(endpoint: str, name: str) -> None:
    ddb = client(endpoint)
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


def count(endpoint: str, name: str) -> int:
    ddb, total, start = client(endpoint), 0, None
    while True:
        page = ddb.scan(TableName=name, Select="COUNT", **({"ExclusiveStartKey": start} if start else {}))
        total += page["Count"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return total


AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;"
        "host;x-amz-date;x-amz-target, Signature=" + "0" * 64)
ITEM = '{"PutRequest":{"Item":{"pk":{"S":"p%d"},"sk":{"S":"s%d"},"val":{"S":"' + "x" * 100 + '"},"n":{"N":"%d"}}}}'


def batch_request(host: str, path: str, table: str, number: int) -> bytes:
    items = ",".join(ITEM % (number, i, i) for i in range(25))
    body = f'{{"RequestItems":{{"{table}":[{items}]}}}}'.encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.0\r\n"
            f"X-Amz-Target: DynamoDB_20120810.BatchWriteItem\r\nX-Amz-Date: 20250101T000000Z\r\n"
            f"Authorization: {AUTH}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def load(port: int, path: str, table: str, requests: int, connections: int) -> dict:
    """Send `requests` BatchWriteItem calls over `connections` keep-alive connections (a closed
    loop, as wrk does), checking that every answer is 200 with no UnprocessedItems."""
    numbers = iter(range(requests))
    latencies: list[float] = []
    failures = [0, 0]  # non-200, unprocessed

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for number in numbers:
            request = batch_request(f"127.0.0.1:{port}", path, table, number)
            sent = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - sent)
            if not head.startswith(b"HTTP/1.1 200"):
                failures[0] += 1
            elif b'"UnprocessedItems":{}' not in body:
                failures[1] += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    seconds = time.perf_counter() - started
    latencies.sort()
    return {"requests": requests, "duration_us": seconds * 1e6, "rps": requests / seconds,
            "p50_us": latencies[len(latencies) // 2] * 1e6, "p99_us": latencies[int(len(latencies) * 0.99)] * 1e6,
            "err_status": failures[0], "unprocessed": failures[1]}


def measure(srv: harness.Server, path: str, table: str, requests: int, connections: int) -> dict:
    assert srv.proc is not None
    before = harness.cpu_seconds(srv.proc.pid)
    result = asyncio.run(load(srv.port, path, table, requests, connections))
    used = harness.cpu_seconds(srv.proc.pid) - before
    result["cpu_us_per_request"] = used * 1e6 / requests
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--lumadb-flags", default="")
    ap.add_argument("--verify", action="store_true", help="count every table afterwards with a Scan")
    ap.add_argument("--name", default="bulk_load")
    args = ap.parse_args()

    os.sched_setaffinity(0, {int(harness.LOAD_CPU)})  # the load generator runs where wrk would
    servers = [harness.lumadb("lumadb", *shlex.split(args.lumadb_flags)), harness.dynalite()]
    requests = args.items // 25
    report = {**harness.stamp(sys.argv), "versions": harness.versions("dynalite"), "results": {}}
    md = [harness.header(f"Bulk load: {requests * 25:,} items through BatchWriteItem", report)]
    rounds: dict[str, list[dict]] = {s.name: [] for s in servers}
    try:
        for srv in servers:
            srv.start()
        for r in range(args.rounds):
            for srv in servers:
                endpoint = srv.url + ("/dynamodb" if srv.name == "lumadb" else "")
                table = f"bulk{r}"
                create(endpoint, table)
                result = measure(srv, "/", table, requests, args.connections)
                result["items_per_s"] = result["requests"] * 25 / (result["duration_us"] / 1e6)
                result["cpu_us_per_item"] = result["cpu_us_per_request"] / 25
                if args.verify:
                    result["items_counted"] = count(endpoint, table)
                rounds[srv.name].append(result)
                print(srv.name, {k: result[k] for k in ("items_per_s", "cpu_us_per_item", "err_status",
                                                        "unprocessed")}, flush=True)
    finally:
        for srv in servers:
            srv.stop()
    rows = []
    for name, results in rounds.items():
        ratios = [r["items_per_s"] / d["items_per_s"] for r, d in zip(results, rounds["dynalite"], strict=True)]
        rows.append({"config": name, "items/s": statistics.median(r["items_per_s"] for r in results),
                     "cpu_us/item": statistics.median(r["cpu_us_per_item"] for r in results),
                     "seconds": statistics.median(r["duration_us"] / 1e6 for r in results),
                     "x dynalite": statistics.median(ratios), "x dynalite per round": [round(x, 2) for x in ratios],
                     "errors": sum(r["err_status"] + r["unprocessed"] for r in results), "rounds": len(results)})
    report["results"]["bulk load"] = rows
    report["rounds"] = rounds
    md.append(harness.table(rows) + "\n")
    print(md[-1])
    harness.save(args.name, report, "\n".join(md))


if __name__ == "__main__":
    main()
