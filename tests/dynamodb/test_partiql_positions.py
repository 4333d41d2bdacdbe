"""PartiQL errors that end with where their token is written, ` at <line>:<column>:<length>`
(columns counted in characters from 1), as paritysuite/dynamodb-conformance captured them from
AWS (partiqlFunctions, eu-west-2, us-east-1, eu-west-1 and us-west-2, October 2026; and
partiqlMultiAttributeIndex for the order against an index with multi-attribute keys)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name


def at(statement: str, token: str, length: int | None = None, start: int = 0) -> str:
    index = statement.index(token, start)
    return f" at 1:{index + 1}:{len(token) if length is None else length}"


@pytest.fixture
def table(make_table: Any) -> str:
    return str(make_table(("pk", "S")))


def refused(ddb: Any, statement: str) -> tuple[str, str]:
    return error_of(ddb.execute_statement, Statement=statement)


def test_functions_are_refused_where_they_are_written(ddb: Any, table: str) -> None:
    where = f"SELECT * FROM \"{table}\" WHERE pk = 'a' AND "
    update = f'UPDATE "{table}" SET '
    cases = [
        (where + "EXISTS(ss)", "Unrecognized function: exists", "EXISTS"),
        (where + "set_add(ss, <<'x'>>) = ss", "Unrecognized function: set_add", "set_add"),
        (update + "t = set_add(ss, <<'x'>>) WHERE pk = 'a'", "The first argument to SET_ADD must equal the assignment value", "set_add"),
        (update + "ss = set_add(<<'a'>>, <<'b'>>) WHERE pk = 'a'", "The first argument to SET_ADD must equal the assignment value", "set_add"),
        (update + "ss = set_add(ss) WHERE pk = 'a'", "SET_ADD must have exactly two arguments", "set_add"),
        (update + "ss = set_add(ss, <<'x'>>, <<'y'>>) WHERE pk = 'a'", "SET_ADD must have exactly two arguments", "set_add"),
        (update + "t = set_delete(ss, <<'a'>>) WHERE pk = 'a'", "The first argument to SET_DELETE must equal the assignment value", "set_delete"),
        (update + "a = foo(b) WHERE pk = 'a'", "Unrecognized function: foo", "foo"),
        (f"INSERT INTO \"{table}\" VALUE {{'pk': 'ins', 'ss': set_add(<<'a'>>, <<'b'>>)}}",
         "Unsupported data type: set_add under key root", "set_add"),
        (f"SELECT attribute_exists(ss) FROM \"{table}\" WHERE pk = 'a'", "Unexpected path component", "attribute_exists"),
        (f'SELECT COUNT(*) FROM "{table}"', "Unexpected path component", "COUNT"),
    ]  # fmt: skip
    for statement, message, token in cases:
        assert refused(ddb, statement) == ("ValidationException", message + at(statement, token)), statement


def test_a_bad_second_argument_is_placed_at_the_first(ddb: Any, table: str) -> None:
    for function, value in (("set_add", "'x'"), ("set_add", "['x']"), ("set_delete", "'a'")):
        statement = f"UPDATE \"{table}\" SET ss = {function}(ss, {value}) WHERE pk = 'a'"
        position = at(statement, "ss", start=statement.index(f"{function}("))
        assert refused(ddb, statement) == (
            "ValidationException",
            f"The second argument to {function.upper()} must be a value with type SET{position}",
        )


def test_an_index_with_multi_attribute_keys_is_refused_before_a_column_but_after_a_literal(ddb: Any) -> None:
    table = table_name()
    ddb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "h1", "AttributeType": "N"}, {"AttributeName": "h2", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "gsi",
            "KeySchema": [{"AttributeName": "h1", "KeyType": "HASH"}, {"AttributeName": "h2", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }],
    )  # fmt: skip
    try:
        refusal = "PartiQL statements cannot be executed on tables with multi-attribute HASH keys or multi-attribute RANGE keys."
        assert refused(ddb, f'SELECT COUNT(*) FROM "{table}"."gsi"') == ("ValidationException", refusal)
        assert refused(ddb, f'SELECT * FROM "{table}"."gsi" WHERE h1 = 1e99999999999') == (
            "ValidationException",
            "Statement wasn't well formed, can't be processed: ",
        )
    finally:
        ddb.delete_table(TableName=table)
