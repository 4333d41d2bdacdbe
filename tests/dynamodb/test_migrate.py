"""`lumadb migrate dynamodb`: tables copied from another DynamoDB implementation (dynalite) and
from another LumaDB into LumaDB, then compared with boto3 on both sides."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dynamodb.helpers import client_for
from tests.lumadb_server import LumaServer

DYNALITE = Path(__file__).resolve().parents[1] / "node" / "node_modules" / "dynalite" / "cli.js"
ITEMS = 400  # ~2.4 MB: Scans go over several pages


@pytest.fixture
def dynalite() -> Iterator[str]:
    if not DYNALITE.is_file():
        pytest.fail("dynalite is required (run scripts/test: it installs tests/node)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["node", str(DYNALITE), "--port", str(port), "--createTableMs", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("dynalite did not start")
            time.sleep(0.05)
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(10)


def _item(i: int) -> dict[str, Any]:
    return {
        "user": {"S": f"u{i % 7}"}, "at": {"N": str(1000 + i)}, "kind": {"S": ["a", "b"][i % 2]},
        "blob": {"B": bytes([i % 256, 0, 255])}, "tags": {"SS": ["x", f"t{i}"]}, "nums": {"NS": ["0.5", str(i)]},
        "bins": {"BS": [b"\xfe\xfe", bytes([i % 256])]}, "doc": {"M": {"l": {"L": [{"BOOL": True}, {"NULL": True}]}}},
        "pad": {"S": "p" * 6000}, "ratio": {"N": "-0.000123"},
    }


def _fill(url: str) -> None:
    ddb = client_for(url)
    ddb.create_table(
        TableName="events", BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3},
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in (("user", "S"), ("at", "N"), ("kind", "S"))],
        KeySchema=[{"AttributeName": "user", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[{"IndexName": "by-kind", "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"},
                                {"AttributeName": "kind", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        GlobalSecondaryIndexes=[{"IndexName": "kinds", "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["tags"]},
                                 "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}],
    )
    ddb.create_table(
        TableName="blobs", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "B"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    for start in range(0, ITEMS, 25):
        ddb.batch_write_item(RequestItems={"events": [{"PutRequest": {"Item": _item(i)}}
                                                      for i in range(start, start + 25)]})
    ddb.put_item(TableName="blobs", Item={"id": {"B": b"\x00\xff"}, "n": {"N": "1"}})


def _everything(url: str, table: str) -> list[dict[str, Any]]:
    items = []
    for page in client_for(url).get_paginator("scan").paginate(TableName=table):
        items.extend(page["Items"])
    return sorted(items, key=repr)


def _shape(url: str, table: str) -> dict[str, Any]:
    t = client_for(url).describe_table(TableName=table)["Table"]
    return {
        "keys": t["KeySchema"], "attributes": sorted(t["AttributeDefinitions"], key=repr),
        "billing": (t.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
        "throughput": {k: t["ProvisionedThroughput"][k] for k in ("ReadCapacityUnits", "WriteCapacityUnits")},
        "lsi": [(i["IndexName"], i["KeySchema"], i["Projection"]) for i in t.get("LocalSecondaryIndexes", [])],
        "gsi": [(i["IndexName"], i["KeySchema"], i["Projection"],
                 {k: i["ProvisionedThroughput"][k] for k in ("ReadCapacityUnits", "WriteCapacityUnits")})
                for i in t.get("GlobalSecondaryIndexes", [])],
    }


def _migrate(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
    return subprocess.run([sys.executable, "-m", "lumadb.cli", "migrate", "dynamodb", *args],
                          capture_output=True, text=True, timeout=300, env=env)


def test_tables_from_dynalite(dynalite: str, start_server: Any) -> None:
    _fill(dynalite)
    luma: LumaServer = start_server()
    target = f"{luma.url}/dynamodb"
    done = _migrate("--from-endpoint", dynalite, "--to", target, "--segments", "3")
    assert done.returncode == 0, done.stderr
    assert "events: 400 items" in done.stdout and "blobs: 1 items" in done.stdout
    for table in ("events", "blobs"):
        assert _shape(target, table) == _shape(dynalite, table)
        assert _everything(target, table) == _everything(dynalite, table)
    # the indexes answer on the copy
    kinds = client_for(target).query(TableName="events", IndexName="kinds", KeyConditionExpression="kind = :k",
                                     ExpressionAttributeValues={":k": {"S": "b"}}, Select="COUNT")
    assert kinds["Count"] == ITEMS // 2

    again = _migrate("--from-endpoint", dynalite, "--to", target, "--tables", "blobs")
    assert again.returncode == 1
    assert again.stderr == "lumadb migrate: table 'blobs' already exists in LumaDB: delete it first, or leave it out (--tables)\n"


def test_streams_ttl_and_tags_from_another_lumadb(start_server: Any) -> None:
    source: LumaServer = start_server()
    src = client_for(f"{source.url}/dynamodb")
    created = src.create_table(
        TableName="sessions", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        TableClass="STANDARD_INFREQUENT_ACCESS", DeletionProtectionEnabled=True,
        Tags=[{"Key": "team", "Value": "web"}],
    )["TableDescription"]
    src.update_time_to_live(TableName="sessions", TimeToLiveSpecification={"AttributeName": "expires", "Enabled": True})
    src.put_item(TableName="sessions", Item={"id": {"S": "s1"}, "expires": {"N": str(int(time.time()) + 3600)}})
    luma: LumaServer = start_server()
    done = _migrate("--from-endpoint", f"{source.url}/dynamodb", "--to", f"{luma.url}/dynamodb", "--tables", "sessions")
    assert done.returncode == 0, done.stderr
    copy = client_for(f"{luma.url}/dynamodb")
    table = copy.describe_table(TableName="sessions")["Table"]
    assert table["StreamSpecification"] == created["StreamSpecification"]
    assert table["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    assert table["DeletionProtectionEnabled"] is True
    assert copy.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"] == [{"Key": "team", "Value": "web"}]
    ttl = copy.describe_time_to_live(TableName="sessions")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    assert copy.get_item(TableName="sessions", Key={"id": {"S": "s1"}})["Item"]["id"] == {"S": "s1"}


def test_vector_indexes_from_another_lumadb(start_server: Any) -> None:
    source: LumaServer = start_server()
    src = client_for(f"{source.url}/dynamodb")
    index = {"IndexName": "by_doc", "VectorAttribute": {"AttributeName": "emb"}, "Dimensions": 2,
             "DistanceFunction": "DOT_PRODUCT", "Projection": {"ProjectionType": "KEYS_ONLY"},
             "SearchSchema": [{"AttributeName": "doc", "SearchSchemaElementType": "HASH"}]}  # fmt: skip
    src.create_table(TableName="chunks", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                           {"AttributeName": "doc", "AttributeType": "S"}],
                     VectorIndexes=[index])  # fmt: skip
    for n, values in enumerate([[1, 0], [0, 1]]):
        src.put_item(TableName="chunks", Item={"id": {"S": f"c{n}"}, "doc": {"S": "d"},
                                               "emb": {"L": [{"N": str(v)} for v in values]}})  # fmt: skip
    luma: LumaServer = start_server()
    done = _migrate("--from-endpoint", f"{source.url}/dynamodb", "--to", f"{luma.url}/dynamodb", "--tables", "chunks")
    assert done.returncode == 0, done.stderr
    copy = client_for(f"{luma.url}/dynamodb")
    described = copy.describe_table(TableName="chunks")["Table"]["VectorIndexes"][0]
    assert {key: described[key] for key in index} == index and described["ItemCount"] == 2
    found = copy.search_vectors(TableName="chunks", IndexName="by_doc", SearchVector=[{"N": "0"}, {"N": "1"}], TopK=1,
                                SearchConditionExpression="doc = :d", ExpressionAttributeValues={":d": {"S": "d"}})  # fmt: skip
    assert found["SearchResults"] == [{"Item": {"id": {"S": "c1"}, "doc": {"S": "d"}}, "Score": 1.0}]


def test_a_missing_table_is_reported(start_server: Any) -> None:
    luma: LumaServer = start_server()
    done = _migrate("--from-endpoint", f"{luma.url}/dynamodb", "--to", f"{luma.url}/dynamodb", "--tables", "nope")
    assert done.returncode == 1
    assert done.stderr == "lumadb migrate: DescribeTable: ResourceNotFoundException: Requested resource not found: Table: nope not found\n"


def test_into_a_lumadb_that_checks_signatures(start_server: Any) -> None:
    """`--to-credentials` (by default the first of LUMADB_DYNAMODB_CREDENTIALS) signs the copy's
    requests for a LumaDB started with `--dynamodb-credentials`."""
    source: LumaServer = start_server()
    ddb = client_for(source.url)
    ddb.create_table(TableName="signed", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    for n in range(3):
        ddb.put_item(TableName="signed", Item={"pk": {"S": f"k{n}"}})
    target: LumaServer = start_server("--dynamodb-credentials", "AKIDMIGRATE:s3cret")
    refused = _migrate("--from-endpoint", f"{source.url}/dynamodb", "--to", f"{target.url}/dynamodb")
    assert refused.returncode == 1
    assert "UnrecognizedClientException: The security token included in the request is invalid." in refused.stderr
    done = _migrate("--from-endpoint", f"{source.url}/dynamodb", "--to", f"{target.url}/dynamodb",
                    "--to-credentials", "AKIDMIGRATE:s3cret")
    assert done.returncode == 0, done.stderr
    assert "signed: 3 items" in done.stdout
