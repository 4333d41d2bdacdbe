"""Parsing: DynamoDB's tokens, syntax error texts, limits, keywords and reserved words."""

from __future__ import annotations

import time

import pytest

from lumadb.dynamodb.expressions import (
    compile_condition,
    compile_key_condition,
    compile_projection,
    compile_update,
)
from lumadb.dynamodb.expressions.parser import parse
from tests.dynamodb.expressions.helpers import S, condition_error, ctx, message_of


def compile_any(text: str, kind: str) -> None:
    context = ctx({"#type": "t"}, {":v": S("x"), ":w": S("y"), ":type": S("t"), ":other": S("o")})
    if kind == "UpdateExpression":
        compile_update(text, context)
    elif kind == "ProjectionExpression":
        compile_projection(text, context)
    elif kind == "KeyConditionExpression":
        compile_key_condition(text, context, "t", None)
    else:
        compile_condition(text, context, kind)


@pytest.mark.parametrize(
    ("kind", "text", "token", "near"),
    [
        ("UpdateExpression", "SET a = ", "<EOF>", "= "),
        ("UpdateExpression", "SET a =", "<EOF>", "="),
        ("UpdateExpression", "SET MyStr = myNum + 1", "1", "+ 1"),
        ("UpdateExpression", "INVALID SYNTAX HERE", "INVALID", "INVALID SYNTAX"),
        ("UpdateExpression", "SET _123 = :val1", "_", "SET _123"),
        ("UpdateExpression", "SET c = if_not_exists(c, :val1+:val2)", "+", ":val1+:val2"),
        ("UpdateExpression", "SET a = :v1 + :v2 + :v3", "+", ":v2 + :v3"),
        ("UpdateExpression", "SET a[:xyz] = :val1", ":xyz", "[:xyz]"),
        ("UpdateExpression", "SET :a = :b", ":a", "SET :a ="),
        ("UpdateExpression", "SET # = :v", "#", "SET # ="),
        ("ConditionExpression", "foo", "<EOF>", "foo"),
        ("ConditionExpression", "a = 5", "5", "= 5"),
        ("ConditionExpression", "a == :v", "=", "== :v"),
        ("ConditionExpression", "a AND b = :v", "AND", "a AND b"),
        ("ConditionExpression", "(a = :v) = :w", "=", ") = :w"),
        ("FilterExpression", "a = :v AND", "<EOF>", "AND"),
        ("KeyConditionExpression", "#type = :type :other", ":other", ":type :other"),
        ("ProjectionExpression", "a b", "b", "a b"),
        ("ProjectionExpression", "a,", "<EOF>", ","),
        ("ProjectionExpression", "(a1)", "(", "(a1"),
    ],
)
def test_syntax_errors_name_the_token_and_its_neighbours(kind: str, text: str, token: str, near: str) -> None:
    message = message_of(compile_any, text, kind)
    assert message == f'Invalid {kind}: Syntax error; token: "{token}", near: "{near}"'


@pytest.mark.parametrize(
    "kind", ["ConditionExpression", "UpdateExpression", "ProjectionExpression", "FilterExpression"]
)
def test_empty_expressions_are_refused(kind: str) -> None:
    assert message_of(parse, "", kind) == f"Invalid {kind}: The expression can not be empty;"
    assert message_of(parse, "   ", kind) == f"Invalid {kind}: The expression can not be empty;"


def test_expressions_are_limited_to_4096_bytes() -> None:
    at_limit = "SET " + "a" * 4087 + " = :v"
    assert len(at_limit) == 4096
    parse(at_limit, "UpdateExpression")
    over = "SET " + "a" * 4088 + " = :v"
    assert message_of(parse, over, "UpdateExpression") == (
        "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;"
    )
    # bytes, not characters (a condition reports its size)
    accented = "#a = :v AND b = :w" + " " * 2036 + "é" * 1030
    assert "expression size: 4114" in message_of(parse, accented, "ConditionExpression")


def test_more_than_300_operators_are_refused() -> None:
    text = " AND ".join(["a < b"] * 151)  # 151 comparisons + 150 ANDs
    assert message_of(parse, text, "ConditionExpression") == (
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    )
    parse(" AND ".join(["a < b"] * 149 + ["NOT attribute_exists(c)"]), "ConditionExpression")  # 300


def test_pathological_inputs_are_refused_quickly() -> None:
    started = time.perf_counter()
    deep = "(" * 2040 + "a = :v" + ")" * 2040
    assert message_of(parse, deep, "ConditionExpression") == (
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    )
    assert "exceeded the maximum allowed size" in message_of(parse, "(" * 10_000 + "a", "ConditionExpression")
    assert "exceeded the maximum allowed size" in message_of(
        parse, "a = :v OR " * 10_000, "ConditionExpression"
    )
    unbalanced = "(" * 4000 + "a"
    assert "Syntax error" in message_of(parse, unbalanced, "ConditionExpression")
    nested_size = "size(" * 600 + "a" + ")" * 600 + " = :v"
    assert "too many operators" in message_of(parse, nested_size, "ConditionExpression")
    assert time.perf_counter() - started < 2


def test_keywords_are_case_insensitive_and_do_not_swallow_names() -> None:
    values = {":v": S("x"), ":w": S("y")}
    for text in ("a = :v and b = :w", "a = :v AnD b = :w", "not a = :v or b = :w"):
        parse(text, "ConditionExpression")
    for name in (
        "settings",
        "android",
        "order_in",
        "notes",
        "oregon",
        "between_x",
        "remover",
        "address",
        "deleted",
    ):
        parse(f"{name} = :v", "ConditionExpression")
        compile_update(f"SET {name} = :v, extra = :w", ctx(None, values))
    compile_update("set a = :v remove b add c :w", ctx(None, {":v": S("x"), ":w": {"SS": ["y"]}}))


def test_reserved_words_must_be_escaped() -> None:
    assert condition_error("status = :v", values={":v": S("x")}) == (
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"
    )
    assert condition_error("a.Size = :v", values={":v": S("x")}) == (
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Size"
    )
    assert message_of(compile_projection, "a, name", ctx()) == (
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"
    )
    assert message_of(compile_update, "SET count = :v", ctx(None, {":v": S("x")})) == (
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: count"
    )


def test_the_reserved_word_list_is_dynamodbs_573_words() -> None:
    from lumadb.dynamodb.expressions.resolve import RESERVED_WORDS

    assert len(RESERVED_WORDS) == 573
    assert {"STATUS", "NAME", "DATA", "TIMESTAMP", "SIZE", "ZONE", "ABORT"} <= RESERVED_WORDS


def test_parses_are_cached_by_text() -> None:
    first = parse("a = :v AND b < :w", "ConditionExpression")
    assert parse("a = :v AND b < :w", "ConditionExpression") is first
