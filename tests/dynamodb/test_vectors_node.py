"""SearchVectors through the AWS SDK for JavaScript v3 (tests/node/dynamodb_vectors.mjs)."""

from __future__ import annotations

from typing import Any

from tests.conftest import run_node
from tests.dynamodb.helpers import table_name


def test_vector_search_with_the_javascript_sdk(server: Any) -> None:
    out: Any = run_node("dynamodb_vectors.mjs", server.url, table_name())
    assert out["index"] == [["by_tenant", 2, "ACTIVE"]]
    assert out["results"] == [["a", 0, ["pk", "tenant"]], ["b", 5, ["pk", "tenant"]]]  # the vector left out
    assert out["capacity"] == {"VectorSearchRequestBytes": 1024}
    assert out["error"] == {"name": "ValidationException",
                            "message": "SearchConditionExpression must be provided when SearchSchema has a HASH key"}  # fmt: skip
