"""ConditionExpression and FilterExpression: compile once per request, evaluate per item."""

from __future__ import annotations

from lumadb.dynamodb.expressions.context import ExpressionContext
from lumadb.dynamodb.expressions.evaluate import Predicate, build_predicate
from lumadb.dynamodb.expressions.parser import parse
from lumadb.dynamodb.expressions.resolve import (
    CONDITION_ORDER,
    Binder,
    analyze_condition,
    raise_analysis_error,
)

_NO_ITEM: dict = {}


class Condition:
    """A compiled condition; `evaluate(None)` tests against a missing item."""

    __slots__ = ("_test",)

    def __init__(self, test: Predicate) -> None:
        self._test = test

    def evaluate(self, item: dict | None) -> bool:
        return self._test(_NO_ITEM if item is None else item)


def compile_condition(text: str, ctx: ExpressionContext, kind: str = "ConditionExpression") -> Condition:
    """`kind` is the request parameter, used in messages ("Invalid FilterExpression: ...")."""
    parsed = parse(text, kind)
    analysis = analyze_condition(parsed, kind)
    raise_analysis_error(analysis)
    binder = Binder(ctx, kind)
    test = build_predicate(parsed.tree.root, binder)
    if analysis.operand_count_error is not None:
        binder.fail("operands", analysis.operand_count_error)
    binder.raise_first(CONDITION_ORDER)
    return Condition(test)
