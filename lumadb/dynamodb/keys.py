"""Order-preserving byte encoding of key attribute values, so SQLite's BINARY order on the
encoded keys is DynamoDB's order: S by UTF-8 bytes, B by unsigned bytes, N by numeric value
over DynamoDB's whole range (magnitude 1E-130 .. <1E126, 38 significant digits)."""

from __future__ import annotations

import base64
import zlib
from typing import TYPE_CHECKING

from lumadb.dynamodb.attributes import normalize_number
from lumadb.dynamodb.errors import DynamoError, KeyMismatch

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo

# Numbers: a sign byte, then for non-zero values an exponent byte and the significant digits.
# Positive values sort by exponent, then digits; a shorter digit string is a prefix of (and so
# smaller than) any longer one, because canonical digits never end in 0. Negative values
# complement both and end in 0xFF, so that a prefix sorts after its extensions.
_NEGATIVE = b"\x01"
_ZERO = b"\x02"
_POSITIVE = b"\x03"
_EXPONENT_BIAS = 130  # exponents span -130..125, biased into one byte 0..255
_COMPLEMENT = bytes.maketrans(b"0123456789", b"9876543210")
_NEGATIVE_END = b"\xff"


def encode_number(text: str) -> bytes:
    """The sort key of a canonical DynamoDB number (as `normalize_number` returns it)."""
    negative = text[0] == "-"
    if negative:
        text = text[1:]
    if text == "0":
        return _ZERO
    integer, _, fraction = text.partition(".")
    if integer != "0":
        exponent = len(integer) - 1
        digits = (integer + fraction).rstrip("0")
    else:
        significant = fraction.lstrip("0")
        exponent = len(significant) - len(fraction) - 1
        digits = significant
    biased = exponent + _EXPONENT_BIAS
    if negative:
        return _NEGATIVE + bytes((255 - biased,)) + digits.encode().translate(_COMPLEMENT) + _NEGATIVE_END
    return _POSITIVE + bytes((biased,)) + digits.encode()


def encode_string(text: str) -> bytes:
    return text.encode()


def encode_binary(b64: str) -> bytes:
    return base64.b64decode(b64)


ENCODERS = {"S": encode_string, "N": encode_number, "B": encode_binary}


def encode_key_value(type_name: str, value: str) -> bytes:
    return ENCODERS[type_name](value)


def hash_prefix(partition_key: bytes) -> int:
    """Where a partition lives in Scan order (and which parallel-scan segment holds it): a
    32-bit hash of the encoded partition key, as DynamoDB orders Scans by a key hash."""
    h = zlib.crc32(partition_key)
    # murmur3's finaliser: CRC32 alone maps similar keys to related values
    h = ((h ^ (h >> 16)) * 0x85EBCA6B) & 0xFFFFFFFF
    h = ((h ^ (h >> 13)) * 0xC2B2AE35) & 0xFFFFFFFF
    return h ^ (h >> 16)


HASH_SPACE = 1 << 32


def segment_bounds(segment: int, total_segments: int) -> tuple[int, int]:
    """The half-open range of hash prefixes parallel-scan segment `segment` covers."""
    start = -(-HASH_SPACE * segment // total_segments)
    end = -(-HASH_SPACE * (segment + 1) // total_segments)
    return start, end


# -- primary keys of a table ---------------------------------------------------------------

MAX_HASH_KEY_BYTES = 2048
MAX_RANGE_KEY_BYTES = 1024
_INVALID = "One or more parameter values were invalid: "
_SCHEMA_MISMATCH = "The provided key element does not match the schema"

# (hash_prefix, encoded partition key, encoded sort key): the items table's primary key
StorageKey = tuple[int, bytes, bytes]


def schema_mismatch() -> DynamoError:
    return KeyMismatch.validation(_SCHEMA_MISMATCH)


def _empty_key_error(type_name: str, name: str) -> DynamoError:
    kind = "string" if type_name == "S" else "binary"
    return DynamoError.validation(
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        f"cannot contain an empty {kind} value. Key: {name}"
    )


def _encode_part(type_name: str, value: str, name: str, is_hash: bool) -> bytes:
    if type_name == "N":
        return encode_number(normalize_number(value))
    if value == "":
        raise _empty_key_error(type_name, name)
    encoded = value.encode() if type_name == "S" else base64.b64decode(value)
    if is_hash:
        if len(encoded) > MAX_HASH_KEY_BYTES:
            raise DynamoError.validation(
                _INVALID + f"Size of hashkey has exceeded the maximum size limit of{MAX_HASH_KEY_BYTES} bytes"
            )
    elif len(encoded) > MAX_RANGE_KEY_BYTES:
        raise DynamoError.validation(
            _INVALID
            + f"Aggregated size of all range keys has exceeded the size limit of {MAX_RANGE_KEY_BYTES} bytes"
        )
    return encoded


def key_of_key(table: TableInfo, key: dict) -> StorageKey:
    """The storage key of a `Key` parameter (exactly the table's key attributes)."""
    if len(key) != len(table.key_names):
        raise schema_mismatch()
    hash_value = key.get(table.hash_name)
    value = hash_value.get(table.hash_type) if type(hash_value) is dict else None
    if type(value) is not str:
        raise schema_mismatch()
    pk = _encode_part(table.hash_type, value, table.hash_name, True)
    sk = b""
    if table.range_name is not None:
        range_value = key.get(table.range_name)
        value = range_value.get(table.range_type) if type(range_value) is dict else None
        if type(value) is not str:
            raise schema_mismatch()
        sk = _encode_part(table.range_type, value, table.range_name, False)  # type: ignore[arg-type]
    return hash_prefix(pk), pk, sk


def _item_part(item: dict, name: str, type_name: str, is_hash: bool) -> bytes:
    av = item.get(name)
    if av is None:
        raise KeyMismatch.validation(_INVALID + f"Missing the key {name} in the item")
    value = av.get(type_name)
    if value is None:
        actual = next(iter(av), "")
        raise KeyMismatch.validation(
            _INVALID + f"Type mismatch for key {name} expected: {type_name} actual: {actual}"
        )
    return _encode_part(type_name, value, name, is_hash)


def key_of_item(table: TableInfo, item: dict) -> StorageKey:
    """The storage key of a whole item (PutItem), with DynamoDB's messages for a bad key."""
    pk = _item_part(item, table.hash_name, table.hash_type, True)
    sk = b"" if table.range_name is None else _item_part(item, table.range_name, table.range_type, False)  # type: ignore[arg-type]
    return hash_prefix(pk), pk, sk


def key_attributes(table: TableInfo, item: dict) -> dict:
    """The key attributes of a stored item (LastEvaluatedKey, UnprocessedKeys, ...)."""
    if table.range_name is None:
        return {table.hash_name: item[table.hash_name]}
    return {table.hash_name: item[table.hash_name], table.range_name: item[table.range_name]}


def prefix_successor(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string starting with `prefix`
    (None when there is none: the prefix is empty or all 0xFF)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes((trimmed[-1] + 1,))


Bound = tuple[bytes, bool] | None  # (encoded sort key, inclusive); None = unbounded


def sort_key_bounds(op: str, first: bytes, second: bytes | None = None) -> tuple[Bound, Bound]:
    """The (lower, upper) range of encoded sort keys a key condition selects."""
    if op == "=":
        return (first, True), (first, True)
    if op == "<":
        return None, (first, False)
    if op == "<=":
        return None, (first, True)
    if op == ">":
        return (first, False), None
    if op == ">=":
        return (first, True), None
    if op == "BETWEEN":
        assert second is not None
        return (first, True), (second, True)
    successor = prefix_successor(first)  # begins_with
    return (first, True), ((successor, False) if successor is not None else None)


def partition_key(table: TableInfo, value: dict) -> tuple[int, bytes]:
    """(hash prefix, encoded partition key) of a partition-key attribute value (Query)."""
    text = value.get(table.hash_type)
    if type(text) is not str:
        raise schema_mismatch()
    pk = _encode_part(table.hash_type, text, table.hash_name, True)
    return hash_prefix(pk), pk
