"""libSQL's vector values: `vector()`/`vector32()`, `vector64()`, `vector16()`, `vectorb16()`,
`vector8()`, `vector1bit()` and `vector_extract()`, answering as sqld 0.24 does: the same
blobs, texts and error messages (their distances: `vector_distances`).

A vector is (type, dims, values): values are float32 or float64 numbers, or for the two
compressed types their stored form (F8: codes, alpha, shift; BIT: the data bytes).
"""

from __future__ import annotations

import math
import re
import struct
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

import apsw
import numpy as np

F32, F64, BIT, F8, F16, BF16 = 1, 2, 3, 4, 5, 6  # libSQL's type ids (a blob's last byte)
MAX_DIMS = 65536
_SPACE = " \t\n\v\f\r"
_NUMBER_TEXT = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"  # what sqlite3AtoF reads whole
_NUMBER = re.compile(_NUMBER_TEXT + r"\Z")
_NUMBERS = re.compile(rf"{_NUMBER_TEXT}(?:,{_NUMBER_TEXT})*\Z")
_DROP_SPACE = str.maketrans("", "", _SPACE)
_NAMES = {F32: "float32", F64: "float64", F16: "float16", BF16: "floatb16"}


class Vector(NamedTuple):
    type: int
    dims: int
    values: Any  # np.ndarray of float32/float64; for F8 (codes, alpha, shift); for BIT the data bytes


def error(message: str) -> apsw.SQLError:
    return apsw.SQLError(message)


# -- reading ------------------------------------------------------------------------------


def kind_error(value: Any) -> apsw.SQLError:
    kind = "NULL" if value is None else "INTEGER" if isinstance(value, int) else "FLOAT"
    return error(f"vector: unexpected value type: got {kind}, expected TEXT or BLOB")


def parse(value: Any, text_type: int = F32, strict: bool = True) -> Vector:
    """A function argument as a vector: text is read as `text_type` numbers, a blob by its
    layout. `strict`: a blob whose data part is not the size its dims say is an error (the
    constructors); otherwise its first dims elements are read (sqld reads memory it does not
    own there)."""
    if isinstance(value, str):
        return parse_text(value, text_type)
    if isinstance(value, bytes):
        return _parse_blob(value, strict)
    raise kind_error(value)


def parse_text(text: str, text_type: int = F32) -> Vector:
    text = text.split("\0", 1)[0]
    numbers = _well_formed(text)
    if numbers is None:
        numbers = _read(text)
    values = np.array(numbers, dtype=np.float64)
    if text_type == F64:
        return Vector(F64, len(numbers), values)
    with np.errstate(all="ignore"):  # (a number past float32's range is an infinity, as in C)
        return Vector(F32, len(numbers), values.astype(np.float32))


def _well_formed(text: str) -> list[float] | None:
    """The numbers of a text vector libSQL reads without an error, the usual case, at C's
    speed (a 1,536-number text: 4.1 -> 0.7 ms); None for any other text, which `_read` reads."""
    stripped = text.strip(_SPACE)
    if stripped[:1] != "[" or stripped[-1:] != "]":
        return None
    inner = stripped[1:-1].translate(_DROP_SPACE)  # libSQL drops every space inside the brackets
    if not inner:
        return []
    words = inner.split(",") if _NUMBERS.match(inner) else ()
    if not words or len(words) > MAX_DIMS or max(map(len, words)) > 1025:
        return None
    return list(map(float, words))


def _read(text: str) -> list[float]:
    """libSQL's reading of a text vector, character by character, with its errors."""
    start = len(text) - len(text.lstrip(_SPACE))
    if text[start : start + 1] != "[":
        raise error("vector: must start with '['")
    numbers: list[float] = []
    token: list[str] = []
    closed = None
    for position in range(start + 1, len(text)):
        char = text[position]
        if char in _SPACE:
            continue
        if char not in ",]":
            token.append(char)
            if len(token) > 1025:
                raise error(f"vector: float string length exceeded 1024 characters: '{''.join(token[:1025])}'")
            continue
        word = "".join(token)
        if char == "]" and not numbers and not word:
            closed = position
            break
        if not _NUMBER.match(word):
            raise error(f"vector: invalid float at position {len(numbers)}: '{word}'")
        numbers.append(float(word))
        if len(numbers) > MAX_DIMS:
            raise error(f"vector: max size exceeded {MAX_DIMS}")
        token = []
        if char == "]":
            closed = position
            break
    if closed is None:
        raise error("vector: must end with ']'")
    if text[closed + 1 :].strip(_SPACE):
        raise error("vector: non-space symbols after closing ']' are forbidden")
    return numbers


def blob_layout(blob: bytes) -> tuple[int, int]:
    """(type, dims) from a blob's length and last bytes, with libSQL's errors."""
    size = len(blob)
    if size % 2 == 0:
        kind, dims = F32, size // 4
    else:
        kind, data = blob[-1], size - 1
        if kind == F32:
            if data % 4:
                raise error(f"vector: float32 vector blob length must be divisible by 4 (excluding optional 'type'-byte): length={data}")
            dims = data // 4
        elif kind == F64:
            if data % 8:
                raise error(f"vector: float64 vector blob length must be divisible by 8 (excluding 'type'-byte): length={data}")
            dims = data // 8
        elif kind in (F16, BF16):
            if data % 2:
                raise error(f"vector: {_NAMES[kind]} vector blob length must be divisible by 2 (excluding 'type'-byte): length={data}")
            dims = data // 2
        elif kind == BIT:
            if data == 0 or data % 2:
                raise error("vector: float1bit vector blob length must be divisible by 2 and not be empty "
                            f"(excluding 'type'-byte): length={data}")  # fmt: skip
            dims = 8 * data - blob[-2]
            if dims < 0:
                raise apsw.NoMemError("out of memory")
        elif kind == F8:
            if data < 2 or data % 2:
                raise error("vector: float8 vector blob length must be divisible by 2 and has at least 2 bytes "
                            f"(excluding 'type'-byte): length={data}")  # fmt: skip
            dims = data - 2 - 8 - blob[-2]
            if dims < 0:
                raise apsw.NoMemError("out of memory")
        else:
            raise error(f"vector: unexpected binary type: {kind}")
    if dims > MAX_DIMS:
        raise error(f"vector: max size exceeded: {dims} > {MAX_DIMS}")
    return kind, dims


def data_size(kind: int, dims: int) -> int:
    if kind == F32:
        return dims * 4
    if kind == F64:
        return dims * 8
    if kind in (F16, BF16):
        return dims * 2
    if kind == BIT:
        return (dims + 7) // 8
    return dims + (-dims) % 4 + 8  # F8: codes padded to 4, alpha, shift


def _parse_blob(blob: bytes, strict: bool) -> Vector:
    kind, dims = blob_layout(blob)
    if strict and kind in (F32, F64, F16, BF16):  # (the compressed layouts give dims from their size)
        stored = len(blob) - len(blob) % 2
        expected = data_size(kind, dims)
        if stored != expected:
            raise error(f"vector: unexpected data part size: type={kind}, dims={dims}, {stored} != {expected}")
    if kind == F32:
        values: Any = np.frombuffer(blob, dtype="<f4", count=min(dims, len(blob) // 4)).astype(np.float32)
    elif kind == F64:
        values = np.frombuffer(blob, dtype="<f8", count=dims).astype(np.float64)
    elif kind == F16:
        values = np.frombuffer(blob, dtype="<f2", count=dims).astype(np.float16)
    elif kind == BF16:
        values = np.frombuffer(blob, dtype="<u2", count=dims).astype(np.uint16)
    elif kind == BIT:
        values = blob[: (dims + 7) // 8]
    else:
        codes = dims + (-dims) % 4
        alpha, shift = struct.unpack_from("<ff", blob, codes)
        values = (np.frombuffer(blob, dtype=np.uint8, count=dims), np.float32(alpha), np.float32(shift))
    return Vector(kind, dims, values)


def floats(vector: Vector) -> Any:
    """The elements as float32 (float64 for F64), as libSQL widens each type."""
    kind, _dims, values = vector
    if kind in (F32, F64):
        return values
    if kind == F16:
        return values.astype(np.float32)
    if kind == BF16:
        return (values.astype(np.uint32) << 16).view(np.float32)
    if kind == BIT:
        bits = np.unpackbits(np.frombuffer(values, dtype=np.uint8), bitorder="little")[: vector.dims]
        return np.where(bits == 1, np.float32(1), np.float32(-1)).astype(np.float32)
    codes, alpha, shift = values
    return (alpha * codes.astype(np.float32) + shift).astype(np.float32)


# -- writing ------------------------------------------------------------------------------


def convert(vector: Vector, kind: int) -> Vector:
    """The vector as another type, as libSQL's vectorConvert does (the same type: unchanged)."""
    if vector.type == kind:
        return vector
    with np.errstate(all="ignore"):  # (overflow to infinity, as C's conversions do)
        return _converted(vector, kind)


def _converted(vector: Vector, kind: int) -> Vector:
    values = floats(vector)
    if kind == F64:
        return Vector(F64, vector.dims, values.astype(np.float64))
    source = values
    values = values.astype(np.float32)
    if kind == F32:
        return Vector(F32, vector.dims, values)
    if kind == F16:
        return Vector(F16, vector.dims, values.astype(np.float16))
    if kind == BF16:
        return Vector(BF16, vector.dims, (values.view(np.uint32) >> 16).astype(np.uint16))
    if kind == BIT:
        return Vector(BIT, vector.dims, np.packbits(values > 0, bitorder="little").tobytes())
    return Vector(F8, vector.dims, _quantize(source))


def _quantize(values: Any) -> tuple[Any, Any, Any]:
    """float8: codes 0-255 between the smallest and largest element."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.uint8), np.float32(0), np.float32(0)
    low, high = np.float32(values.min()), np.float32(values.max())
    alpha = np.float32((high - low) / np.float32(255))
    with np.errstate(all="ignore"):
        if values.dtype == np.float64:  # libSQL divides in double, then rounds to float
            scaled = ((values - np.float64(low)) / np.float64(alpha)).astype(np.float32)
        else:
            scaled = (values - low) / alpha
        codes = np.where(np.isnan(scaled), 0, np.clip(np.floor(scaled.astype(np.float64) + 0.5), 0, 255))
    return codes.astype(np.uint8), alpha, low


def to_blob(vector: Vector) -> bytes:
    kind, dims, values = vector
    if kind == F32:
        return values.astype("<f4").tobytes()
    if kind == F64:
        return values.astype("<f8").tobytes() + b"\x02"
    if kind == F16:
        return values.astype("<f2").tobytes() + b"\x05"
    if kind == BF16:
        return values.astype("<u2").tobytes() + b"\x06"
    if kind == BIT:
        data = bytes(values)
        if len(data) % 2 == 0:
            data += b"\x00"
        return data + bytes([8 * (len(data) + 1) - dims]) + b"\x03"
    codes, alpha, shift = values
    pad = (-dims) % 4
    return codes.tobytes() + bytes(pad) + struct.pack("<ff", alpha, shift) + bytes([0, pad, F8])


def to_text(vector: Vector) -> str:
    return "[" + ",".join(_g(float(x)) for x in floats(vector)) + "]"


def _g(x: float) -> str:
    """SQLite 3.45's printf("%g"): six significant digits, ties rounded away from zero."""
    if x != x:
        return "NaN"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    exact = Decimal(abs(x))
    exponent = exact.adjusted()
    mantissa = exact.scaleb(-exponent).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)
    if mantissa >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    digits = str(mantissa).replace(".", "").rstrip("0") or "0"
    if exponent < -4 or exponent >= 6:
        head = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{head}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent >= 0:
        whole, fraction = digits[: exponent + 1].ljust(exponent + 1, "0"), digits[exponent + 1 :]
    else:
        whole, fraction = "0", "0" * (-exponent - 1) + digits
    return sign + whole + ("." + fraction if fraction else "")


# -- the SQL functions --------------------------------------------------------------------


def _constructor(kind: int) -> Any:
    def build(*arguments: Any) -> bytes:
        value = arguments[0]
        vector = parse(value, F64 if kind == F64 else F32)
        return to_blob(convert(vector, kind))

    return build


def _extract(*arguments: Any) -> str:
    return to_text(parse(arguments[0], strict=False))


def install(conn: apsw.Connection) -> None:
    for name, kind in (("vector", F32), ("vector32", F32), ("vector64", F64), ("vector16", F16),
                       ("vectorb16", BF16), ("vector8", F8), ("vector1bit", BIT)):  # fmt: skip
        conn.create_scalar_function(name, _constructor(kind), 1, deterministic=True)
    conn.create_scalar_function("vector_extract", _extract, 1, deterministic=True)
