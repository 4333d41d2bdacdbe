"""X-Amz-Target dispatch: one DynamoDB JSON 1.0 request in, one response out.

DynamoDB's order of checks, which decides which error wins: method and content type (404
UnknownOperationException) -> JSON parse (SerializationException) -> target (400
UnknownOperationException) -> the signature, when credentials are configured (signing.py) ->
empty body (SerializationException) -> the spec's types and constraints
(`validation.validate_request`) -> the operation's own semantic checks -> storage.
"""

from __future__ import annotations

import importlib
import re
import zlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb import signing, value_layers
from lumadb.dynamodb.errors import CORAL_SERVICE, DynamoError
from lumadb.dynamodb.vectors import request_shape as search_request_shape
from lumadb.http import Request, Response

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService

try:  # the spec-compiled validator
    from lumadb.dynamodb import validation as _validation
except ModuleNotFoundError as exc:  # pragma: no cover - only while the validator is absent
    if exc.name != "lumadb.dynamodb.validation":
        raise
    _validation = None  # type: ignore[assignment]

OperationHandler = Callable[["DynamoService", dict, Request], Awaitable["dict | None"]]  # None: an empty body

TARGET_PREFIXES = ("DynamoDB_20120810.", "DynamoDBStreams_20120810.")
JSON_TYPES = ("application/x-amz-json-1.0", "application/json")
AMZ_JSON = b"application/x-amz-json-1.0"

_handlers: dict[str, OperationHandler | None] = {}
_snake = re.compile(r"(?<!^)(?=[A-Z])")


def module_name(operation: str) -> str:
    return "lumadb.dynamodb.operations." + _snake.sub("_", operation).lower()


_known: dict[str, str] | None = None


def known_operations() -> dict[str, str]:
    """Operation name -> "dynamodb" | "dynamodbstreams", from the spec when the validator is present."""
    global _known
    if _known is None:
        _known = dict(_validation.operations()) if _validation is not None else {}
    return _known


def handler_for(operation: str) -> OperationHandler | None:
    """The operation module's `handle`, or None when the operation has no module."""
    if operation in _handlers:
        return _handlers[operation]
    handler: OperationHandler | None
    try:
        handler = importlib.import_module(module_name(operation)).handle
    except ModuleNotFoundError as exc:
        if exc.name != module_name(operation):
            raise
        handler = None
    _handlers[operation] = handler
    return handler


def _operation(target: str | None) -> str | None:
    if not target:
        return None
    for prefix in TARGET_PREFIXES:
        if target.startswith(prefix):
            operation = target[len(prefix) :]
            if operation and operation.isalnum():
                service = "dynamodbstreams" if prefix.startswith("DynamoDBStreams") else "dynamodb"
                known = known_operations()
                if known:
                    return operation if known.get(operation) == service else None
                return operation
    return None


# DynamoDB's front end names itself so, and lists what a browser may read of a CORS response
# (captured responses; Alternator's test_server_header and test_cors_*, run against DynamoDB)
SERVER = (b"server", b"Server")
EXPOSED = (b"access-control-expose-headers", b"x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date")


def response_headers(request: Request, body: bytes) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"x-amzn-requestid", request.request_id.encode()),
        (b"x-amz-crc32", str(zlib.crc32(body)).encode()),
        SERVER,
    ]
    if "origin" in request.headers:
        headers.append((b"access-control-allow-origin", b"*"))
        headers.append(EXPOSED)
    return headers


def render_error(request: Request, error: DynamoError, content_type: bytes = AMZ_JSON) -> Response:
    body = error.body()
    return Response(error.status, body, content_type, response_headers(request, body))


async def dispatch(service: DynamoService, request: Request) -> Response:
    headers = request.headers
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    body = request.body
    if request.method != "POST" or (body and content_type not in JSON_TYPES):
        return render_error(
            request, DynamoError(CORAL_SERVICE + "UnknownOperationException", None, status=404)
        )
    response_type = AMZ_JSON if content_type != "application/json" else b"application/json"
    operation = None
    try:
        data: Any = None
        if body:
            try:
                data = orjson.loads(body)
            except orjson.JSONDecodeError:
                raise DynamoError.serialization() from None
        operation = _operation(headers.get("x-amz-target"))
        if operation is None:
            raise DynamoError.unknown_operation()
        if service.credentials is not None:
            signing.check(request, service.credentials)
        if not body:
            raise DynamoError.serialization()
        if operation == "SearchVectors":  # read by a front end of its own
            search_request_shape.check(data, body)
        if _validation is not None:
            data = _validation.validate_request(operation, data)
        elif type(data) is not dict:
            raise DynamoError.serialization()
        handler = _handlers.get(operation) or handler_for(operation)
        if handler is None:
            raise DynamoError.not_supported(operation)
        result = await handler(service, data, request)
    except DynamoError as error:
        if error.current is not None:
            error = value_layers.in_layer(error, operation)
        return render_error(request, error, response_type)
    # TagResource and UntagResource answer an empty body (Alternator's tests, run against DynamoDB)
    payload = orjson.dumps(result) if result is not None else b""
    return Response(200, payload, response_type, response_headers(request, payload))


def preflight(request: Request) -> Response:
    """CORS preflight, as DynamoDB answers it for browser SDKs."""
    headers = request.headers
    out = [(b"x-amzn-requestid", request.request_id.encode()), SERVER, (b"access-control-allow-origin", b"*"), EXPOSED]
    if "access-control-request-headers" in headers:
        out.append((b"access-control-allow-headers", headers["access-control-request-headers"].encode()))
    if "access-control-request-method" in headers:
        out.append((b"access-control-allow-methods", headers["access-control-request-method"].encode()))
    out.append((b"access-control-max-age", b"172800"))
    return Response(200, b"", None, out)
