"""PartiQL literals and parameters as DynamoDB attribute values: 'text' -> S, numbers -> N
(checked against DynamoDB's range with the path of the literal in the message), TRUE/FALSE ->
BOOL, NULL, [..] -> L, {'k': v} -> M, <<..>> -> SS or NS, `?` -> the request's parameter."""

from __future__ import annotations

import re
from typing import Any

from lumadb.dynamodb.attributes import MAX_NESTING, NESTING, normalize_number, validate_attribute_value
from lumadb.dynamodb.errors import DynamoError, ParameterError
from lumadb.dynamodb.numbers import NUMBER_OVERFLOW, NUMBER_UNCONVERTIBLE, NUMBER_UNDERFLOW
from lumadb.dynamodb.partiql import ast

_RANGE_MESSAGES = ("Number overflow", "Number underflow", "Attempting to store more than 38")


# a tuple built once: `A | B | ...` inside isinstance built a union on every call (~0.4 µs)
_VALUE_NODES = (
    ast.String, ast.Number, ast.NegativeNumber, ast.Boolean, ast.Null, ast.ListValue, ast.StructValue,
    ast.BagValue, ast.Parameter,
)  # fmt: skip


def is_value(node: Any) -> bool:
    return isinstance(node, _VALUE_NODES)


def number(text: str, where: str = "root") -> dict[str, str]:
    """An N value, refused as DynamoDB refuses it: one out of DynamoDB's range names where it is
    (a literal its parser cannot hold at all was refused as not well formed while parsing)."""
    try:
        return {"N": normalize_number(text)}
    except DynamoError as error:
        if error.message.startswith(_RANGE_MESSAGES):
            raise DynamoError.validation(f"{error.message} under {where}") from None
        raise


def attribute_value(node: Any, parameters: list[dict], where: str = "root") -> dict[str, Any]:
    """The attribute value a literal or parameter denotes."""
    if isinstance(node, ast.Parameter):
        return parameters[node.index]
    if isinstance(node, ast.String):
        return {"S": node.text}
    if isinstance(node, ast.Number):
        return number(str(node.text), where)
    if isinstance(node, ast.NegativeNumber):
        return number("-" + str(node.text), where)
    if isinstance(node, ast.Boolean):
        return {"BOOL": node.value}
    if isinstance(node, ast.Null):
        return {"NULL": True}
    if isinstance(node, ast.ListValue):
        return {
            "L": [
                attribute_value(item, parameters, f"{where}[{i}]")
                for i, item in enumerate(node.items)
                if item is not None
            ]
        }
    if isinstance(node, ast.StructValue):
        return {"M": struct(node, parameters, where, nested=True)}
    if isinstance(node, ast.BagValue):
        return _bag(node, parameters, where)
    if isinstance(node, ast.Missing):
        raise DynamoError.validation("MISSING must be compared using IS operator")
    at = node.at if isinstance(node, ast.Call) else ""
    raise DynamoError.validation(f"Unsupported data type: {_describe(node)} under key {where}{at}")


def struct(
    node: ast.StructValue, parameters: list[dict], where: str = "root", *, nested: bool = False
) -> dict:
    """The attributes of a {...} literal; the item of an INSERT is the root, and its members'
    values are named from there."""
    out: dict[str, Any] = {}
    for pair in node.pairs:
        if pair is None:
            continue
        if pair.key in out:
            raise DynamoError.validation(f"Duplicate keys in tuple. Key: {pair.key} under {where}")
        out[pair.key] = attribute_value(pair.value, parameters, f"{where}.{pair.key}" if nested else where)
    return out


def _bag(node: ast.BagValue, parameters: list[dict], where: str) -> dict[str, Any]:
    members = [attribute_value(item, parameters, where) for item in node.items if item is not None]
    if not members:
        raise DynamoError.validation("Empty bags are not supported")
    kinds = {next(iter(member)) for member in members}
    if len(kinds) != 1 or not kinds <= {"S", "N", "B"}:
        raise DynamoError.validation(
            "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"
        )
    kind = kinds.pop()
    value = {kind + "S": [member[kind] for member in members]}
    validate_attribute_value(value)
    return value


def _describe(node: Any) -> str:
    if isinstance(node, ast.Call):
        return node.name
    return type(node).__name__.lower()


# -- Parameters ----------------------------------------------------------------------------
# DynamoDB reads a number parameter as Java's BigDecimal reads a string, so an exponent or a
# scale outside a 32-bit integer cannot be converted, and its magnitude check (precision minus
# scale) wraps at 32 bits: 1e2147483647 is an underflow. It reports the first problem in
# document order, a value nested too deep or a number it cannot read (paritysuite
# dynamodb-conformance, partiqlParameterNumbers, eu-west-2 and us-east-1). PutItem's values
# differ (numbers.py).
_NUMBER_PARTS = re.compile(r"[+-]?([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?\Z")
_INT32 = 1 << 31


def check_parameters(parameters: list[dict]) -> None:
    """Every parameter, as DynamoDB reads the request (ParameterError)."""
    for value in parameters:
        _read(value, 1)
        try:
            validate_attribute_value(value)
        except DynamoError as error:
            raise ParameterError(error.type_name, error.message) from None


def _read(value: Any, depth: int) -> None:
    if type(value) is not dict:
        return  # validate_attribute_value names what is wrong
    for type_name, inner in value.items():
        if type_name == "N" and type(inner) is str:
            _read_number(inner)
        elif type_name == "NS" and type(inner) is list:
            for member in inner:
                if type(member) is str:
                    _read_number(member)
        elif type_name in ("M", "L"):
            members = inner.values() if type(inner) is dict else inner if type(inner) is list else ()
            if depth >= MAX_NESTING:
                raise ParameterError.validation(NESTING)
            for member in members:
                _read(member, depth + 1)


def _read_number(text: str) -> None:
    match = _NUMBER_PARTS.match(text)
    if not text or match is None or not (match[1] or match[2]):
        raise ParameterError.validation(f"{NUMBER_UNCONVERTIBLE}: {text}" if text else NUMBER_UNCONVERTIBLE)
    exponent = int(match[3] or 0)
    scale = len(match[2] or "") - exponent
    if not -_INT32 <= exponent < _INT32 or not -_INT32 <= scale < _INT32:
        raise ParameterError.validation(f"{NUMBER_UNCONVERTIBLE}: {text}")
    digits = ((match[1] or "") + (match[2] or "")).lstrip("0")
    if digits:
        magnitude = len(digits) - scale  # precision minus scale, before the 32-bit wrap
        if magnitude >= _INT32:
            raise ParameterError.validation(NUMBER_UNDERFLOW)
        if magnitude < -_INT32:
            raise ParameterError.validation(NUMBER_OVERFLOW)
