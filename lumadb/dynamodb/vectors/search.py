"""Exact nearest-neighbour search over a vector index's entries (DynamoDB's is approximate; on the
small data a local server holds, exact results are what an approximate search aims for).

Scores as DynamoDB gives them: computed in double precision from the 32-bit vectors, then
rounded to 32 bits (and held at its largest finite value). COSINE is 1 - the cosine similarity
(a zero vector scores 1), EUCLIDEAN the distance itself, DOT_PRODUCT the product; the best
first (lowest, highest for DOT_PRODUCT), ties in the order of the items' table keys."""

from __future__ import annotations

import heapq
import math
import struct
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


def scorer(distance: str, query: tuple[float, ...]) -> Callable[[tuple[float, ...], float], float]:
    """score(vector, its norm)"""
    if distance == "DOT_PRODUCT":
        return lambda vector, _norm: f32(sum(map(mul, query, vector)))
    if distance == "EUCLIDEAN":
        return lambda vector, _norm: f32(math.dist(query, vector))
    query_norm = math.sqrt(sum(map(mul, query, query)))

    def cosine(vector: tuple[float, ...], norm: float) -> float:
        norms = query_norm * norm
        if norms == 0.0:
            return 1.0
        return f32(1.0 - sum(map(mul, query, vector)) / norms)

    return cosine


def nearest(
    rows: list[Any], distance: str, query: array, top_k: int, keep: Callable[[dict], bool] | None
) -> list[tuple[float, dict, tuple[float, ...]]]:
    """The `top_k` best of `rows` (vector bytes, norm, item JSON, table key...) that `keep`
    accepts: (score, projected item, vector). Without a filter only the winners' items are read."""
    score = scorer(distance, tuple(query))
    unpack = struct.Struct(f"{len(query)}f").unpack
    scored = []
    for row in rows:
        item = None
        if keep is not None:
            item = orjson.loads(row[2])
            if not keep(item):
                continue
        vector = unpack(row[0])
        scored.append((score(vector, row[1]), (row[3], row[4], row[5]), item, vector, row[2]))
    if distance == "DOT_PRODUCT":
        best = heapq.nsmallest(top_k, scored, key=lambda entry: (-entry[0], entry[1]))
    else:
        best = heapq.nsmallest(top_k, scored, key=lambda entry: (entry[0], entry[1]))
    return [(entry[0], entry[2] if entry[2] is not None else orjson.loads(entry[4]), entry[3]) for entry in best]
