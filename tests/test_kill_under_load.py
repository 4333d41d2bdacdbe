"""`kill -9` in the middle of writes through all three protocols at once (group commits, the
kernel's WAL syncs, zeros written ahead in the WAL, a checkpoint now and then): after a restart
every acknowledged write is there, DynamoDB's ItemCount matches its items, and each SQLite file
passes `PRAGMA integrity_check`."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import apsw
import boto3
import httpx
from botocore.config import Config

from tests.lumadb_server import LumaServer

SECONDS = 2.0


def _dynamodb(url: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=url + "/dynamodb", region_name="us-east-1", aws_access_key_id="a",
                        aws_secret_access_key="b", config=Config(retries={"max_attempts": 0}))


def _hrana(url: str, sql: str, *args: dict) -> dict:
    body = {"requests": [{"type": "execute", "stmt": {"sql": sql, "args": list(args)}}, {"type": "close"}]}
    result = httpx.post(url + "/turso/v2/pipeline", json=body, timeout=30).json()["results"][0]
    assert result["type"] == "ok", result
    return result["response"]["result"]


def _d1(url: str, sql: str, *params: Any) -> list:
    reply = httpx.post(url + "/query", json={"sql": sql, "params": list(params)},
                       headers={"x-lumadb-database": "crash"}, timeout=30).json()
    assert reply[0]["success"] is True, reply
    return reply[0]["results"]


def test_acknowledged_writes_of_every_protocol_survive_kill_9_under_load(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = LumaServer(data_dir=data_dir).start()
    try:
        _dynamodb(first.url).create_table(
            TableName="crash", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        _hrana(first.url, "CREATE TABLE crash (id INTEGER PRIMARY KEY, v TEXT)")
        _d1(first.url, "CREATE TABLE crash (id INTEGER PRIMARY KEY, v TEXT)")
        acked: dict[str, set] = {"put": set(), "batch": set(), "hrana": set(), "d1": set()}
        stop = threading.Event()

        def writes(kind: str, n: int) -> None:
            client = _dynamodb(first.url)
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    if kind == "put":
                        key = f"p{n}-{i}"
                        client.put_item(TableName="crash", Item={"pk": {"S": key}, "v": {"S": "x" * 200}})
                        acked[kind].add(key)
                    elif kind == "batch":
                        keys = [f"b{n}-{i}-{k}" for k in range(25)]
                        client.batch_write_item(RequestItems={"crash": [
                            {"PutRequest": {"Item": {"pk": {"S": key}, "v": {"S": "y" * 300}}}} for key in keys]})
                        acked[kind].update(keys)
                    elif kind == "hrana":
                        ident = n * 1_000_000 + i
                        _hrana(first.url, "INSERT INTO crash VALUES (?, 'z')", {"type": "integer", "value": str(ident)})
                        acked[kind].add(ident)
                    else:
                        ident = n * 1_000_000 + i
                        _d1(first.url, "INSERT INTO crash VALUES (?, 'q')", ident)
                        acked[kind].add(ident)
                except Exception:  # the server is gone: what was answered before counts
                    return

        threads = [threading.Thread(target=writes, args=(kind, n))
                   for n, kind in enumerate(["put", "put", "put", "batch", "batch", "hrana", "hrana", "d1", "d1"])]
        for thread in threads:
            thread.start()
        time.sleep(SECONDS)
        first.kill9()
        stop.set()
        for thread in threads:
            thread.join()
        assert all(acked.values()), {kind: len(done) for kind, done in acked.items()}
    finally:
        first.cleanup()

    second = LumaServer(data_dir=data_dir).start()
    try:
        ddb = _dynamodb(second.url)
        keys: set[str] = set()
        scan: dict[str, Any] = {"TableName": "crash"}
        while True:
            page = ddb.scan(**scan)
            keys.update(item["pk"]["S"] for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        assert acked["put"] | acked["batch"] <= keys
        assert ddb.describe_table(TableName="crash")["Table"]["ItemCount"] == len(keys)
        rows = _hrana(second.url, "SELECT id FROM crash")["rows"]
        assert acked["hrana"] <= {int(row[0]["value"]) for row in rows}
        assert acked["d1"] <= {row["id"] for row in _d1(second.url, "SELECT id FROM crash")}
    finally:
        second.stop()
    for path in data_dir.rglob("*.sqlite"):
        conn = apsw.Connection(str(path))
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], path
        finally:
            conn.close()
