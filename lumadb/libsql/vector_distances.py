"""libSQL's `vector_distance_cos()` and `vector_distance_l2()`, to the bit: libSQL computes
in float32, one element after another (numpy's `add.accumulate` does the same here), checks
its arguments in its own order, and rounds every distance, float64 ones too, to float32."""

from __future__ import annotations

import math
from typing import Any

import apsw
import numpy as np

from lumadb.libsql.vectors import BIT, F8, F32, F64, Vector, blob_layout, error, floats, kind_error, parse


def _text_layout(text: str) -> tuple[int, int]:
    """What libSQL guesses of a text vector before reading it: float32, one element per comma
    plus one if any digit is there."""
    return F32, text.count(",") + (1 if any(c.isdigit() for c in text) else 0)


def distance(a: Any, b: Any, metric: str) -> float | None:
    """vector_distance_cos / vector_distance_l2, checked in libSQL's order."""
    layouts = []
    for value in (a, b):
        if isinstance(value, str):
            layouts.append(_text_layout(value))
        elif isinstance(value, bytes):
            layouts.append(blob_layout(value))
        else:
            raise kind_error(value)
    (type_a, dims_a), (type_b, dims_b) = layouts
    if type_a != type_b:
        raise error(f"vector_distance: vectors must have the same type: {type_a} != {type_b}")
    if dims_a != dims_b:
        raise error(f"vector_distance: vectors must have the same length: {dims_a} != {dims_b}")
    if metric == "l2" and type_a == BIT:
        raise error("vector_distance: l2 distance is not supported for float1bit vectors")
    return measure(parse(a, strict=False), parse(b, strict=False), metric)


def measure(a: Vector, b: Vector, metric: str) -> float | None:
    """The distance between two vectors of the same type and dims; None for NaN (SQL NULL)."""
    if a.type == BIT:
        left, right = np.frombuffer(a.values, dtype=np.uint8), np.frombuffer(b.values, dtype=np.uint8)
        return float(np.unpackbits(left ^ right).sum())
    if a.type == F8:
        result = _f8_cos(a, b) if metric == "cos" else _f8_l2(a, b)
    elif a.type == F64:
        x, y = a.values, b.values
        if metric == "cos":
            dot, n1, n2 = (_sum64(p) for p in (x * y, x * x, y * y))
            result = _cos_tail(dot, n1 * n2)
        else:
            result = math.sqrt(_sum64((x - y) * (x - y)))
    else:
        x, y = floats(a), floats(b)
        with np.errstate(all="ignore"):
            if metric == "cos":
                dot, n1, n2 = (_sum32(p) for p in (x * y, x * x, y * y))
                result = _cos_tail(float(dot), float(np.float32(n1 * n2)))
            else:
                d = x - y
                result = math.sqrt(float(_sum32(d * d)))
    with np.errstate(all="ignore"):
        rounded = float(np.float32(result))
    return None if rounded != rounded else rounded


def _sum32(values: Any) -> Any:
    """A float32 sum added one element at a time, as libSQL's loop does."""
    return np.add.accumulate(values, dtype=np.float32)[-1] if len(values) else np.float32(0)


def _sum64(values: Any) -> float:
    return float(np.add.accumulate(values)[-1]) if len(values) else 0.0


def _cos_tail(dot: float, norms: float) -> float:
    """1 - dot / sqrt(norms) in C's double arithmetic: 0/0 and the root of a negative (float8's
    norms can round below zero) are NaN, x/0 is infinite."""
    with np.errstate(all="ignore"):
        return float(np.float64(1.0) - np.float64(dot) / np.sqrt(np.float64(norms)))


def _f8_cos(a: Vector, b: Vector) -> float:
    (q1, a1, s1), (q2, a2, s2) = a.values, b.values
    F = np.float32
    i1, i2 = q1.astype(np.uint64), q2.astype(np.uint64)
    sum1, sum2 = F(int(i1.sum()) & 0xFFFFFFFF), F(int(i2.sum()) & 0xFFFFFFFF)
    sq1, sq2 = F(int((i1 * i1).sum()) & 0xFFFFFFFF), F(int((i2 * i2).sum()) & 0xFFFFFFFF)
    doti, n = F(int((i1 * i2).sum()) & 0xFFFFFFFF), F(a.dims)
    with np.errstate(all="ignore"):
        dot = ((F(a1 * a2) * doti + F(a1 * s2) * sum1) + F(a2 * s1) * sum2) + F(s1 * s2) * n
        norm1 = (F(a1 * a1) * sq1 + F(F(2 * a1) * s1) * sum1) + F(s1 * s1) * n
        norm2 = (F(a2 * a2) * sq2 + F(F(2 * a2) * s2) * sum2) + F(s2 * s2) * n
        return _cos_tail(float(dot), float(F(norm1 * norm2)))


def _f8_l2(a: Vector, b: Vector) -> float:
    (q1, a1, s1), (q2, a2, s2) = a.values, b.values
    with np.errstate(all="ignore"):
        d = (a1 * q1.astype(np.float32) + s1) - (a2 * q2.astype(np.float32) + s2)
        return math.sqrt(float(_sum32(d * d)))


# -- the SQL functions --------------------------------------------------------------------


def _cos(*arguments: Any) -> float | None:
    return distance(arguments[0], arguments[1], "cos")


def _l2(*arguments: Any) -> float | None:
    return distance(arguments[0], arguments[1], "l2")


def install(conn: apsw.Connection) -> None:
    conn.create_scalar_function("vector_distance_cos", _cos, 2, deterministic=True)
    conn.create_scalar_function("vector_distance_l2", _l2, 2, deterministic=True)
