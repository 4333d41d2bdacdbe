"""The AWS SDK for Go v2 against the real server: tests/go/dynamodb_client runs every operation
family as Go applications write it (attributevalue structs, the expression builder,
paginators, waiters, typed errors, the Streams client), and once through a client that asks
for gzip. The SDK only logs a response whose CRC32 does not match: the program reports what
it logged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_go
from tests.dynamodb.helpers import table_name

pytestmark = pytest.mark.go


def _error(code: str, message: str, **typed: bool) -> dict[str, Any]:
    return {"code": code, "message": message, **{"conditional": False, "notFound": False, "inUse": False, **typed}}


def _without_text(failure: dict[str, Any]) -> dict[str, Any]:
    """The error as the SDK modelled it, without its rendered text and fault (not compared)."""
    return {k: v for k, v in failure.items() if k not in ("error", "fault", "reasons")}


def test_go_sdk_every_operation_family(server: Any, go_programs: Callable[[str], Path]) -> None:
    prefix = table_name()
    out: Any = run_go(go_programs("dynamodb_client"), f"{server.url}/dynamodb", prefix)
    orders = f"{prefix}-orders"
    # tables: the waiter sees ACTIVE, the paginator lists every table
    assert (out["createStatus"], out["waited"], out["gsi"], out["streamView"]) == (
        "ACTIVE", "ACTIVE", "by-status", "NEW_AND_OLD_IMAGES",
    )
    assert _without_text(out["createAgain"]) == _error(
        "ResourceInUseException", f"Table already exists: {orders}", inUse=True
    )
    assert out["listed"] == [orders]
    assert out["ttl"] == "ENABLED" and out["tags"] == {"team": "db"}
    # items: a struct round trip through attributevalue, every type it maps to
    assert out["roundTrip"] == {
        "Customer": "ann", "Number": 1, "Total": 12.5, "Lines": [{"Sku": "a", "Qty": 2}, {"Sku": "b", "Qty": 1}],
        "Tags": ["gift", "new"], "Paid": False, "Note": "leave at the door", "Meta": {"source": "web"},
        "Blob": "AAEC/w==", "Status": "open",
    }
    assert out["gzipTotal"] == "12.5"
    assert out["updated"] == {"paid": True, "total": 15, "visits": 1, "lines": 3, "hasNote": False}
    assert _without_text(out["conditionFailed"]) == _error(
        "ConditionalCheckFailedException", "The conditional request failed", conditional=True
    )
    assert _without_text(out["missingTable"]) == _error(
        "ResourceNotFoundException", "Requested resource not found", notFound=True
    )
    assert _without_text(out["badKey"]) == _error(
        "ValidationException", "The provided key element does not match the schema"
    )
    assert _without_text(out["tooLarge"]) == _error(
        "ValidationException", "Item size has exceeded the maximum allowed size"
    )
    assert out["deletedTotal"] == "15"
    # batches, Query across the 1 MB page limit, Scan with a filter, a GSI
    assert out["unprocessed"] == 0 and out["batchGet"] == [3, 4]
    assert out["query"] == list(range(59, 9, -1)) and out["queryPages"] == 2
    assert out["scanCount"] == 30 and out["indexCount"] == 30
    assert _without_text(out["badExpression"]) == _error(
        "ValidationException", 'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND"'
    )
    # transactions: the typed exception carries the reasons
    assert out["cancelled"]["code"] == "TransactionCanceledException"
    assert out["cancelled"]["reasons"] == [
        {"code": "None", "message": ""},
        {"code": "ConditionalCheckFailed", "message": "The conditional request failed"},
    ]
    assert out["transactGet"] == [True, False]
    # PartiQL
    assert out["partiql"] == [0, 1, 2]
    assert _without_text(out["partiqlDuplicate"]) == _error(
        "DuplicateItemException", "Duplicate primary key exists in table"
    )
    # Streams: the first records of the shard, in order
    assert out["streamStatus"] == "ENABLED"
    assert out["firstRecord"] == {"customer": "ann", "hasNew": True, "hasOld": False, "view": "NEW_AND_OLD_IMAGES"}
    assert out["streamEvents"] == ["INSERT", "MODIFY", "REMOVE", "INSERT", "INSERT", "INSERT"]
    assert out["deletedWaited"] is True
    # nothing went wrong below the API: every response's CRC32 matched its x-amz-crc32
    assert out["logged"] == []


def test_go_sdk_v1(server: Any, go_programs: Callable[[str], Path]) -> None:
    """v1 fails a call whose response CRC32 does not match (v2 only logs it)."""
    out: Any = run_go(go_programs("dynamodb_v1"), f"{server.url}/dynamodb", table_name())
    assert out["get"] == {"Stream": "s1", "Seq": 7, "Kind": "view", "Labels": ["a"], "Count": 0}
    assert out["updated"] == {"Stream": "", "Seq": 0, "Kind": "", "Labels": ["a", "b"], "Count": 2}
    assert _without_text(out["conditionFailed"]) == {
        "code": "ConditionalCheckFailedException", "message": "The conditional request failed",
    }
    assert _without_text(out["missingTable"]) == {
        "code": "ResourceNotFoundException", "message": "Requested resource not found",
    }
    assert out["query"] == list(range(1, 30, 2)) and out["queryPages"] == 4
    assert out["cancelled"]["code"] == "TransactionCanceledException"
    assert out["cancelled"]["reasons"] == ["None", "ConditionalCheckFailed"]
