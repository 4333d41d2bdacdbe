"""With --workers 2, the workers end with the supervising process, even when it is killed with
SIGKILL: the port and the data directory are free for the next server (lumadb/supervisor.py)."""

from __future__ import annotations

import time
from pathlib import Path

import boto3
from botocore.config import Config

from tests.lumadb_server import LumaServer


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:  # (a process that ended meanwhile)
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_end_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = LumaServer("--workers", "2", data_dir=data_dir).start()
    try:
        assert first.proc is not None
        workers = _children(first.proc.pid)
        assert len(workers) >= 2, workers  # (and the multiprocessing resource tracker, maybe)
        ddb = boto3.client("dynamodb", endpoint_url=first.url + "/dynamodb", region_name="us-east-1",
                           aws_access_key_id="a", aws_secret_access_key="b", config=Config(retries={"max_attempts": 0}))
        ddb.create_table(TableName="kept", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName="kept", Item={"pk": {"S": "a"}})
        first.kill9()
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)]

        second = LumaServer(data_dir=data_dir)
        second.port, second.url = first.port, first.url  # the same port: nothing holds it now
        second.start()
        try:
            assert ddb.get_item(TableName="kept", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
        finally:
            second.stop()
    finally:
        first.cleanup()
