"""One round trip per protocol with its real client: the foundation works end to end."""

from __future__ import annotations

import asyncio

import boto3
import libsql_client
from cloudflare import Cloudflare

from tests.conftest import run_node
from tests.lumadb_server import LumaServer


def test_boto3_create_table_put_and_get_item(server: LumaServer, unique_name: str) -> None:
    ddb = boto3.client("dynamodb", endpoint_url=server.url + "/dynamodb", region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    ddb.create_table(TableName=unique_name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    ddb.put_item(TableName=unique_name, Item={"id": {"S": "u1"}, "name": {"S": "Ada"}})
    item = ddb.get_item(TableName=unique_name, Key={"id": {"S": "u1"}})["Item"]
    assert item == {"id": {"S": "u1"}, "name": {"S": "Ada"}}


def test_libsql_client_js_select_1(server: LumaServer) -> None:
    assert run_node("smoke_libsql.mjs", server.url) == {"columns": ["one"], "rows": [1]}


def test_libsql_client_python_select_1(server: LumaServer) -> None:
    async def select_one() -> list:
        async with libsql_client.create_client(server.url + "/turso/") as client:
            result = await client.execute("SELECT 1 AS one")
            return [tuple(row) for row in result.rows]

    assert asyncio.run(select_one()) == [(1,)]


def test_cloudflare_sdk_creates_a_d1_database_and_queries_it(server: LumaServer, unique_name: str) -> None:
    cf = Cloudflare(api_token="local", base_url=server.url + "/client/v4")
    db = cf.d1.database.create(account_id="local", name=unique_name)
    results = list(cf.d1.database.query(database_id=db.uuid, account_id="local", sql="SELECT 1 AS one"))
    assert results[0].results == [{"one": 1}]
