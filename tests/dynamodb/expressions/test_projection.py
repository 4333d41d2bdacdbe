"""ProjectionExpression and AttributesToGet: nested shapes as DynamoDB returns them."""

from __future__ import annotations

from lumadb.dynamodb.expressions import compile_projection, projection_from_attributes_to_get
from tests.dynamodb.expressions.helpers import N, S, ctx, message_of

ITEM = {
    "pk": S("k"),
    "a": {"M": {"b": {"L": [S("zero"), S("one"), S("two")]}, "c": N(1), "d": {"M": {"e": N(2)}}}},
    "l": {"L": [N(0), {"M": {"x": N(1), "y": N(2)}}, N(2)]},
    "dotted.name": S("dot"),
}


def project(text: str, item: dict = ITEM, names: dict | None = None) -> dict:
    context = ctx(names)
    projection = compile_projection(text, context)
    context.check_all_used()
    return projection.apply(item)


def test_top_level_attributes() -> None:
    assert project("pk, absent") == {"pk": S("k")}
    assert project("#d", names={"#d": "dotted.name"}) == {"dotted.name": S("dot")}


def test_nested_paths_keep_their_shape() -> None:
    assert project("a.b[1]") == {"a": {"M": {"b": {"L": [S("one")]}}}}
    assert project("a.b[2], a.b[0], a.d.e") == {
        "a": {"M": {"b": {"L": [S("zero"), S("two")]}, "d": {"M": {"e": N(2)}}}}
    }
    assert project("l[1].y, l[2]") == {"l": {"L": [{"M": {"y": N(2)}}, N(2)]}}
    assert project("a.b[7], a.zz, l[1].q") == {}
    assert project("a.c, pk") == {"a": {"M": {"c": N(1)}}, "pk": S("k")}


def test_top_level_names_are_reported() -> None:
    projection = compile_projection("a.b[1], pk, #n", ctx({"#n": "x"}))
    assert projection.top_level_names == {"a", "pk", "x"}


def test_errors() -> None:
    prefix = "Invalid ProjectionExpression: "
    assert message_of(compile_projection, "a, a", ctx()) == (
        prefix + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
        "path one: [a], path two: [a]"
    )
    assert message_of(compile_projection, "a.b, a[0]", ctx()) == (
        prefix + "Two document paths conflict with each other; must remove or rewrite one of these paths; "
        "path one: [a, b], path two: [a, [0]]"
    )
    assert message_of(compile_projection, "#x", ctx()) == (
        prefix + "An expression attribute name used in the document path is not defined; attribute name: #x"
    )
    assert message_of(compile_projection, "a, data", ctx()) == (
        prefix + "Attribute name is a reserved keyword; reserved keyword: data"
    )
    assert message_of(compile_projection, "a = b", ctx()).startswith(prefix + 'Syntax error; token: "="')


def test_attributes_to_get() -> None:
    assert projection_from_attributes_to_get(["pk", "a", "zz"]).apply(ITEM) == {
        "pk": ITEM["pk"],
        "a": ITEM["a"],
    }
    assert message_of(projection_from_attributes_to_get, ["a", "a"]) == (
        "One or more parameter values were invalid: Duplicate value in attribute name: a"
    )
