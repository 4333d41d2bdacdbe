"""Condition and filter expressions evaluated on plain item dicts, and their errors."""

from __future__ import annotations

import base64

import pytest

from lumadb.dynamodb.expressions import ExpressionContext, compile_condition
from tests.dynamodb.expressions.helpers import N, S, check, condition_error, ctx, message_of

ITEM = {
    "pk": S("p1"),
    "n": N(5),
    "s": S("hello"),
    "b": {"B": base64.b64encode(b"\x01\x02\x03").decode()},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "l": {"L": [S("x"), N(2), {"M": {"k": S("v")}}]},
    "m": {"M": {"a": {"M": {"b": N(7)}}, "lst": {"L": [N(1), N(2)]}}},
}
ALL_VALUES = [N(1), S("hello"), {"BOOL": True}, {"B": "eHl6"}, {"NULL": True}, {"L": [S("hello"), N(42)]},
              {"M": {"hello": S("world")}}, {"SS": ["hello", "world"]}, {"NS": ["1", "2", "3"]}, {"BS": ["eHl6", "aGk="]}]  # fmt: skip


@pytest.mark.parametrize("value", ALL_VALUES)
def test_equality_holds_for_every_type_and_is_false_across_types(value: dict) -> None:
    item = {"a": value}
    assert check("a = :v", item, values={":v": value})
    for other in ALL_VALUES:
        if other is not value:
            assert not check("a = :v", item, values={":v": other})
            assert check("a <> :v", item, values={":v": other})


def test_sets_compare_in_any_order_and_numbers_by_value() -> None:
    assert check("ss = :v", ITEM, values={":v": {"SS": ["b", "a"]}})
    assert check("ns = :v", ITEM, values={":v": {"NS": ["2.50", "1"]}})
    assert check("n = :v", ITEM, values={":v": N("5.0")})
    assert check("n = :v", {"n": N("5")}, values={":v": N("5e0")})


def test_missing_attributes_are_never_equal_but_always_unequal() -> None:
    assert not check("q = :v", ITEM, values={":v": N(1)})
    assert not check("q = r", ITEM)
    assert check("q <> r", ITEM)
    assert check("q <> :v", ITEM, values={":v": N(1)})
    for op in ("<", "<=", ">", ">="):
        assert not check(f"q {op} r", ITEM)
        assert not check(f"q {op} :v", ITEM, values={":v": N(1)})
    assert not check("q BETWEEN r AND x", ITEM)


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("n < :v", {":v": N(6)}, True),
        ("n < :v", {":v": N(5)}, False),
        ("n <= :v", {":v": N(5)}, True),
        ("n > :v", {":v": N("4.99")}, True),
        ("n >= :v", {":v": N("5.01")}, False),
        ("s < :v", {":v": S("help")}, True),
        ("s > :v", {":v": S("hell")}, True),
        ("b < :v", {":v": {"B": base64.b64encode(b"\x01\x03").decode()}}, True),
        ("n < :v", {":v": S("17")}, False),
        ("l < :v", {":v": N(1)}, False),
        (":v < n", {":v": N(1)}, True),
        ("n BETWEEN :a AND :b", {":a": N(5), ":b": N(5)}, True),
        ("n BETWEEN :a AND :b", {":a": N(6), ":b": N(9)}, False),
        ("s BETWEEN :a AND :b", {":a": S("a"), ":b": S("z")}, True),
        ("n IN (:a, :b)", {":a": N(4), ":b": N("5.0")}, True),
        ("s IN (:a, :b)", {":a": S("x"), ":b": S("y")}, False),
        ("s IN (:a, s)", {":a": S("x")}, True),
        ("m.a.b = :v", {":v": N(7)}, True),
        ("m.lst[1] = :v", {":v": N(2)}, True),
        ("m.lst[2] = :v", {":v": N(2)}, False),
        ("l[2].k = :v", {":v": S("v")}, True),
        ("s.x = :v", {":v": S("v")}, False),
    ],
)
def test_comparisons(text: str, values: dict, expected: bool) -> None:
    assert check(text, ITEM, values=values) is expected


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("attribute_exists(pk)", None, True),
        ("attribute_exists(m.a.b)", None, True),
        ("attribute_exists(m.a.c)", None, False),
        ("attribute_not_exists(q)", None, True),
        ("attribute_not_exists(l[5])", None, True),
        ("attribute_type(n, :t)", {":t": S("N")}, True),
        ("attribute_type(ss, :t)", {":t": S("SS")}, True),
        ("attribute_type(ss, :t)", {":t": S("S")}, False),
        ("attribute_type(q, :t)", {":t": S("S")}, False),
        ("attribute_type(:v, :t)", {":v": N(0), ":t": S("N")}, True),
        ("attribute_type(:v, :t)", {":v": N(0), ":t": S("S")}, False),
        ("begins_with(s, :p)", {":p": S("he")}, True),
        ("begins_with(s, :p)", {":p": S("lo")}, False),
        ("begins_with(b, :p)", {":p": {"B": base64.b64encode(b"\x01").decode()}}, True),
        ("begins_with(n, :p)", {":p": S("5")}, False),
        ("contains(s, :p)", {":p": S("ell")}, True),
        ("contains(ss, :p)", {":p": S("b")}, True),
        ("contains(ss, :p)", {":p": S("c")}, False),
        ("contains(ns, :p)", {":p": N("2.50")}, True),
        ("contains(l, :p)", {":p": N(2)}, True),
        ("contains(l, :p)", {":p": {"M": {"k": S("v")}}}, True),
        ("contains(l, :p)", {":p": S("2")}, False),
        ("contains(q, :p)", {":p": S("x")}, False),
        ("size(s) = :v", {":v": N(5)}, True),
        ("size(b) = :v", {":v": N(3)}, True),
        ("size(ss) = :v", {":v": N(2)}, True),
        ("size(l) > :v", {":v": N(2)}, True),
        ("size(m) = :v", {":v": N(2)}, True),
        ("size(n) = :v", {":v": N(1)}, False),
        ("size(q) < :v", {":v": N(1)}, False),
        ("size(s) BETWEEN :a AND :b", {":a": N(1), ":b": N(9)}, True),
        ("size(s) = size(s)", None, True),
    ],
)
def test_functions(text: str, values: dict | None, expected: bool) -> None:
    assert check(text, ITEM, values=values) is expected


def test_size_counts_utf16_code_units_of_a_string() -> None:
    assert check("size(s) = :v", {"s": S("héllo")}, values={":v": N(5)})
    assert check("size(s) = :v", {"s": S("é𝄞")}, values={":v": N(3)})  # as DynamoDB answers


def test_boolean_logic_and_precedence() -> None:
    values = {":t": N(5), ":f": N(6)}
    assert check("n = :f OR n = :t AND s <> pk", ITEM, values=values)  # AND binds tighter than OR
    assert not check("(n = :f OR n = :t) AND NOT n = :t", ITEM, values=values)
    assert check("NOT NOT n = :t", ITEM, values={":t": N(5)})
    assert check("NOT (n = :f AND n = :t)", ITEM, values=values)
    assert not check("n = :f or n <> :t", ITEM, values=values)


def test_a_missing_item_has_no_attributes() -> None:
    assert check("attribute_not_exists(pk)", None)
    assert not check("attribute_exists(pk)", None)
    assert check("pk <> :v", None, values={":v": S("x")})


PREFIX = "Invalid ConditionExpression: "


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        ("size(a)", None, "The function is not allowed to be used this way in an expression; function: size"),
        (
            "attribute_exists(a) = :v",
            {":v": N(1)},
            "The function is not allowed to be used this way in an expression; function: attribute_exists",
        ),
        (
            "begins_with(contains(a, :v), :v)",
            {":v": S("x")},
            "The function is not allowed to be used this way in an expression; function: contains",
        ),
        ("SIZE(a) = :v", {":v": N(1)}, "Invalid function name; function: SIZE"),
        ("foo(a)", None, "Invalid function name; function: foo"),
        (
            "if_not_exists(a, :v)",
            {":v": N(1)},
            "The function is not allowed in a condition expression; function: if_not_exists",
        ),
        (
            "attribute_exists(a, b)",
            None,
            "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2",
        ),
        (
            "attribute_exists(:v)",
            {":v": N(1)},
            "Operator or function requires a document path; operator or function: attribute_exists",
        ),
        (
            "begins_with(a, :v)",
            {":v": N(1)},
            "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
        ),
        (
            "size(:v) = :w",
            {":v": N(1), ":w": N(1)},
            "Incorrect operand type for operator or function; operator or function: size, operand type: N",
        ),
        (
            "attribute_type(a, :v)",
            {":v": N(1)},
            "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N",
        ),
        (
            "attribute_type(a, :v)",
            {":v": S("STRING")},
            "Invalid attribute type name found; type: STRING, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
        ),
        (
            "attribute_type(a, a)",
            None,
            "The first operand must be distinct from the remaining operands for this operator or function; operator: attribute_type, first operand: [a]",
        ),
        (
            "attribute_type(a, b)",
            None,
            "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}",
        ),
        (
            "a = a",
            None,
            "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]",
        ),
        (
            "contains(a.b[1], a.b[1])",
            None,
            "The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [a, b, [1]]",
        ),
        (
            "a < :v",
            {":v": {"L": []}},
            "Incorrect operand type for operator or function; operator or function: <, operand type: L",
        ),
        (
            ":v >= a",
            {":v": {"SS": ["x"]}},
            "Incorrect operand type for operator or function; operator or function: >=, operand type: SS",
        ),
        (
            "a BETWEEN :lo AND :hi",
            {":lo": N(5), ":hi": N(1)},
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}",
        ),
        (
            "a BETWEEN :lo AND :hi",
            {":lo": N(5), ":hi": S("x")},
            "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {S:x}",
        ),
        ("((a = :v))", {":v": N(1)}, "The expression has redundant parentheses;"),
        ("(a = :v) AND ((b = :v OR c = :v))", {":v": N(1)}, "The expression has redundant parentheses;"),
        (
            "a = :missing",
            {":v": N(1)},
            "An expression attribute value used in expression is not defined; attribute value: :missing",
        ),
        (
            "#missing = :v",
            {":v": N(1)},
            "An expression attribute name used in the document path is not defined; attribute name: #missing",
        ),
    ],
)
def test_errors(text: str, values: dict | None, message: str) -> None:
    assert condition_error(text, values=values) == PREFIX + message


def test_in_accepts_up_to_100_operands() -> None:
    values = {f":v{i}": N(i) for i in range(101)}
    hundred = "a IN (" + ", ".join(f":v{i}" for i in range(100)) + ")"
    assert check(hundred, {"a": N(99)}, values={k: v for k, v in values.items() if k != ":v100"})
    too_many = "a IN (" + ", ".join(f":v{i}" for i in range(101)) + ")"
    assert condition_error(too_many, values=values) == (
        PREFIX + "The IN operator is provided with too many operands; number of operands: 101"
    )


def test_filter_expressions_say_so_in_their_messages() -> None:
    assert condition_error("a = :x", kind="FilterExpression") == (
        "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :x"
    )


def test_error_precedence_follows_dynamodb() -> None:
    # a syntax error wins over everything
    assert "Syntax error" in condition_error("status = :x AND")
    # redundant parentheses, then function names, then misuse, then reserved words
    assert (
        condition_error("((status = :x)) AND foo(a)") == PREFIX + "The expression has redundant parentheses;"
    )
    assert condition_error("status = :x AND foo(a)") == PREFIX + "Invalid function name; function: foo"
    assert condition_error("status = :x AND size(a)") == (
        PREFIX + "The function is not allowed to be used this way in an expression; function: size"
    )
    # then the first problem in the order it is written: placeholders, operand counts and types
    message = condition_error("begins_with(a, :n) AND contains(a, b, c) AND #x = :y", values={":n": N(1)})
    assert message.startswith(PREFIX + "Incorrect operand type for operator or function")
    message = condition_error("#x = :y AND begins_with(a, :n) AND contains(a, b, c)", values={":n": N(1)})
    assert (
        message
        == PREFIX
        + "An expression attribute name used in the document path is not defined; attribute name: #x"
    )
    message = condition_error("contains(a, b, c) AND begins_with(a, :n)", values={":n": N(1)})
    assert message.startswith(PREFIX + "Incorrect number of operands")


def test_expression_context_validates_names_and_values() -> None:
    assert message_of(ExpressionContext, {}, None) == "ExpressionAttributeNames must not be empty"
    assert message_of(ExpressionContext, None, {}) == "ExpressionAttributeValues must not be empty"
    assert message_of(ExpressionContext, {"a": "x"}, None) == (
        'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'
    )
    assert message_of(ExpressionContext, {"#e": ""}, None) == (
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key #e"
    )
    assert message_of(ExpressionContext, None, {":a-b": S("x")}) == (
        'ExpressionAttributeValues contains invalid key: Syntax error; key: ":a-b"'
    )
    assert message_of(ExpressionContext, None, {":a": {"SS": []}}) == (
        "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: "
        "An string set  may not be empty for key :a"
    )


def test_unused_names_and_values_are_refused_after_all_expressions() -> None:
    context = ctx({"#a": "x", "#b": "y", "#c": "z"}, {":v": N(1), ":w": N(2)})
    compile_condition("#a = :v", context)
    assert message_of(context.check_all_used) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #c}"
    )
    context = ctx({"#a": "x"}, {":v": N(1), ":w": N(2)})
    compile_condition("#a = :v", context)
    assert message_of(context.check_all_used) == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"
    )


def test_names_may_hold_any_characters_and_dots_are_literal() -> None:
    item = {"a.b": N(1), "a": {"M": {"b": N(2)}}, "3 any #thing!": N(3)}
    assert check("#ab = :one", item, names={"#ab": "a.b"}, values={":one": N(1)})
    assert check("a.b = :two", item, values={":two": N(2)})
    assert check("#x = :three", item, names={"#x": "3 any #thing!"}, values={":three": N(3)})
    assert check("#a.#b = :two", item, names={"#a": "a", "#b": "b"}, values={":two": N(2)})
