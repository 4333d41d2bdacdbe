"""DynamoDB JSON 1.0: `op` steps become signed `POST` requests with `X-Amz-Target`; the
normaliser masks what AWS makes unique per request or account (ids, ARNs, timestamps) and
the counters AWS itself only refreshes every six hours."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from conformance.normalise import placeholder_for
from conformance.protocols.base import Fixup, HttpRequest, Protocol

DYNAMODB_PREFIX = "DynamoDB_20120810"
STREAMS_PREFIX = "DynamoDBStreams_20120810"
CONTENT_TYPE = "application/x-amz-json-1.0"


@cache
def operation_names() -> tuple[list[str], list[str]]:
    """The operations of botocore's dynamodb and dynamodbstreams models."""
    import botocore.session

    session = botocore.session.get_session()
    return (
        sorted(session.get_service_model("dynamodb").operation_names),
        sorted(session.get_service_model("dynamodbstreams").operation_names),
    )


def _moto_content_type(record: dict[str, Any], _request: dict[str, Any]) -> dict[str, Any]:
    headers = record.get("headers") or {}
    if headers.get("content-type") == "application/json":
        return {**record, "headers": {**headers, "content-type": CONTENT_TYPE}}
    return record


def _moto_validation_type(record: dict[str, Any], _request: dict[str, Any]) -> dict[str, Any]:
    body = record.get("body")
    if isinstance(body, dict) and body.get("__type") == "com.amazonaws.dynamodb.v20120810#ValidationException":
        return {**record, "body": {**body, "__type": "com.amazon.coral.validate#ValidationException"}}
    return record


def _moto_unrequested_metrics(record: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    body, asked = record.get("body"), request.get("body")
    if not isinstance(body, dict) or not isinstance(asked, dict):
        return record
    drop = set()
    if asked.get("ReturnConsumedCapacity", "NONE") == "NONE":
        drop.add("ConsumedCapacity")
    if asked.get("ReturnItemCollectionMetrics", "NONE") == "NONE":
        drop.add("ItemCollectionMetrics")
    if not drop & set(body):
        return record
    return {**record, "body": {k: v for k, v in body.items() if k not in drop}}


def _integral_floats_as_ints(value: Any) -> Any:
    """AWS writes capacity units as 1.0 and counts as 1; SDKs read both as the same number."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    if isinstance(value, dict):
        return {k: _integral_floats_as_ints(v) for k, v in value.items()}
    return value


PROBE_TABLE = "conformance-probe"
PROBE_ARN = f"arn:aws:dynamodb:us-east-1:000000000000:table/{PROBE_TABLE}"


def minimal_input(op: str) -> dict[str, Any]:
    import botocore.session

    session = botocore.session.get_session()
    service = "dynamodbstreams" if op in _stream_operations() else "dynamodb"
    shape = session.get_service_model(service).operation_model(op).input_shape
    return _minimal(shape, "") if shape is not None else {}


def _minimal(shape: Any, name: str, depth: int = 0) -> Any:
    kind = shape.type_name
    if kind == "structure":
        required = shape.metadata.get("required", []) if depth < 6 else []
        return {m: _minimal(shape.members[m], m, depth + 1) for m in required}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        if name.endswith("Arn"):
            return PROBE_ARN
        if name in ("TableName", "IndexName"):
            return PROBE_TABLE
        return "p" * max(int(shape.metadata.get("min", 1)), 3)
    if kind in ("integer", "long"):
        return max(int(shape.metadata.get("min", 1)), 1)
    if kind == "boolean":
        return False
    if kind == "list":
        count = int(shape.metadata.get("min", 0))
        return [_minimal(shape.member, name, depth + 1) for _ in range(count)]
    if kind == "map":
        return {}
    if kind == "blob":
        return "AA=="
    return None


def _stream_operations() -> set[str]:
    return set(operation_names()[1])


class DynamoDB(Protocol):
    name = "dynamodb"
    peers = ("dynalite", "moto")
    real_service = "aws"
    recorded_headers: Mapping[str, str | None] = {
        "content-type": None,
        "x-amzn-requestid": "<present>",
    }
    key_masks = {
        "TableArn": "<arn>",
        "TableId": "<uuid>",
        "IndexArn": "<arn>",
        "LatestStreamArn": "<arn>",
        "LatestStreamLabel": "<time>",
        "StreamArn": "<arn>",
        "StreamLabel": "<time>",
        "ResourceArn": "<arn>",
        "CreationDateTime": placeholder_for("time"),
        "LastIncreaseDateTime": placeholder_for("time"),
        "LastDecreaseDateTime": placeholder_for("time"),
        "LastUpdateDateTime": placeholder_for("time"),
        "LastUpdateToPayPerRequestDateTime": placeholder_for("time"),
        "ApproximateCreationDateTime": placeholder_for("time"),
        "CreationRequestDateTime": placeholder_for("time"),
        "EarliestRestorableDateTime": placeholder_for("time"),
        "LatestRestorableDateTime": placeholder_for("time"),
        "ArchivalDateTime": placeholder_for("time"),
        "SequenceNumber": "<sequence>",
        "StartingSequenceNumber": "<sequence>",
        "EndingSequenceNumber": "<sequence>",
        "ShardId": "<shard>",
        "ParentShardId": "<shard>",
        "ShardIterator": "<iterator>",
        "NextShardIterator": "<iterator>",
        "eventID": "<id>",
        # DynamoDB refreshes these about every six hours: any value conforms.
        "ItemCount": placeholder_for("count"),
        "TableSizeBytes": placeholder_for("count"),
        "IndexSizeBytes": placeholder_for("count"),
        "NumberOfDecreasesToday": placeholder_for("count"),
        "Address": "<endpoint>",
    }
    fixups = {
        "moto": [
            Fixup("moto answers errors with Content-Type application/json; DynamoDB always answers "
                  "application/x-amz-json-1.0", _moto_content_type),
            Fixup("moto answers ConsumedCapacity and ItemCollectionMetrics that the request did not ask for",
                  _moto_unrequested_metrics),
            Fixup("moto types validation errors com.amazonaws.dynamodb.v20120810#ValidationException; DynamoDB "
                  "uses com.amazon.coral.validate#ValidationException", _moto_validation_type),
        ]
    }
    patterns = [
        (re.compile(r"arn:aws:dynamodb:[a-z0-9-]+:\d{12}:"), "arn:aws:dynamodb:<region>:<account>:"),
        (re.compile(r"^healthy: \S+"), "healthy: <endpoint>"),
        (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    ]

    def build(self, request: dict[str, Any], variables: Mapping[str, Any], target: Any) -> HttpRequest:
        if "op" not in request:
            built = super().build(request, variables, target)
            built.sign = bool(request.get("sign", True))
            amz_target = {k.lower(): v for k, v in built.headers.items()}.get("x-amz-target")
            if amz_target:
                built.labels = [amz_target.rpartition(".")[2]]
            return built
        op = str(request["op"])
        streams = op in _stream_operations()
        headers = {
            "Content-Type": CONTENT_TYPE,
            "X-Amz-Target": f"{STREAMS_PREFIX if streams else DYNAMODB_PREFIX}.{op}",
        }
        headers.update({str(k): str(v) for k, v in (request.get("headers") or {}).items()})
        if "raw" in request:
            body = str(request["raw"]).encode("utf-8")
        else:
            body = json.dumps(request.get("body", {}), separators=(",", ":"), ensure_ascii=False).encode()
        return HttpRequest(
            "POST", "", headers, body, api="streams" if streams else "default",
            sign=bool(request.get("sign", True)), labels=[op],
        )

    def normalise_body(self, body: Any, kind: str) -> Any:
        return super().normalise_body(_integral_floats_as_ints(body), kind)

    def probes(self) -> list[tuple[str, dict[str, Any]]]:
        """Each operation with its required members filled in, so that validation passes and
        the answer tells an implemented operation (a semantic error) from a missing one."""
        dynamodb, streams = operation_names()
        return [(op, {"op": op, "body": minimal_input(op)}) for op in [*dynamodb, *streams]]

    def supported(self, record: dict[str, Any]) -> bool:
        if not super().supported(record):
            return False
        body = record.get("body")
        if not isinstance(body, dict):
            return False
        kind = str(body.get("__type", "")) + " " + str(body.get("message", body.get("Message", "")))
        lowered = kind.lower()
        return not any(
            word in lowered for word in ("unknownoperation", "notimplemented", "not supported", "not implemented")
        )


PROTOCOL = DynamoDB()
