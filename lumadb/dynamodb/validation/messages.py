"""DynamoDB's texts for request validation: SerializationException messages for a JSON value of
the wrong type (the coral deserializer's wording, as recorded by dynalite against DynamoDB), the
constraint phrases of ValidationException, and values rendered as Java's toString prints them."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson

JAVA_PACKAGE = "com.amazonaws.dynamodb.v20120810"
START_OF_STRUCTURE = "Start of structure or map found where not expected"
UNEXPECTED_FIELD = "Unexpected field type"
UNEXPECTED_VALUE = "Unexpected value type in payload"
UNEXPECTED_TOKEN = "Unexpected token received from parser"
NOT_BYTES = "only base-64-encoded strings are convertible to bytes"
BAD_BASE64 = "Invalid last non-pad Base64 character dectected"  # sic, AWS's spelling
# What the service says for a scalar where a list or map nested in a collection is expected.
CAST = (
    "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class "
    "java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and "
    "java.lang.Class are in module java.base of loader 'bootstrap')"
)
NOT_NULL = "Member must not be null"
NESTING = (
    "Nesting Levels have exceeded supported limits: "
    "Attributes in the item have nested levels beyond supported limit"
)

# botocore scalar type -> (short Java name used in "cannot be converted to X", full class name)
SCALAR_JAVA = {
    "string": ("String", "java.lang.String"),
    "boolean": ("Boolean", "java.lang.Boolean"),
    "integer": ("Integer", "java.lang.Integer"),
    "long": ("Long", "java.lang.Long"),
    "double": ("Double", "java.lang.Double"),
    "float": ("Float", "java.lang.Float"),
    "timestamp": ("Date", "java.util.Date"),
    "blob": ("ByteBuffer", "java.nio.ByteBuffer"),
}


def json_token(value: Any) -> str:
    """The parser's name for the JSON token a value came from."""
    if value is True:
        return "TRUE_VALUE"
    if value is False:
        return "FALSE_VALUE"
    if value.__class__ is int:
        return "NUMBER_VALUE"
    if value.__class__ is float:
        return "DECIMAL_VALUE"
    return "STRING_VALUE"


def scalar_type_error(kind: str, value: Any) -> str:
    """Message for `value` (not None, not of the expected type) where a `kind` scalar is expected."""
    short, full = SCALAR_JAVA[kind]
    if value.__class__ is dict:
        return START_OF_STRUCTURE
    if value.__class__ is list:
        return f"Unrecognized collection type class {full}"
    if kind == "blob":
        return NOT_BYTES
    if kind == "boolean" and value.__class__ is str:
        return UNEXPECTED_TOKEN
    return f"{json_token(value)} cannot be converted to {short}"


def container_type_error(java_type: str, value: Any, *, collection: bool, in_collection: bool) -> str:
    """Message for `value` where a list (`collection`), map or structure is expected;
    `in_collection` when that container is itself a list member or map value."""
    if value.__class__ is dict:  # only reached for lists
        return START_OF_STRUCTURE
    if value.__class__ is list:  # only reached for maps and structures
        return f"Unrecognized collection type {java_type}"
    if collection:
        return CAST if in_collection else UNEXPECTED_FIELD
    return UNEXPECTED_VALUE if in_collection else UNEXPECTED_FIELD


# -- constraint phrases ----------------------------------------------------------------------


def pattern_text(aws_pattern: str) -> str:
    return f"Member must satisfy regular expression pattern: {aws_pattern}"


def min_length_text(n: int) -> str:
    return f"Member must have length greater than or equal to {n}"


def max_length_text(n: int) -> str:
    return f"Member must have length less than or equal to {n}"


def min_value_text(n: Any) -> str:
    return f"Member must have value greater than or equal to {n}"


def max_value_text(n: Any) -> str:
    return f"Member must have value less than or equal to {n}"


def enum_text(values: list[str]) -> str:
    return f"Member must satisfy enum value set: [{', '.join(values)}]"


def constraint_message(value_text: str, path: str, constraint: str) -> str:
    return f"Value {value_text} at '{path}' failed to satisfy constraint: {constraint}"


# -- Java toString --------------------------------------------------------------------------

Render = Callable[[Any], str]


def render_scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value.__class__ is float:
        return java_double(value)
    return str(value)


def java_double(value: float) -> str:
    """Java's Double.toString: plain between 1e-3 and 1e7, else d.dddE<n>."""
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    power = len(text) - 1 + int(exponent)
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{power}"


def render_structure(shape: str) -> Render:
    """Java's default Object.toString, as DynamoDB prints its request objects; the hash is
    identity-based in Java, here a checksum of the value so the text is stable."""
    prefix = f"{JAVA_PACKAGE}.{shape}@"

    def render(value: Any) -> str:
        return prefix + format(zlib.crc32(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)), "08x")

    return render


def render_list(member: Callable[[], Render]) -> Render:
    def render(value: Any) -> str:
        inner = member()
        return "[" + ", ".join("null" if x is None else inner(x) for x in value) + "]"

    return render


def render_map(member: Callable[[], Render]) -> Render:
    def render(value: Any) -> str:
        inner = member()
        return "{" + ", ".join(f"{k}={'null' if x is None else inner(x)}" for k, x in value.items()) + "}"

    return render


JSON_ECHOED_MAPS = frozenset({"BatchGetRequestMap"})

# Lists whose length violations DynamoDB words in its current validator's form everywhere but
# one region (paritysuite: BatchGetItem's Keys, all regions but me-central-1 since 2026-09):
# shape -> the path in API names, from the entry's parts (innermost first)
CURRENT_LENGTH_PATHS: dict[str, Callable[[list[str]], str]] = {
    "KeyList": lambda parts: f"RequestItems.{parts[-2]}.member.Keys",  # requestItems.<table>.member.keys
}


def render_json(value: Any) -> str:
    return orjson.dumps(value).decode()


def render_blob(value: Any) -> str:
    size = len(value) * 3 // 4 - value[-2:].count("=")
    return f"java.nio.HeapByteBuffer[pos=0 lim={size} cap={size}]"
