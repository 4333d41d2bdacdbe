"""The AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb and @aws-sdk/client-dynamodb-streams)
against a GSI added to a table with items, PartiQL, TTL settings and a Lambda-style stream consumer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import run_node
from tests.dynamodb.helpers import table_name

pytestmark = pytest.mark.node


def test_sdk_v3_indexes_partiql_ttl_and_stream_consumer(server: Any) -> None:
    out: Any = run_node("dynamodb_issue5_features.mjs", server.url, table_name())
    assert out["createdIndexStatus"] == "CREATING"
    assert out["indexStatus"] == "ACTIVE" and out["indexCount"] == 12
    assert out["oddScores"] == [11, 9, 7, 5, 3, 1]
    assert out["lastKeyNames"] == ["pk", "score", "team"]
    assert (
        out["consistentGsi"]["message"]
        == "Strongly consistent read is not supported on Global Secondary Indexes"
    )
    assert out["duplicate"] == {
        "name": "DuplicateItemException",
        "message": "Duplicate primary key exists in table",
        "reasons": None,
    }
    assert out["partiqlSelected"] == ["u5", "u7", "u9", "u11", "p1"]
    assert out["batchErrors"] == [None, "ConditionalCheckFailed"]
    assert out["transaction"]["name"] == "TransactionCanceledException"
    assert out["transaction"]["reasons"] == [
        {"Code": "None"},
        {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"},
    ]
    assert out["ttl"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    assert out["listed"] == [True] and out["shardIdLength"] >= 28
    puts = [["INSERT", f"u{n}"] for n in range(12)]
    assert out["events"] == puts + [["MODIFY", "u1"], ["REMOVE", "u2"], ["INSERT", "p1"], ["MODIFY", "p1"]]
    assert out["sequenceIncreasing"] is True
    assert out["moved"] == [["odd", "even"]]
    assert out["createdIsDate"] is True
