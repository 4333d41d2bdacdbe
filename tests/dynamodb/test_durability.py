"""An acknowledged write survives `kill -9`: the server restarted on the same data directory
has the table, the item and consistent counters."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import apsw

from tests.dynamodb.helpers import client_for, error_of
from tests.kernel_sync import kernel_syncs_asynchronously
from tests.lumadb_server import DEFAULT_FLAGS


def _server_with_table(start_server: Any, data_dir: Path, table: str) -> tuple[Any, Any]:
    server = start_server(data_dir=data_dir)
    ddb = client_for(server.url)
    ddb.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    return server, ddb


def test_acknowledged_put_survives_kill_9(start_server: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first, ddb = _server_with_table(start_server, data_dir, "durable")
    ddb.put_item(TableName="durable", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    ddb.batch_write_item(
        RequestItems={"durable": [{"PutRequest": {"Item": {"pk": {"S": f"b{i}"}}}} for i in range(5)]}
    )
    ddb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": "durable",
                    "Key": {"pk": {"S": "a"}},
                    "UpdateExpression": "SET v = :two",
                    "ExpressionAttributeValues": {":two": {"N": "2"}},
                }
            }
        ]
    )
    first.kill9()

    second = start_server(data_dir=data_dir)
    ddb = client_for(second.url)
    assert ddb.get_item(TableName="durable", Key={"pk": {"S": "a"}})["Item"] == {
        "pk": {"S": "a"},
        "v": {"N": "2"},
    }
    assert ddb.describe_table(TableName="durable")["Table"]["ItemCount"] == 6
    assert ddb.scan(TableName="durable", Select="COUNT")["Count"] == 6


def test_concurrent_acknowledged_writes_survive_kill_9(start_server: Any, tmp_path: Path) -> None:
    """Writers at once share group commits (and, with `--durability full` on Linux, the kernel's
    WAL sync): every write that was answered is there after `kill -9`."""
    data_dir = tmp_path / "data"
    first, ddb = _server_with_table(start_server, data_dir, "crowd")

    def writer(n: int) -> int:
        client = client_for(first.url)
        for i in range(25):
            client.put_item(TableName="crowd", Item={"pk": {"S": f"w{n}-{i}"}, "v": {"N": str(i)}})
        return n

    with ThreadPoolExecutor(16) as pool:
        assert sorted(pool.map(writer, range(16))) == list(range(16))
    assert first.proc is not None
    maps = Path(f"/proc/{first.proc.pid}/maps")
    full = "normal" not in (*DEFAULT_FLAGS, *first.flags)  # an fsync per commit
    if full and maps.exists() and kernel_syncs_asynchronously(tmp_path):
        assert "[aio]" in maps.read_text()  # the group syncs went to the kernel, not a thread
    first.kill9()

    second = start_server(data_dir=data_dir)
    ddb = client_for(second.url)
    assert ddb.describe_table(TableName="crowd")["Table"]["ItemCount"] == 400
    assert ddb.scan(TableName="crowd", Select="COUNT")["Count"] == 400
    got = ddb.get_item(TableName="crowd", Key={"pk": {"S": "w15-24"}})["Item"]
    assert got == {"pk": {"S": "w15-24"}, "v": {"N": "24"}}


def test_a_write_locked_out_by_another_process_is_a_retryable_error(start_server: Any, tmp_path: Path) -> None:
    """Another program holding the file's write lock past the busy timeout: DynamoDB's
    retryable InternalServerError saying why, one line in the log (was a traceback per
    request); reads go on, and nothing of the refused writes is applied."""
    data_dir = tmp_path / "data"
    server = start_server("--busy-timeout-ms", "200", data_dir=data_dir)
    ddb = client_for(server.url)
    ddb.create_table(
        TableName="locked",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    holder = apsw.Connection(str(data_dir / "dynamodb.sqlite"))
    holder.execute("BEGIN IMMEDIATE")
    try:
        put = {"TableName": "locked", "Item": {"pk": {"S": "a"}}}
        for call, kwargs in [
            (ddb.put_item, put),
            (ddb.batch_write_item, {"RequestItems": {"locked": [{"PutRequest": {"Item": {"pk": {"S": "b"}}}}]}}),
            (ddb.transact_write_items, {"TransactItems": [{"Put": put}]}),
        ]:
            code, message = error_of(call, **kwargs)
            assert code == "InternalServerError"
            assert message.endswith("): the database is locked by another process (SQLITE_BUSY past the busy timeout)")
        assert ddb.scan(TableName="locked")["Items"] == []
    finally:
        holder.execute("ROLLBACK")
    ddb.put_item(TableName="locked", Item={"pk": {"S": "c"}})
    assert ddb.describe_table(TableName="locked")["Table"]["ItemCount"] == 1
    log = server.log()
    assert "Traceback" not in log and "the database is locked by another process" in log
