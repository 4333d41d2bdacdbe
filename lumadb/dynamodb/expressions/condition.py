"""ConditionExpression and FilterExpression: compile once per request (from a plan cached by
text, names and value types), evaluate per item."""

from __future__ import annotations

from functools import lru_cache

from lumadb.dynamodb.expressions.context import ExpressionContext
from lumadb.dynamodb.expressions.evaluate import Predicate, build_predicate
from lumadb.dynamodb.expressions.parser import parse
from lumadb.dynamodb.expressions.resolve import (
    CONDITION_ORDER,
    Binder,
    Bound,
    analyze_condition,
    raise_analysis_error,
)

_NO_ITEM: dict = {}


class Condition:
    """A compiled condition; `evaluate(None)` tests against a missing item. `attributes` are
    the top-level attribute names it refers to (Query refuses filters on key attributes),
    `nested_roots` those it looks into (nobody may look into a key attribute)."""

    __slots__ = ("_test", "_values", "attributes", "nested_roots")

    def __init__(
        self, test: Predicate, values: tuple = (), attributes: frozenset[str] = frozenset(),
        nested_roots: frozenset[str] = frozenset(),
    ) -> None:
        self._test = test
        self._values = values
        self.attributes = attributes
        self.nested_roots = nested_roots

    def evaluate(self, item: dict | None) -> bool:
        return self._test(_NO_ITEM if item is None else item, self._values)


@lru_cache(maxsize=4096)
def _plan(text: str, kind: str, names_key: tuple, types_key: tuple) -> tuple[Predicate, Bound]:
    parsed = parse(text, kind)
    analysis = analyze_condition(parsed, kind)
    raise_analysis_error(analysis)
    binder = Binder(dict(names_key), dict(types_key), kind)
    test = build_predicate(parsed.tree.root, binder)
    return test, binder.bound(CONDITION_ORDER)


def compile_condition(text: str, ctx: ExpressionContext, kind: str = "ConditionExpression") -> Condition:
    """`kind` is the request parameter, used in messages ("Invalid FilterExpression: ...")."""
    test, bound = _plan(text, kind, ctx.names_key, ctx.types_key)
    return Condition(test, bound.bind(ctx), bound.attributes, bound.nested_roots)
