"""Which DynamoDB operations LumaDB implements: every operation of the spec either has a
handler module or answers the protocol's own "not supported" error, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lumadb.dynamodb import target
from lumadb.dynamodb.validation import operations
from tests.dynamodb.test_protocol import call

IMPLEMENTED = {
    "CreateTable", "DeleteTable", "DescribeTable", "ListTables", "UpdateTable", "TagResource", "UntagResource",
    "ListTagsOfResource", "DescribeLimits", "DescribeEndpoints", "DescribeContinuousBackups",
    "UpdateContinuousBackups", "PutItem", "GetItem", "UpdateItem", "DeleteItem", "BatchGetItem", "BatchWriteItem",
    "TransactWriteItems", "TransactGetItems", "Query", "Scan",
}  # fmt: skip


def test_the_data_plane_operations_have_handlers() -> None:
    missing = sorted(op for op in IMPLEMENTED if target.handler_for(op) is None)
    assert missing == []
    assert set(operations()) >= IMPLEMENTED


@pytest.mark.parametrize("operation", sorted(operations()))
def test_every_spec_operation_answers_in_the_envelope(server: Any, operation: str) -> None:
    prefix = (
        "DynamoDBStreams_20120810" if operations()[operation] == "dynamodbstreams" else "DynamoDB_20120810"
    )
    status, _, body = call(
        server.url,
        body=b"{}",
        headers={
            "X-Amz-Target": f"{prefix}.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    assert status < 500, (operation, body)
    if status != 200:
        parsed = json.loads(body)
        assert parsed["__type"].rsplit("#", 1)[-1] in (
            "ValidationException",
            "UnknownOperationException",
            "SerializationException",
            "ResourceNotFoundException",
            "TableNotFoundException",
        ), (operation, parsed)
        if target.handler_for(operation) is None and parsed["__type"].endswith("UnknownOperationException"):
            assert parsed["message"] == f"LumaDB does not support the operation {operation}"
