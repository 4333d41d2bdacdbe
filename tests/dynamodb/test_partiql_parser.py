"""The PartiQL grammar and parser on their own: statement shapes, case-insensitive keywords that
do not swallow names, parameter numbering, and the "wasn't well formed" details."""

from __future__ import annotations

import pytest

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.partiql import ast
from lumadb.dynamodb.partiql.parser import parse
from lumadb.dynamodb.partiql.translate import Expressions


def test_statement_shapes_and_parameters() -> None:
    tree, count = parse('select a, "b c"[1].d from "T"."idx" where x = ? and y in [?, 2] order by y desc')
    assert isinstance(tree, ast.Select) and count == 2
    assert tree.source.index is not None and tree.source.index.text == "idx"
    assert isinstance(tree.projection, ast.Columns) and len(tree.projection.paths) == 2
    tree, count = parse(
        "UPDATE T SET a = a + ?, b = list_append(b, [1]) REMOVE c WHERE pk = ? RETURNING ALL NEW *"
    )
    assert isinstance(tree, ast.Update) and count == 2
    assert [type(action).__name__ for action in tree.actions] == ["SetAction", "RemoveAction"]
    assert tree.returning is not None and (tree.returning.which, tree.returning.image) == ("ALL", "NEW")
    tree, _ = parse("from T where pk = 1 set c = 1")
    assert isinstance(tree, ast.FromUpdate) and tree.table.name.text == "T"
    tree, _ = parse("EXISTS(SELECT * FROM T WHERE pk = 1 AND a = 2)")
    assert isinstance(tree, ast.ExistsCheck)


def test_keywords_do_not_swallow_names() -> None:
    tree, _ = parse("SELECT selected, orders, settings FROM T WHERE ordered = 1")
    assert [p.steps[0].text for p in tree.projection.paths] == ["selected", "orders", "settings"]


def test_translation_to_dynamodb_expressions() -> None:
    tree, _ = parse("SELECT * FROM T WHERE a.b[2] = 'x' AND NOT c IS MISSING OR d BETWEEN 1 AND ?")
    expressions = Expressions([{"N": "5"}])
    text = expressions.condition(tree.where.condition)
    assert text == "((#n0.#n1[2] = :v0) AND (NOT (attribute_not_exists(#n2)))) OR (#n3 BETWEEN :v1 AND :v2)"
    assert expressions.names == {"#n0": "a", "#n1": "b", "#n2": "c", "#n3": "d"}
    assert expressions.values == {":v0": {"S": "x"}, ":v1": {"N": "1"}, ":v2": {"N": "5"}}


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("SELECT * FROM T WHERE pk = 1 foo", "Unexpected token after expression"),
        ("NOT A STATEMENT", "Expected data manipulation"),
        ("SELECT * FROM T WHERE (pk = 1", "Unexpected end of statement"),
        ("SELECT * FROM T WHERE pk = 1 # note", ""),
        ("SELECT * FROM T WHERE pk = 'open", ""),
    ],
)
def test_not_well_formed(text: str, detail: str) -> None:
    with pytest.raises(DynamoError) as info:
        parse(text)
    assert info.value.message == "Statement wasn't well formed, can't be processed: " + detail
