"""An acknowledged write survives `kill -9`: the server restarted on the same data directory
has the table, the item and consistent counters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.dynamodb.helpers import client_for


def test_acknowledged_put_survives_kill_9(start_server: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = start_server(data_dir=data_dir)
    ddb = client_for(first.url)
    ddb.create_table(
        TableName="durable",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
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
