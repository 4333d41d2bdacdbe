"""ProjectionExpression (and AttributesToGet): the attributes, nested fields and list elements
a read returns, in the nested shape DynamoDB returns them (`a.b[1]` -> {"a": {"M": {"b": {"L": [...]}}}})."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions.context import ExpressionContext
from lumadb.dynamodb.expressions.evaluate import walk
from lumadb.dynamodb.expressions.parser import parse
from lumadb.dynamodb.expressions.resolve import (
    MAX_PATH_DEPTH,
    RESERVED_WORDS,
    Binder,
    Bound,
    ResolvedPath,
    check_overlaps,
)

PROJECTION_ORDER = ("names", "overlap", "conflict")


class Projection:
    __slots__ = ("_getters", "_names", "_nested", "nested_roots", "paths", "top_level_names")

    def __init__(self, paths: list[ResolvedPath]) -> None:
        self.paths = paths
        self.top_level_names: set[str] = {p[0] for p in paths}
        self.nested_roots = frozenset(p[0] for p in paths if len(p) > 1)  # the attributes it looks into
        self._names = tuple(dict.fromkeys(p[0] for p in paths))  # in the expression's order, every time
        self._nested = any(len(p) > 1 for p in paths)
        self._getters = [(p, p[0], p[1:]) for p in paths]

    def apply(self, item: dict) -> dict:
        if not self._nested:
            return {name: item[name] for name in self._names if name in item}
        result: dict = {}
        has_lists = False
        for path, first, rest in self._getters:
            value = walk(item.get(first), rest)
            if value is None:
                continue
            if len(path) == 1:
                result[path[0]] = value
                continue
            container: Any = result
            for i in range(len(path) - 1):
                step, following = path[i], path[i + 1]
                want = "L" if type(following) is int else "M"
                child = container.get(step)
                if child is None:
                    # list elements are gathered by index and put in order at the end
                    child = container[step] = {want: {}}
                has_lists = has_lists or want == "L"
                container = child[want]
            container[path[-1]] = value
        if has_lists:
            result = {name: _finish(value) for name, value in result.items()}
        return result


def _finish(value: dict) -> dict:
    if "L" in value and isinstance(value["L"], dict):
        return {"L": [_finish(value["L"][i]) for i in sorted(value["L"])]}
    if "M" in value and isinstance(value["M"], dict):
        return {"M": {k: _finish(v) for k, v in value["M"].items()}}
    return value


@lru_cache(maxsize=4096)
def _plan(text: str, names_key: tuple) -> tuple[Projection, Bound]:
    kind = "ProjectionExpression"
    parsed = parse(text, kind)
    for path in parsed.tree.paths:
        if len(path.steps) > MAX_PATH_DEPTH:
            raise DynamoError.validation(
                f"Invalid {kind}: The document path has too many nesting levels; nesting levels: {len(path.steps)}"
            )
    for path in parsed.tree.paths:
        for step_kind, step in path.steps:
            if step_kind == "name" and step.upper() in RESERVED_WORDS:
                raise DynamoError.validation(
                    f"Invalid {kind}: Attribute name is a reserved keyword; reserved keyword: {step}"
                )
    b = Binder(dict(names_key), {}, kind)
    paths = [b.path(path) for path in parsed.tree.paths]
    check_overlaps(paths, b)
    return Projection(paths), b.bound(PROJECTION_ORDER)


def compile_projection(text: str, ctx: ExpressionContext) -> Projection:
    """Projections carry no values, so the compiled object is shared between requests."""
    projection, bound = _plan(text, ctx.names_key)
    bound.bind(ctx)
    return projection


def projection_from_attributes_to_get(names: list[str]) -> Projection:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DynamoError.validation(
                f"One or more parameter values were invalid: Duplicate value in attribute name: {name}"
            )
        seen.add(name)
    return Projection([(name,) for name in names])
