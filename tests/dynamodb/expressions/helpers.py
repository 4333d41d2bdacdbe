"""Shared helpers for the expression unit tests."""

from __future__ import annotations

from typing import Any

import pytest

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions import ExpressionContext, compile_condition, compile_update


def S(text: str) -> dict:
    return {"S": text}


def N(text: str | int) -> dict:
    return {"N": str(text)}


def ctx(names: dict | None = None, values: dict | None = None) -> ExpressionContext:
    return ExpressionContext(names, values)


def message_of(fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(DynamoError) as info:
        fn(*args, **kwargs)
    assert info.value.short_type == "ValidationException"
    return info.value.message


def condition_error(
    text: str, names: dict | None = None, values: dict | None = None, kind: str = "ConditionExpression"
) -> str:
    return message_of(compile_condition, text, ctx(names, values), kind)


def check(text: str, item: dict | None, names: dict | None = None, values: dict | None = None) -> bool:
    context = ctx(names, values)
    result = compile_condition(text, context).evaluate(item)
    context.check_all_used()
    return result


def update(
    text: str, item: dict | None, names: dict | None = None, values: dict | None = None, keys: tuple = ("pk",)
) -> dict:
    context = ctx(names, values)
    compiled = compile_update(text, context)
    context.check_all_used()
    return compiled.apply(item, keys)[0]


def update_error(
    text: str,
    item: dict | None = None,
    names: dict | None = None,
    values: dict | None = None,
    keys: tuple = ("pk",),
) -> str:
    def run() -> None:
        compile_update(text, ctx(names, values)).apply(item, keys)

    return message_of(run)
