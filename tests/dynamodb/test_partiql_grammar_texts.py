"""PartiQL statements DynamoDB's parser (partiql-lang-kotlin's SqlParser) refuses, with the
exact texts paritysuite/dynamodb-conformance captured from AWS (partiqlGrammar,
partiqlFunctions and whereOverlap tests, eu-west-2 and us-east-1, October 2026), and the OR
branches it runs as a union."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "
OVERLAPPING = "Overlapping conditions with range keys are not supported in where clause"
INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes"


@pytest.fixture
def table(ddb: Any, make_table: Any) -> str:
    name = str(make_table(("pk", "S"), ("sk", "S")))
    for sk in "123":
        ddb.put_item(TableName=name, Item={"pk": {"S": "P"}, "sk": {"S": sk}, "m": {"M": {"inner": {"S": "i"}}}})
    return name


@pytest.mark.parametrize(("statement", "message"), [
    ('SELECT * FROM "{t}" WHERE', NOT_WELL_FORMED + "Unexpected term"),
    ('SELECT * FROM "{t}" WHERE;', NOT_WELL_FORMED + "Unexpected term"),
    ('SELECT * FROM "{t}" WHERE   ', NOT_WELL_FORMED + "Unexpected term"),
    ('UPDATE "{t}" SET a = 1 WHERE', NOT_WELL_FORMED + "Unexpected term"),
    ('DELETE FROM "{t}" WHERE', NOT_WELL_FORMED + "Unexpected term"),
    ('SELECT * FROM "{t}" WHERE NOT', NOT_WELL_FORMED + "Unexpected term"),
    ('SELECT * FROM "{t}" WHERE (', NOT_WELL_FORMED + "Unexpected term"),
    ('SELECT * FROM "{t}-never-created" WHERE', NOT_WELL_FORMED + "Unexpected term"),
    ("SELECT * FROM", NOT_WELL_FORMED + "Unexpected term"),
    ("SELECT * FROM \"{t}\" WHERE pk = 'p1' AND", NOT_WELL_FORMED + "Missing right-hand side expression of infix operator"),
    ("SELECT * FROM \"{t}\" WHERE pk = 'p1' OR", NOT_WELL_FORMED + "Missing right-hand side expression of infix operator"),
    ('SELECT * FROM "{t}" WHERE ORDER BY pk', NOT_WELL_FORMED + "Unexpected keyword"),
    ('SELECT * FROM "{t}" WHERE IS NULL', NOT_WELL_FORMED + "Unexpected operator"),
    ('SELECT * FROM "{t}" WHERE pk = LIKE', NOT_WELL_FORMED + "Unexpected operator"),
    ("SELECT * FROM \"{t}\" WHERE pk = 'a' AND x IS FOO", NOT_WELL_FORMED + "Expected type name"),
    ("DELETE FROM", NOT_WELL_FORMED + "Expected identifier for simple path"),
    ("DELETE FROM   ", NOT_WELL_FORMED + "Expected identifier for simple path"),
    ("DELETE FROM;", NOT_WELL_FORMED + "Expected identifier for simple path"),
    ("DELETE FROM WHERE pk = 'a'", NOT_WELL_FORMED + "Expected identifier for simple path"),
    ('FROM "{t}" SET c = 1', INCOMPLETE_KEY),
    ('FROM "{t}" REMOVE a', INCOMPLETE_KEY),
    ('FROM "{t}" WHERE a = 1 SET c = 1', INCOMPLETE_KEY),
    ("FROM \"{t}\" SET c = 1 WHERE pk = 'x'", NOT_WELL_FORMED + "Unexpected token after expression"),
    ("FROM \"{t}\" SET c = 1 WHERE pk = 'x' SET d = 2", NOT_WELL_FORMED + "Unexpected token after expression"),
    ("SELECT * FROM \"{t}\" WHERE pk = 'P' AND attribute_exists(m.inner)", NOT_WELL_FORMED + "Invalid path dot component"),
    ("SELECT m.size FROM \"{t}\" WHERE pk = 'P'", NOT_WELL_FORMED + "Invalid path dot component"),
    ("UPDATE \"{t}\" SET m.inner = 'j' WHERE pk = 'P' AND sk = '1'", NOT_WELL_FORMED + "Invalid path dot component"),
    ("SELECT * FROM \"{t}\" WHERE pk = 'a' AND x = '1' OR pk = 'a' AND sk = '2'", OVERLAPPING),
    ("SELECT * FROM \"{t}\" WHERE pk = 'a' AND x <> '1' OR pk = 'a' AND sk = '2'", OVERLAPPING),
])  # fmt: skip
def test_refused_with_dynamodb_words(ddb: Any, table: str, statement: str, message: str) -> None:
    assert error_of(ddb.execute_statement, Statement=statement.format(t=table)) == ("ValidationException", message)
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "P"}, "sk": {"S": "1"}})["Item"]["m"] == {
        "M": {"inner": {"S": "i"}}
    }


def test_a_quoted_keyword_is_a_path_component(ddb: Any, table: str) -> None:
    found = ddb.execute_statement(Statement=f'SELECT m."inner" FROM "{table}" WHERE pk = \'P\' AND sk = \'1\'')
    assert found["Items"] == [{"inner": {"S": "i"}}]


@pytest.mark.parametrize(("left", "expected"), [
    ("pk = 'P' AND NOT sk = '1'", ["2", "3"]),
    ("pk = 'P' AND sk <> '1'", ["2", "3"]),
    ("pk = 'P' AND NOT begins_with(sk, 'x')", ["1", "2", "3"]),
    ("pk = 'P' AND NOT sk IN ['1', '3']", ["2"]),
    ("pk = 'P' AND NOT sk > '5'", ["1", "2", "3"]),
    ("pk = 'P' AND NOT (sk = '1')", ["2", "3"]),
])  # fmt: skip
def test_branches_with_a_negated_sort_key_run(ddb: Any, table: str, left: str, expected: list[str]) -> None:
    statement = f"SELECT * FROM \"{table}\" WHERE {left} OR pk = 'P' AND sk = '2'"
    found = ddb.execute_statement(Statement=statement, ConsistentRead=True)["Items"]
    assert sorted(item["sk"]["S"] for item in found) == expected
    bare = f"SELECT * FROM \"{table}\" WHERE pk = 'P' OR pk = 'P' AND NOT sk = '1'"
    assert len(ddb.execute_statement(Statement=bare)["Items"]) == 3


def test_update_expression_errors_name_no_request_parameter(ddb: Any, table: str) -> None:
    code, message = error_of(ddb.execute_statement,
                             Statement=f"UPDATE \"{table}\" SET n = 3, n = 4 WHERE pk = 'P' AND sk = '1'")  # fmt: skip
    assert code == "ValidationException"
    assert message.startswith("Two document paths overlap with each other"), message


def test_or_of_partition_equalities_reads_those_partitions(ddb: Any, table: str) -> None:
    """AWS's SELECT reference lists `OrderID = 100 or OrderID = 200` among the statements that
    do not scan the table, beside IN: ORDER BY is allowed, and a page holds only their items."""
    for pk in ("A", "B", "C"):
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "x"}})
    ordered = ddb.execute_statement(Statement=f"SELECT pk, sk FROM \"{table}\" WHERE pk = 'C' OR pk = 'P' ORDER BY sk DESC")
    assert [(i["pk"]["S"], i["sk"]["S"]) for i in ordered["Items"]] == [("C", "x"), ("P", "3"), ("P", "2"), ("P", "1")]
    page = ddb.execute_statement(Statement=f"SELECT pk FROM \"{table}\" WHERE pk = 'C' OR pk = 'P'", Limit=2)
    assert len(page["Items"]) == 2
    both = f"SELECT sk FROM \"{table}\" WHERE pk = 'P' AND sk = '1' OR pk = 'P' AND sk = '3'"
    assert sorted(i["sk"]["S"] for i in ddb.execute_statement(Statement=both)["Items"]) == ["1", "3"]
