"""Exact nearest-neighbour search over a vector index's entries (DynamoDB's is approximate; on the
small data a local server holds, exact results are what an approximate search aims for).

Scores as DynamoDB gives them: computed in double precision from the 32-bit vectors, then
rounded to 32 bits (and held at its largest finite value). COSINE is 1 - the cosine similarity
(a zero vector scores 1), EUCLIDEAN the distance itself, DOT_PRODUCT the product; the best
first (lowest, highest for DOT_PRODUCT), ties in the order of the items' table keys."""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Callable
from operator import mul
from typing import Any

import orjson

F32_MAX = 3.4028234663852886e38


def f32(value: float) -> float:
    rounded = array("f", (value,))[0] if math.isfinite(value) else value
    if math.isinf(rounded):
        return math.copysign(F32_MAX, rounded)
    return rounded


def f32_text(value: float) -> str:
    """The shortest decimal that names this 32-bit float ('0.1', and '1.0' for one)."""
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if array("f", (float(text),))[0] == value:
            break
    if "." not in text and "e" not in text and "inf" not in text and "nan" not in text:
        text += ".0"
    return text


def _norm(vector: Any) -> float:
    return math.sqrt(sum(map(mul, vector, vector)))


def scorer(distance: str, query: array) -> Callable[[array], float]:
    if distance == "DOT_PRODUCT":
        return lambda vector: f32(sum(map(mul, query, vector)))
    if distance == "EUCLIDEAN":
        return lambda vector: f32(math.sqrt(sum((a - b) * (a - b) for a, b in zip(query, vector, strict=True))))
    query_norm = _norm(query)

    def cosine(vector: array) -> float:
        norms = query_norm * _norm(vector)
        if norms == 0.0:
            return 1.0
        return f32(1.0 - sum(map(mul, query, vector)) / norms)

    return cosine


def nearest(
    rows: list[Any], distance: str, query: array, top_k: int, keep: Callable[[dict], bool] | None
) -> list[tuple[float, dict, array]]:
    """The `top_k` best of `rows` (vector bytes, item JSON, table key...) that `keep` accepts:
    (score, projected item, vector)."""
    score = scorer(distance, query)
    scored = []
    for row in rows:
        item = orjson.loads(row[1])
        if keep is not None and not keep(item):
            continue
        vector = array("f")
        vector.frombytes(row[0])
        scored.append((score(vector), (row[2], row[3], row[4]), item, vector))
    if distance == "DOT_PRODUCT":
        best = heapq.nsmallest(top_k, scored, key=lambda entry: (-entry[0], entry[1]))
    else:
        best = heapq.nsmallest(top_k, scored, key=lambda entry: (entry[0], entry[1]))
    return [(entry[0], entry[2], entry[3]) for entry in best]
