"""The query cache is never stale: a write on one worker process, then a read on the other,
returns the new value, although the reader's process had the old answer cached. And a repeated
point read is served from the cache (the /metrics hit counter rises)."""

from __future__ import annotations

import http.client
import json
import time

from tests.lumadb_server import LumaServer


class Connection:
    """One keep-alive connection: it stays with the worker process that accepted it."""

    def __init__(self, server: LumaServer) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        # DynamoDB request ids start with the answering process's pid (hex).
        self.http.request("POST", "/dynamodb", b"{}", {"X-Amz-Target": "DynamoDB_20120810.ListTables",
                                                        "Content-Type": "application/x-amz-json-1.0"})
        response = self.http.getresponse()
        response.read()
        self.worker = response.headers["x-amzn-requestid"].split("-")[0]

    def sql(self, sql: str, *args: int) -> list:
        stmt = {"sql": sql, "args": [{"type": "integer", "value": str(a)} for a in args]}
        body = json.dumps({"requests": [{"type": "execute", "stmt": stmt}, {"type": "close"}]})
        self.http.request("POST", "/v2/pipeline", body, {"Content-Type": "application/json"})
        response = self.http.getresponse()
        data = json.loads(response.read())
        result = data["results"][0]
        assert result["type"] == "ok", result
        return [[cell.get("value") for cell in row] for row in result["response"]["result"]["rows"]]

    def dynamodb(self, operation: str, body: dict) -> dict:
        self.http.request("POST", "/dynamodb", json.dumps(body), {
            "X-Amz-Target": f"DynamoDB_20120810.{operation}", "Content-Type": "application/x-amz-json-1.0"})
        response = self.http.getresponse()
        data = json.loads(response.read())
        assert response.status == 200, data
        return data  # type: ignore[no-any-return]

    def cache_hits(self) -> int:
        self.http.request("GET", "/metrics")
        text = self.http.getresponse().read().decode()
        line = next(line for line in text.splitlines() if line.startswith("lumadb_query_cache_hits_total "))
        return int(line.split()[1])

    def close(self) -> None:
        self.http.close()


def _one_per_worker(server: LumaServer) -> list[Connection]:
    by_worker: dict[str, Connection] = {}
    spare = []
    deadline = time.monotonic() + 30  # the second worker may still be starting
    while time.monotonic() < deadline:
        conn = Connection(server)
        if conn.worker in by_worker:
            spare.append(conn)
        else:
            by_worker[conn.worker] = conn
        if len(by_worker) == 2:
            break
        time.sleep(0.05)
    for conn in spare:
        conn.close()
    assert len(by_worker) == 2, "the kernel gave every connection to one worker process"
    return list(by_worker.values())


def test_write_on_one_worker_then_read_on_the_other_is_never_stale(start_server) -> None:
    srv = start_server("--workers", "2")
    a, b = _one_per_worker(srv)
    try:
        a.sql("CREATE TABLE counter (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)")
        a.sql("INSERT INTO counter VALUES (1, 0)")
        hits_before = a.cache_hits() + b.cache_hits()
        for i in range(1, 151):
            writer, reader = (a, b) if i % 2 else (b, a)
            # the reader's process caches the current value (read twice: the second is a hit)...
            assert reader.sql("SELECT v FROM counter WHERE k = ?", 1) == [[str(i - 1)]]
            assert reader.sql("SELECT v FROM counter WHERE k = ?", 1) == [[str(i - 1)]]
            # ...then the other process commits a new one
            writer.sql("UPDATE counter SET v = ? WHERE k = 1", i)
            assert reader.sql("SELECT v FROM counter WHERE k = ?", 1) == [[str(i)]], f"stale read at {i}"
            assert writer.sql("SELECT v FROM counter WHERE k = ?", 1) == [[str(i)]]
        # the cache was in use: each process served its repeated reads from it
        assert a.cache_hits() + b.cache_hits() - hits_before >= 150
    finally:
        a.close()
        b.close()


def test_dynamodb_get_item_after_an_update_on_the_other_worker_is_never_stale(start_server) -> None:
    srv = start_server("--workers", "2")
    a, b = _one_per_worker(srv)
    key = {"pk": {"S": "counter"}}
    try:
        a.dynamodb("CreateTable", {"TableName": "counters", "BillingMode": "PAY_PER_REQUEST",
                                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
        a.dynamodb("PutItem", {"TableName": "counters", "Item": {**key, "n": {"N": "0"}}})
        hits_before = a.cache_hits() + b.cache_hits()
        for i in range(1, 101):
            writer, reader = (a, b) if i % 2 else (b, a)
            for _ in range(2):
                got = reader.dynamodb("GetItem", {"TableName": "counters", "Key": key})
                assert got["Item"]["n"] == {"N": str(i - 1)}
            writer.dynamodb("UpdateItem", {"TableName": "counters", "Key": key, "UpdateExpression": "ADD n :one",
                                           "ExpressionAttributeValues": {":one": {"N": "1"}}})
            got = reader.dynamodb("GetItem", {"TableName": "counters", "Key": key})
            assert got["Item"]["n"] == {"N": str(i)}, f"stale GetItem at {i}"
        # the second GetItem of each round was a hit (but in each process's first round: a read
        # is cached from its second time)
        assert a.cache_hits() + b.cache_hits() - hits_before >= 98
    finally:
        a.close()
        b.close()


def test_repeated_point_read_is_served_from_the_cache(server: LumaServer, unique_name: str) -> None:
    conn = Connection(server)
    try:
        table = f"cached_{unique_name}"
        conn.sql(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, v TEXT)")
        conn.sql(f"INSERT INTO {table} VALUES (7, 'seven')")
        before = conn.cache_hits()
        for _ in range(20):
            assert conn.sql(f"SELECT v FROM {table} WHERE id = ?", 7) == [["seven"]]
        assert conn.cache_hits() - before >= 18  # cached from the second read
        # a write invalidates: the next read sees it
        conn.sql(f"UPDATE {table} SET v = 'SEVEN' WHERE id = 7")
        assert conn.sql(f"SELECT v FROM {table} WHERE id = ?", 7) == [["SEVEN"]]
        # statements whose answer changes without a commit are never cached
        first = conn.sql("SELECT random()")
        assert any(conn.sql("SELECT random()") != first for _ in range(3))
    finally:
        conn.close()
