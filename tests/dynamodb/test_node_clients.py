"""The AWS SDK for JavaScript v3 against the real server: @aws-sdk/client-dynamodb for every
operation family, and @aws-sdk/lib-dynamodb's DocumentClient with native values."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import run_node
from tests.dynamodb.helpers import table_name

pytestmark = pytest.mark.node


def test_client_dynamodb_every_operation_family(server: Any) -> None:
    prefix = table_name()
    out: Any = run_node("dynamodb_client.mjs", server.url, prefix)
    assert out["createStatus"] == "ACTIVE"
    assert out["createAgain"] == {
        "name": "ResourceInUseException",
        "message": f"Table already exists: {prefix}-main",
        "status": 400,
        "reasons": None,
        "item": None,
    }
    assert out["describe"]["keys"] == ["HASH", "RANGE"]
    assert out["listed"] == [f"{prefix}-main", f"{prefix}-other"]
    assert (
        out["updatedThroughput"]["ReadCapacityUnits"],
        out["updatedThroughput"]["WriteCapacityUnits"],
    ) == (4, 1)
    assert out["tags"] == [{"Key": "team", "Value": "db"}]
    assert out["limits"] == 40000 and out["endpoints"] == [f"127.0.0.1:{server.port}/dynamodb"]
    assert out["pitr"] == "ENABLED"
    assert out["get"] == {"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "10"}, "tags": {"SS": ["x", "y"]}}
    assert out["update"] == {"n": {"N": "15"}, "tags": {"SS": ["x", "y", "z"]}}
    assert out["conditionFailed"]["name"] == "ConditionalCheckFailedException"
    assert out["conditionFailed"]["item"]["n"] == {"N": "15"}
    assert out["deleted"] == {"N": "15"}
    assert out["missingTable"]["name"] == "ResourceNotFoundException"
    assert out["badKey"]["message"] == "The provided key element does not match the schema"
    assert out["unprocessed"] == []
    assert out["batchGet"] == {"main": ["3", "4"], "other": [1, 2]}
    assert out["query"] == list(range(59, 9, -1))
    assert out["scanCount"] == 30 and out["segmentTotal"] == 60 and out["count"] == 60
    assert out["cancelled"]["name"] == "TransactionCanceledException"
    assert out["cancelled"]["reasons"] == [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
    ]
    assert out["transactGet"] == ["1", None]
    assert out["deleteStatus"] == "DELETING"


def test_document_client_native_values(server: Any) -> None:
    out: Any = run_node("dynamodb_document.mjs", server.url, table_name())
    assert out["get"] == {
        "user": "ann",
        "ts": 1,
        "total": 12.5,
        "items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}],
        "tags": ["gift", "new"],
        "paid": False,
        "note": None,
        "meta": {"source": "web", "nested": {"lvl": 2}},
        "empty": "",
    }
    assert out["projected"] == {"meta": {"nested": {"lvl": 2}}, "items": [{"sku": "b"}]}
    assert out["updated"]["paid"] is True and out["updated"]["visits"] == 1 and "note" not in out["updated"]
    assert [i["sku"] for i in out["updated"]["items"]] == ["a", "b", "c"]
    assert out["conditionFailed"]["name"] == "ConditionalCheckFailedException"
    assert out["batchGet"] == ["ann:3", "bob:2"]
    assert out["query"] == list(range(1, 22, 2))
    assert out["scanFiltered"] == 10
    assert [r["Code"] for r in out["cancelled"]["reasons"]] == ["None", "ConditionalCheckFailed"]
    assert out["transactGet"] == [2, None, None]
    assert out["deleted"] == 12.5
