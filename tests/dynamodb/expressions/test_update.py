"""UpdateExpression on plain item dicts: every clause, nested paths, lists, and the errors."""

from __future__ import annotations

import copy

import pytest

from lumadb.dynamodb.expressions import compile_update
from tests.dynamodb.expressions.helpers import N, S, ctx, message_of, update, update_error

PREFIX = "Invalid UpdateExpression: "
INVALID_PATH = "The document path provided in the update expression is invalid for update"
WRONG_TYPE = "An operand in the update expression has an incorrect data type"
MISSING = "The provided expression refers to an attribute that does not exist in the item"


def L(*values: dict) -> dict:
    return {"L": list(values)}


def test_set_assigns_copies_and_merges() -> None:
    item = {"pk": S("k"), "a": S("hi")}
    assert update("SET b = :v", item, values={":v": S("hello")}) == {
        "pk": S("k"),
        "a": S("hi"),
        "b": S("hello"),
    }
    assert update("SET b = a", item) == {"pk": S("k"), "a": S("hi"), "b": S("hi")}
    assert update("set a = :v, #b = :v", item, names={"#b": "b.c"}, values={":v": N(4)}) == {
        "pk": S("k"), "a": N(4), "b.c": N(4),
    }  # fmt: skip


def test_set_reads_the_original_item_not_this_updates_writes() -> None:
    item = {"pk": S("k"), "a": S("hello")}
    assert (
        message_of(compile_update("SET x = :v, y = x", ctx(None, {":v": N(4)})).apply, item, ("pk",))
        == MISSING
    )
    assert update("REMOVE a SET b = a", item) == {"pk": S("k"), "b": S("hello")}
    assert update("SET c = a REMOVE a", item) == {"pk": S("k"), "c": S("hello")}
    assert update("SET a = :v, b = a", item, values={":v": S("new")}) == {
        "pk": S("k"),
        "a": S("new"),
        "b": S("hello"),
    }


def test_arithmetic_uses_38_digit_decimals() -> None:
    item = {"pk": S("k"), "n": N(2)}
    assert update("SET n = n + :v", item, values={":v": N(3)})["n"] == N(5)
    assert update("SET n = :v - n", item, values={":v": N(7)})["n"] == N(5)
    assert update("SET m = :a + :b", item, values={":a": N(1), ":b": N("10000000000000000000000")})["m"] == N(
        "10000000000000000000001"
    )
    assert update("SET n = n + :v", item, values={":v": N("0.1")})["n"] == N("2.1")
    assert update("SET n = if_not_exists(q, :z) + :one", item, values={":z": N(10), ":one": N(1)})["n"] == N(
        11
    )
    overflow = "Number overflow. Attempting to store a number with magnitude larger than supported range"
    assert update_error("SET n = :a + :b", item, values={":a": N("9e125"), ":b": N("9e125")}) == overflow
    assert update_error("SET n = :a - :b", item, values={":a": N("1e50"), ":b": N(1)}) == overflow
    assert update_error("SET n = s + :one", {"s": S("x")}, values={":one": N(1)}) == WRONG_TYPE
    assert update_error("SET n = q + :one", {}, values={":one": N(1)}) == MISSING


def test_if_not_exists_and_list_append() -> None:
    item = {"pk": S("k"), "a": N(2), "l": L(S("hi"), N(2))}
    assert update("SET a = if_not_exists(a, :v)", item, values={":v": N(3)})["a"] == N(2)
    assert update("SET b = if_not_exists(c, :v)", item, values={":v": N(4)})["b"] == N(4)
    assert update("SET l = list_append(l, :v)", item, values={":v": L(N(4))})["l"] == L(S("hi"), N(2), N(4))
    assert update("SET l = list_append(:v, l)", item, values={":v": L(S("dog"))})["l"] == L(
        S("dog"), S("hi"), N(2)
    )
    assert update("SET n = list_append(if_not_exists(n, :e), :v)", item, values={":e": L(), ":v": L(N(1))})[
        "n"
    ] == L(N(1))
    assert update_error("SET x = list_append(q, :v)", item, values={":v": L()}) == MISSING
    assert update_error("SET x = list_append(a, :v)", item, values={":v": L()}) == WRONG_TYPE


def test_functions_nest_in_the_forms_dynamodb_accepts() -> None:
    # if_not_exists nests anywhere (its second operand may be if_not_exists too); list_append
    # only as a whole SET value (see test_errors)
    item = {"pk": S("k"), "l": L(N(1))}
    values = {":e": L(), ":v": L(N(2))}
    assert update("SET l = list_append(if_not_exists(l, :e), :v)", item, values=values)["l"] == L(N(1), N(2))
    assert update("SET m = list_append(:v, if_not_exists(m, :e))", item, values=values)["m"] == L(N(2))
    assert update("SET m = if_not_exists(m, if_not_exists(l, :e))", item, values={":e": L()})["m"] == L(N(1))
    assert update("SET n = if_not_exists(n, :z) + :one", item, values={":z": N(1), ":one": N(1)})["n"] == N(2)


def test_nested_set_and_remove() -> None:
    item = {
        "pk": S("k"),
        "a": {"M": {"x": N(3), "y": N(4), "c": {"M": {"y": N(3)}}}},
        "b": {"M": {"x": N(1), "y": N(2)}},
    }
    before = copy.deepcopy(item)
    new = update(
        "SET a.b = :v1, a.c.d = :v2, b.x = :v3 REMOVE a.x, b.y", item,
        values={":v1": N(10), ":v2": S("dog"), ":v3": N(17)},
    )  # fmt: skip
    assert new == {
        "pk": S("k"),
        "a": {"M": {"y": N(4), "b": N(10), "c": {"M": {"y": N(3), "d": S("dog")}}}},
        "b": {"M": {"x": N(17)}},
    }
    assert item == before  # never mutated
    deep = {"a": {"M": {"c": L(S("hi"), {"M": {"x": {"M": {"y": L(N(3), N(5), N(7))}}}})}}}
    assert update("SET a.c[1].#n.y[1] = :v", deep, names={"#n": "x"}, values={":v": N(9)})["a"] == {
        "M": {"c": L(S("hi"), {"M": {"x": {"M": {"y": L(N(3), N(9), N(7))}}}})}
    }
    assert update("REMOVE a.c[1].x.y[1]", deep)["a"]["M"]["c"]["L"][1] == {
        "M": {"x": {"M": {"y": L(N(3), N(7))}}}
    }
    assert update("REMOVE a.b", {"a": {"M": {"b": N(1)}}}) == {"a": {"M": {}}}
    assert update("REMOVE a[0]", {"a": L(N(1))}) == {"a": L()}


def test_list_indexes_mean_positions_in_the_original_list() -> None:
    item = {"a": L(N(2), N(3), N(4), N(5), N(6), N(7))}
    expected = L(N(2), N(4), N(17), N(6), N(7))
    assert update("REMOVE a[1] SET a[3] = :v", item, values={":v": N(17)})["a"] == expected
    assert update("SET a[3] = :v REMOVE a[1]", item, values={":v": N(17)})["a"] == expected
    assert update("REMOVE a[0], a[2]", item)["a"] == L(N(3), N(5), N(6), N(7))
    assert update("REMOVE a[17]", item) == item


def test_setting_past_the_end_of_a_list_appends_in_index_order() -> None:
    item = {"a": L(S("one"), S("two"), S("three"))}
    assert update("SET a[7] = :v", item, values={":v": S("hello")})["a"] == L(
        S("one"), S("two"), S("three"), S("hello")
    )
    values = {":v1": S("a1"), ":v2": S("a2"), ":v3": S("a3"), ":v4": S("a4")}
    new = update("SET a[84] = :v1, a[37] = :v2, a[17] = :v3, a[50] = :v4", item, values=values)
    assert new["a"] == L(S("one"), S("two"), S("three"), S("a3"), S("a2"), S("a4"), S("a1"))


def test_invalid_document_paths() -> None:
    item = {"pk": S("k"), "a": S("hello"), "b": L(S("hi"))}
    values = {":v": N(7)}
    for text in ("SET a.c = :v", "SET b.c = :v", "SET c.c = :v", "SET a[0] = :v", "SET c[0] = :v"):
        assert update_error(text, item, values=values) == INVALID_PATH
    for text in ("REMOVE a.c", "REMOVE b.c", "REMOVE c.c", "REMOVE a[0]"):
        assert update_error(text, item) == INVALID_PATH
    assert update_error("SET c.c = :v", None, values=values) == INVALID_PATH
    assert update_error("ADD c.d :v", item, values=values) == INVALID_PATH
    # REMOVE of a nested path is ignored when the whole item is missing, and a missing leaf too
    assert update("REMOVE x.y, z[0]", None) == {}
    assert update("REMOVE a2.y, b[7], c", {"a2": {"M": {"x": N(3)}}, "b": L(S("hi"))}) == {
        "a2": {"M": {"x": N(3)}}, "b": L(S("hi")),
    }  # fmt: skip


def test_add_numbers_and_sets() -> None:
    item = {"pk": S("k"), "a": N(3), "s": {"SS": ["dog", "cat"]}, "ns": {"NS": ["1", "2"]}, "str": S("hi")}
    assert update("ADD a :v", item, values={":v": N(4)})["a"] == N(7)
    assert update("ADD added :v", item, values={":v": N(-8)})["added"] == N(-8)
    assert update("ADD added :v", None, values={":v": N(8)}) == {"added": N(8)}
    assert update("ADD s :v", item, values={":v": {"SS": ["pig", "cat"]}})["s"] == {
        "SS": ["dog", "cat", "pig"]
    }
    assert update("ADD ns :v", item, values={":v": {"NS": ["2.0", "3"]}})["ns"] == {"NS": ["1", "2", "3"]}
    assert update("ADD fresh :v", item, values={":v": {"SS": ["x"]}})["fresh"] == {"SS": ["x"]}
    assert update_error("ADD str :v", item, values={":v": N(1)}) == WRONG_TYPE
    assert update_error("ADD s :v", item, values={":v": {"NS": ["1"]}}) == WRONG_TYPE
    assert update_error("ADD a :v", item, values={":v": S("x")}) == (
        PREFIX + "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"
    )
    assert update_error("ADD a :v", item, values={":v": L(N(1))}) == (
        PREFIX + "Incorrect operand type for operator or function; operator: ADD, operand type: LIST"
    )


def test_delete_from_sets_and_an_emptied_set_disappears() -> None:
    item = {"pk": S("k"), "a": {"SS": ["dog", "cat", "mouse"]}, "b": S("hi")}
    assert update("DELETE a :v", item, values={":v": {"SS": ["cat", "mouse"]}})["a"] == {"SS": ["dog"]}
    assert update("DELETE a :v", item, values={":v": {"SS": ["pig"]}})["a"] == item["a"]
    assert update("DELETE a :v", item, values={":v": {"SS": ["dog", "cat", "mouse"]}}) == {
        "pk": S("k"),
        "b": S("hi"),
    }
    assert update("DELETE q :v", item, values={":v": {"SS": ["dog"]}}) == item
    assert update_error("DELETE b :v", item, values={":v": {"SS": ["x"]}}) == WRONG_TYPE
    assert update_error("DELETE a :v", item, values={":v": S("x")}) == (
        PREFIX + "Incorrect operand type for operator or function; operator: DELETE, operand type: STRING"
    )
    assert update_error("DELETE a :v", item, values={":v": N(1)}) == (
        PREFIX + "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"
    )


def test_key_attributes_cannot_be_updated() -> None:
    message = "One or more parameter values were invalid: Cannot update attribute {}. This attribute is part of the key"
    values = {":v": N(4), ":s": {"SS": ["x"]}}
    for text, key in [
        ("SET pk = :v", "pk"), ("SET sk = :v", "sk"), ("REMOVE pk", "pk"), ("ADD sk :v", "sk"),
        ("DELETE pk :s", "pk"), ("SET pk.a = :v", "pk"),
    ]:  # fmt: skip
        used = {k: v for k, v in values.items() if k in text} or None
        assert update_error(text, {}, values=used, keys=("pk", "sk")) == message.format(key)


@pytest.mark.parametrize(
    "text",
    [
        "SET a = :v1, a.b = :v2", "SET a.b = :v1, a = :v2", "SET a.b = :v1, a.b = :v2", "SET a.b = :v1, a.b.c = :v2",
        "SET a.b.c.d.e = :v1, a.b = :v2", "SET a = :v1, a[1] = :v2", "SET a[1][1] = :v1, a[1] = :v2",
        "SET a[1] = :v1, a[1][1][1][1] = :v2", "SET a = :v1 REMOVE a", "REMOVE a SET a = :v1, b = :v2",
    ],
)  # fmt: skip
def test_overlapping_paths_are_refused_before_reading_the_item(text: str) -> None:
    values = {k: v for k, v in {":v1": N(2), ":v2": S("x")}.items() if k in text}
    message = message_of(compile_update, text, ctx(None, values))
    assert message.startswith(
        PREFIX + "Two document paths overlap with each other; must remove or rewrite one of these paths"
    )


def test_overlap_and_conflict_messages_name_both_paths() -> None:
    assert message_of(compile_update, "SET a.b = :v, a = :v", ctx(None, {":v": N(1)})) == (
        PREFIX + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
        "path one: [a, b], path two: [a]"
    )
    assert message_of(compile_update, "SET a.b.c = :v, a.b[2] = :v", ctx(None, {":v": N(1)})) == (
        PREFIX + "Two document paths conflict with each other; must remove or rewrite one of these paths; "
        "path one: [a, b, c], path two: [a, b, [2]]"
    )
    assert message_of(
        compile_update, "SET #a1 = :v, #a2 = :v", ctx({"#a1": "a", "#a2": "a"}, {":v": N(1)})
    ) == (
        PREFIX + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
        "path one: [a], path two: [a]"
    )


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        ("SET a = :v SET b = :v", {":v": N(1)}, 'The "SET" section can only be used once in an update expression;'),
        ("SET a = :v REMOVE b SET c = :v", {":v": N(1)}, 'The "SET" section can only be used once in an update expression;'),
        ("REMOVE a REMOVE b", None, 'The "REMOVE" section can only be used once in an update expression;'),
        ("SET a = f(b, c)", None, "Invalid function name; function: f"),
        ("SET a = LIST_APPEND(:v, :v)", {":v": {"L": []}}, "Invalid function name; function: LIST_APPEND"),
        ("SET a = attribute_exists(b)", None, "The function is not allowed in an update expression; function: attribute_exists"),
        ("SET a = list_append(list_append(:v, :v), :v)", {":v": {"L": []}}, "The function is not allowed to be used this way in an expression; function: list_append"),
        ("SET a = list_append(:v, list_append(a, :v))", {":v": {"L": []}}, "The function is not allowed to be used this way in an expression; function: list_append"),
        ("SET a = if_not_exists(b, list_append(a, :v))", {":v": {"L": []}}, "The function is not allowed to be used this way in an expression; function: list_append"),
        ("SET a = list_append(a, :v) + :n", {":v": {"L": []}, ":n": N(1)}, "The function is not allowed to be used this way in an expression; function: list_append"),
        ("SET a = :n - list_append(a, :v)", {":v": {"L": []}, ":n": N(1)}, "The function is not allowed to be used this way in an expression; function: list_append"),
        ("SET a = if_not_exists(if_not_exists(a, :v), :v)", {":v": N(1)}, "Operator or function requires a document path; operator or function: if_not_exists"),
        ("SET a = list_append(:v)", {":v": {"L": []}}, "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"),
        ("SET a = list_append(:v, :w)", {":v": {"L": []}, ":w": S("x")}, "Incorrect operand type for operator or function; operator or function: list_append, operand type: S"),
        ("SET a = if_not_exists(:v, :v)", {":v": N(1)}, "Operator or function requires a document path; operator or function: if_not_exists"),
        ("SET a = :v + :w", {":v": S("dog"), ":w": N(3)}, "Incorrect operand type for operator or function; operator or function: +, operand type: S"),
        ("SET a = :missing", {":v": N(1)}, "An expression attribute value used in expression is not defined; attribute value: :missing"),
        ("SET #missing = :v", {":v": N(1)}, "An expression attribute name used in the document path is not defined; attribute name: #missing"),
        ("SET timestamp = :v", {":v": N(1)}, "Attribute name is a reserved keyword; reserved keyword: timestamp"),
    ],
)  # fmt: skip
def test_errors(text: str, values: dict | None, message: str) -> None:
    assert message_of(compile_update, text, ctx(None, values)) == PREFIX + message


def test_touched_attributes_are_the_top_level_names() -> None:
    context = ctx(None, {":v": N(1), ":s": {"SS": ["x"]}})
    compiled = compile_update("SET a.b = :v, c = :v REMOVE d[0] ADD e :v DELETE f :s", context)
    _, touched = compiled.apply({"a": {"M": {}}, "d": {"L": [N(1)]}}, ())
    assert touched == {"a", "c", "d", "e", "f"}


def test_an_empty_set_cannot_be_stored() -> None:
    assert message_of(ctx, None, {":v": {"SS": []}}) == (
        "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: "
        "An string set  may not be empty for key :v"
    )
    assert update("SET d = :a, e = :b, f = :c", {}, values={":a": L(), ":b": {"M": {}}, ":c": S("")}) == {
        "d": L(), "e": {"M": {}}, "f": S(""),
    }  # fmt: skip


def deep_map(depth: int) -> dict:
    value: dict = S("leaf")
    for _ in range(depth):
        value = {"M": {"n": value}}
    return value


def test_a_nested_set_may_not_push_the_item_past_32_levels() -> None:
    item = {"a": {"M": {}}}
    assert update("SET a.b = :v", item, values={":v": deep_map(30)})["a"]["M"]["b"] == deep_map(30)
    assert update_error("SET a.b = :v", item, values={":v": deep_map(31)}) == (
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
    )
