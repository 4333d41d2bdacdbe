"""KeyConditionExpression and KeyConditions: what DynamoDB allows, and its messages."""

from __future__ import annotations

import pytest

from lumadb.dynamodb.expressions import compile_key_condition, key_condition_from_key_conditions
from tests.dynamodb.expressions.helpers import N, S, ctx, message_of

VALUES = {":p": S("p"), ":a": N(1), ":b": N(5)}


def key(text: str, values: dict | None = None, names: dict | None = None, range_key: str | None = "sk"):
    context = ctx(names, values if values is not None else {k: v for k, v in VALUES.items() if k in text})
    compiled = compile_key_condition(text, context, "pk", range_key)
    context.check_all_used()
    return compiled


def test_partition_key_only() -> None:
    kc = key("pk = :p")
    assert (kc.hash_name, kc.hash_value, kc.range_op, kc.range_values) == ("pk", S("p"), None, [])
    assert kc.range_matches(N(3))


@pytest.mark.parametrize(
    ("text", "op", "values"),
    [
        ("pk = :p AND sk = :a", "=", [N(1)]),
        ("pk = :p AND sk < :a", "<", [N(1)]),
        ("sk <= :a AND pk = :p", "<=", [N(1)]),
        ("pk = :p AND :a < sk", ">", [N(1)]),
        ("pk = :p AND :a >= sk", "<=", [N(1)]),
        ("pk = :p AND sk BETWEEN :a AND :b", "BETWEEN", [N(1), N(5)]),
        ("(pk = :p) AND (begins_with(sk, :p))", "begins_with", [S("p")]),
        ("#k = :p AND #s > :a", ">", [N(1)]),
    ],
)
def test_sort_key_conditions(text: str, op: str, values: list) -> None:
    names = {"#k": "pk", "#s": "sk"} if "#" in text else None
    kc = key(text, names=names)
    assert (
        kc.hash_value == S("p") and kc.range_name == "sk" and kc.range_op == op and kc.range_values == values
    )


def test_range_matching() -> None:
    assert key("pk = :p AND sk BETWEEN :a AND :b").range_matches(N(5))
    assert not key("pk = :p AND sk BETWEEN :a AND :b").range_matches(N(6))
    assert not key("pk = :p AND sk BETWEEN :a AND :b").range_matches(S("3"))
    assert key("pk = :p AND begins_with(sk, :p)").range_matches(S("pq"))
    assert not key("pk = :p AND sk > :a").range_matches(None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pk = :p OR sk = :a", "Invalid operator used in KeyConditionExpression: OR"),
        ("NOT pk = :p", "Invalid operator used in KeyConditionExpression: NOT"),
        ("pk = :p AND sk IN (:a, :b)", "Invalid operator used in KeyConditionExpression: IN"),
        ("pk = :p AND sk <> :a", "Invalid operator used in KeyConditionExpression: <>"),
        ("pk = :p AND attribute_exists(sk)", "Invalid operator used in KeyConditionExpression: attribute_exists"),
        ("pk = :p AND contains(sk, :a)", "Invalid operator used in KeyConditionExpression: contains"),
        ("pk = :p AND size(sk) = :a", "KeyConditionExpressions cannot contain nested operations"),
        ("pk = :p AND sk.x = :a", "KeyConditionExpressions cannot have conditions on nested attributes"),
        ("pk = :p AND sk = pk", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
        ("pk = :p AND :a = :b", "Invalid condition in KeyConditionExpression: No key attribute specified"),
        ("pk = :p AND :a BETWEEN sk AND :b", "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"),
        ("pk = :p AND begins_with(:p, sk)", "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"),
        ("pk = :p AND pk = :p", "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"),
        ("pk = :p AND sk > :a AND sk < :b", "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"),
        ("sk = :a", "Query condition missed key schema element: pk"),
        ("pk = :p AND extra = :a", "Query condition missed key schema element: sk"),
        ("pk < :p", "Query key condition not supported"),
        ("pk = :p AND sk BETWEEN :b AND :a", "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"),
        ("pk = :p AND begins_with(sk, :a)", "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
        ("pk = :missing", "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :missing"),
        ("pk = :p AND", 'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND"'),
    ],
)  # fmt: skip
def test_errors(text: str, message: str) -> None:
    values = {k: v for k, v in VALUES.items() if k in text} or None
    assert message_of(compile_key_condition, text, ctx(None, values), "pk", "sk") == message


def test_a_table_without_sort_key_takes_one_condition() -> None:
    assert key("pk = :p", range_key=None).range_op is None
    context = ctx(None, {":p": S("p"), ":a": N(1)})
    assert message_of(compile_key_condition, "pk = :p AND sk = :a", context, "pk", None) == (
        "Query key condition not supported"
    )


def test_key_conditions_legacy_parameter() -> None:
    kc = key_condition_from_key_conditions(
        {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]},
         "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1), N(2)]}},
        "pk", "sk",
    )  # fmt: skip
    assert (kc.hash_value, kc.range_op, kc.range_values) == (S("p"), "BETWEEN", [N(1), N(2)])
    assert message_of(
        key_condition_from_key_conditions,
        {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]},
         "sk": {"ComparisonOperator": "NE", "AttributeValueList": [N(1)]}},
        "pk", "sk",
    ) == "Attempted conditional constraint is not an indexable operation"  # fmt: skip
    assert (
        message_of(
            key_condition_from_key_conditions,
            {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": []}},
            "pk",
            None,
        )
        == "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"
    )


OPERAND = (
    "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
    "operator or function: begins_with, operand type: N"
)
UNDEFINED = (
    "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; "
    "attribute value: :missing"
)


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        ("pk = :missing AND begins_with(sk, :n)", {":n": N(1)}, UNDEFINED),
        ("begins_with(sk, :n) AND pk = :missing", {":n": N(1)}, OPERAND),
        ("pk = :p AND begins_with(sk, :n) AND sk = :missing", {":p": S("q"), ":n": N(1)}, OPERAND),
        ("pk = :p AND begins_with(sk, :n) AND sk > :s", {":p": S("q"), ":n": N(1), ":s": S("a")}, OPERAND),
    ],
)
def test_the_first_problem_in_the_text_is_reported(text: str, values: dict, message: str) -> None:
    # measured on DynamoDB: placeholders and operand types in written order, before the key checks
    assert message_of(compile_key_condition, text, ctx(None, values), "pk", "sk") == message


def test_checks_that_need_no_schema_run_first() -> None:
    from lumadb.dynamodb.expressions.key_condition import check_key_condition

    checked = check_key_condition("pk = :p AND sk > :s", ctx(None, {":p": S("q"), ":s": N(1)}))
    assert checked.conditions == {"pk": ("EQ", [S("q")]), "sk": ("GT", [N(1)])}
    assert checked.for_schema("pk", "sk").range_op == ">"
    assert message_of(checked.for_schema, "other", "sk") == "Query condition missed key schema element: other"
