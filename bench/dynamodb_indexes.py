"""DynamoDB with secondary indexes, LumaDB side by side with dynalite: Query on a GSI (10 items per
owner) and PutItem on a table with two GSIs (and, on LumaDB, a stream with NEW_AND_OLD_IMAGES;
dynalite has no streams, so it gets the two GSIs only), at 16 connections.

Every server gets the same tables, created and loaded with boto3: `gsiread` (NOWNERS owners x 10
items of ~150 B, GSI byOwner (owner, at) projecting ALL) and `gsiwrite` (empty; GSIs byStatus
(status, at) ALL and byOwner (owner) KEYS_ONLY). Each (operation, connections) case runs
round-robin over the servers for --rounds rounds; medians, per-round ratios, server CPU µs per
request (bench/harness.py).

usage: .venv/bin/python bench/dynamodb_indexes.py [--rounds 3] [--seconds 5] [--connections 16]
           [--ops QueryGSI PutItem] [--owners 1000] [--lumadb-flags="--durability normal"]
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

OPS = ["QueryGSI", "PutItem"]
TITLES = {
    "QueryGSI": "Query on a GSI (10 items)",
    "PutItem": "PutItem on a table with 2 GSIs (+ a stream on LumaDB)",
}
PAYLOAD = "x" * 100


def client(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 10, "mode": "standard"}),
    )  # fmt: skip


def _gsi(name: str, hash_key: str, range_key: str | None = None, projection: str = "ALL") -> dict:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key is not None:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return {"IndexName": name, "KeySchema": schema, "Projection": {"ProjectionType": projection}}


def _create(ddb: Any, name: str, types: dict[str, str], indexes: list[dict], **extra: Any) -> None:
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in types.items()],
        GlobalSecondaryIndexes=indexes, **extra,
    )  # fmt: skip
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


def prepare(srv: harness.Server, owners: int) -> None:
    """Create and load the tables on one server, then check both benchmarked requests once."""
    ddb = client(endpoint(srv))
    _create(ddb, "gsiread", {"pk": "S", "owner": "S", "at": "N"}, [_gsi("byOwner", "owner", "at")])
    stream = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}}
    _create(
        ddb, "gsiwrite", {"pk": "S", "status": "S", "at": "N", "owner": "S"},
        [_gsi("byStatus", "status", "at"), _gsi("byOwner", "owner", projection="KEYS_ONLY")],
        **(stream if srv.name.startswith("lumadb") else {}),
    )  # fmt: skip
    started = time.time()
    batch: list[dict] = []
    for n in range(owners * 10):
        item = {"pk": {"S": f"i{n}"}, "owner": {"S": f"o{n % owners}"}, "at": {"N": str(n)}, "val": {"S": PAYLOAD}}
        batch.append({"PutRequest": {"Item": item}})
        if len(batch) == 25:
            assert not ddb.batch_write_item(RequestItems={"gsiread": batch}).get("UnprocessedItems")
            batch = []
    if batch:
        ddb.batch_write_item(RequestItems={"gsiread": batch})
    found = ddb.query(
        TableName="gsiread", IndexName="byOwner", KeyConditionExpression="#o = :o",
        ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": {"S": "o7"}},
    )  # fmt: skip
    assert found["Count"] == 10, found["Count"]
    ddb.put_item(TableName="gsiwrite", Item={"pk": {"S": "check"}, "status": {"S": "s1"}, "at": {"N": "1"},
                                            "owner": {"S": "o1"}, "val": {"S": PAYLOAD}})  # fmt: skip
    indexed = ddb.query(
        TableName="gsiwrite", IndexName="byStatus", KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "s1"}},
    )  # fmt: skip
    assert indexed["Count"] == 1, indexed
    print(f"{srv.name}: loaded {owners * 10} items in {time.time() - started:.1f}s; checks ok", flush=True)


def endpoint(srv: harness.Server) -> str:
    return srv.url + ("/dynamodb" if srv.name.startswith("lumadb") else "")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--connections", type=int, nargs="+", default=[16])
    ap.add_argument("--ops", nargs="+", default=OPS, choices=OPS)
    ap.add_argument("--owners", type=int, default=1000, help="owners in the read table (10 items each)")
    ap.add_argument("--lumadb-flags", default="", help="extra `lumadb serve` flags, e.g. '--durability normal'")
    ap.add_argument("--name", default="dynamodb_indexes", help="results file name under bench/results/")
    args = ap.parse_args()

    servers = [harness.lumadb("lumadb", *shlex.split(args.lumadb_flags)), harness.dynalite()]
    report = {**harness.stamp(sys.argv), "versions": harness.versions("lumadb", "dynalite"), "results": {}}
    md = [harness.header("DynamoDB with secondary indexes: LumaDB vs dynalite", report)]
    md.append(
        "Query: `byOwner` GSI (owner HASH, at RANGE, ALL), 10 items per owner, "
        f"{args.owners} owners. PutItem: a new item in both GSIs of `gsiwrite` (byStatus ALL, "
        "byOwner KEYS_ONLY); LumaDB's table also has a stream (NEW_AND_OLD_IMAGES), dynalite has "
        "no streams.\n"
    )
    script = harness.BENCH / "dynamodb_indexes.lua"

    def measure(srv: harness.Server, op: str, conns: int) -> dict:
        path = "/dynamodb" if srv.name.startswith("lumadb") else "/"
        env = {"OP": op, "NOWNERS": str(args.owners)}
        return harness.measure(srv, path, script, env, conns, args.seconds)

    harness.run_grid(servers, lambda srv: prepare(srv, args.owners), args.ops, args.connections, args.rounds, measure,
                     report, md, args.name, ["dynalite"], label=lambda op: TITLES[op])

if __name__ == "__main__":
    main()
