"""DynamoDB request validation compiled from specs/dynamodb.json at import.

DynamoDB checks a request in this order, and so does LumaDB: the JSON parses (the router); each
member has the right JSON type (SerializationException, first offender in document order); the
constraints of the spec hold (one ValidationException listing at most 10 violations, ordered by
member); then the semantic checks, which belong to the handlers. A valid body costs one walk with
no bookkeeping; only a body with a violation is walked again to collect the messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.validation import messages
from lumadb.dynamodb.validation.compiler import REF, Compiler
from lumadb.dynamodb.validation.nodes import Entry, Invalid
from lumadb.specs import load_spec

MAX_ERRORS = 10
TABLE_NAME_REQUIRED = "The parameter 'TableName' is required but was not present in the request"
TABLE_NAME_LENGTH = "TableName must be at least 3 characters long and at most 255 characters long"

Validator = Callable[[Any], dict[str, Any]]


def validate_request(operation: str, body: object) -> dict[str, Any]:
    """Return the body (a dict) if valid, else raise DynamoError (its members may be converted
    in place: null members dropped, "true" read as true, 1.5 read as 1 for an integer)."""
    validator = _VALIDATORS.get(operation)
    if validator is None:
        raise DynamoError.unknown_operation()
    return validator(body)


def operations() -> dict[str, str]:
    """Operation name -> protocol ("dynamodb" | "dynamodbstreams")."""
    return dict(_PROTOCOLS)


def target_prefixes() -> dict[str, str]:
    """`X-Amz-Target` prefix -> protocol, e.g. "DynamoDB_20120810" -> "dynamodb"."""
    return dict(_PREFIXES)


def error_message(errors: list[Entry]) -> str:
    """`N validation error(s) detected: ...` for the first 10 violations in member order."""
    errors.sort(key=Entry.sort_key)  # stable: a member's own violations keep their order
    shown = [entry.text() for entry in errors[:MAX_ERRORS]]
    plural = "s" if len(shown) > 1 else ""
    return f"{len(shown)} validation error{plural} detected: " + "; ".join(shown)


def _compile(spec: dict[str, Any]) -> tuple[dict[str, Validator], dict[str, str]]:
    compiler = Compiler(spec["components"]["schemas"])
    validators: dict[str, Validator] = {}
    protocols: dict[str, str] = {}
    for path_item in spec["paths"].values():
        operation = path_item["post"]
        name = operation["x-botocore"]["name"]
        protocols[name] = operation["tags"][0]
        input_shape = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].removeprefix(REF)
        validators[name] = _operation_validator(
            compiler, input_shape, table_name_first=operation.get("x-lumadb-table-name-first", False)
        )
    return validators, protocols


def _operation_validator(compiler: Compiler, input_shape: str, *, table_name_first: bool | str) -> Validator:
    root = compiler.node(input_shape).check
    java = compiler.java_type(input_shape)

    def validate(body: Any) -> dict[str, Any]:
        if body.__class__ is not dict:
            if body is not None:
                raise DynamoError.serialization(
                    f"Unrecognized collection type {java}" if body.__class__ is list else messages.UNEXPECTED_VALUE
                )
            body = {}
        try:
            try:
                return root(body, None)
            except Invalid:
                errors: list[Entry] = []
                root(body, errors)  # raises SerializationException if a type is wrong anywhere
        except RecursionError:
            raise DynamoError.validation(messages.NESTING) from None
        if table_name_first:
            _check_table_name_first(body, lengths=table_name_first is True)
        if not errors:  # cannot happen: the fast pass saw a violation
            return body
        raise DynamoError.validation(error_message(errors))

    return validate


def _check_table_name_first(body: dict[str, Any], *, lengths: bool) -> None:
    """Table operations check TableName before the other constraints, with their own texts
    (CreateTable only that it is there: `lengths` False)."""
    name = body.get("TableName")
    if name is None:
        raise DynamoError.validation(TABLE_NAME_REQUIRED)
    if lengths and not name.startswith("arn:") and not 3 <= len(name) <= 255:
        raise DynamoError.validation(TABLE_NAME_LENGTH)


_SPEC = load_spec("dynamodb")
_VALIDATORS, _PROTOCOLS = _compile(_SPEC)
_PREFIXES: dict[str, str] = dict(_SPEC["x-lumadb-target-prefixes"])
