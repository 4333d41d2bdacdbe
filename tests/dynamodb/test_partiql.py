"""PartiQL against the real server with boto3: ExecuteStatement (SELECT/INSERT/UPDATE/DELETE,
parameters, NextToken paging, ORDER BY, RETURNING), BatchExecuteStatement, ExecuteTransaction,
and DynamoDB's error texts for statements it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, error_response


@pytest.fixture
def table(make_table: Any) -> str:
    return str(make_table(("pk", "S"), ("sk", "N")))


def run(ddb: Any, statement: str, *parameters: dict, **extra: Any) -> dict[str, Any]:
    if parameters:
        extra["Parameters"] = list(parameters)
    return dict(ddb.execute_statement(Statement=statement, **extra))


def refused(ddb: Any, statement: str, *parameters: dict, **extra: Any) -> tuple[str, str]:
    if parameters:
        extra["Parameters"] = list(parameters)
    return error_of(ddb.execute_statement, Statement=statement, **extra)


def test_insert_select_update_delete(ddb: Any, table: str) -> None:
    assert (
        run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1, 'n': 5, 'tags': <<'x', 'y'>>}}")[
            "Items"
        ]
        == []
    )
    run(
        ddb,
        f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': ?, 'm': {{'k': [1, true, null]}}}}",
        {"S": "a"},
        {"N": "2"},
    )
    stored = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "2"}})["Item"]
    assert stored["m"] == {"M": {"k": {"L": [{"N": "1"}, {"BOOL": True}, {"NULL": True}]}}}
    items = run(ddb, f"SELECT * FROM \"{table}\" WHERE pk = 'a'")["Items"]
    assert [item["sk"]["N"] for item in items] == ["1", "2"]
    assert items[0]["tags"] == {"SS": ["x", "y"]}
    assert run(ddb, f"SELECT sk, n FROM \"{table}\" WHERE pk = 'a' AND sk >= 1 AND n = 5")["Items"] == [
        {"sk": {"N": "1"}, "n": {"N": "5"}}
    ]
    desc = run(ddb, f"SELECT sk FROM \"{table}\" WHERE pk = 'a' ORDER BY sk DESC")["Items"]
    assert [item["sk"]["N"] for item in desc] == ["2", "1"]
    updated = run(
        ddb,
        f"UPDATE \"{table}\" SET n = n + 1 SET note = 'hi' REMOVE tags WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *",
    )["Items"]
    assert updated == [{"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "6"}, "note": {"S": "hi"}}]
    modified = run(
        ddb,
        f"UPDATE \"{table}\" SET s = set_add(s, <<'q'>>) WHERE pk = 'a' AND sk = 1 RETURNING MODIFIED NEW *",
    )
    assert modified["Items"] == [{"s": {"SS": ["q"]}}]
    old = run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = 2 RETURNING ALL OLD *")["Items"]
    assert old[0]["sk"] == {"N": "2"}
    assert run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'never' AND sk = 2")["Items"] == []
    run(ddb, f'FROM "{table}" WHERE pk = ? AND sk = ? SET late = 1', {"S": "a"}, {"N": "1"})
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]["late"] == {
        "N": "1"
    }


def test_where_predicates_mean_what_conditions_mean(ddb: Any, table: str) -> None:
    ddb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "w"},
            "sk": {"N": "1"},
            "ss": {"SS": ["a", "b"]},
            "s": {"S": "hello"},
            "l": {"L": [{"N": "1"}]},
        },
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "w"}, "sk": {"N": "2"}, "s": {"S": "world"}})

    def keys(where: str, *parameters: dict) -> list[str]:
        found = run(ddb, f"SELECT sk FROM \"{table}\" WHERE pk = 'w' AND {where}", *parameters)["Items"]
        return [item["sk"]["N"] for item in found]

    assert keys("ss = ?", {"SS": ["b", "a"]}) == ["1"]  # a set equals any permutation of itself
    assert keys("ss <> ?", {"SS": ["a", "b"]}) == ["2"]
    assert keys("begins_with(s, 'wor')") == ["2"]
    assert keys("contains(ss, 'a')") == ["1"]
    assert keys("ss IS MISSING") == ["2"]
    assert keys("l IS NOT MISSING AND size(l) = 1") == ["1"]
    assert keys("sk IN [2, 3]") == ["2"]
    assert keys("sk BETWEEN 1 AND 1 OR s = 'world'") == ["1", "2"]
    assert keys("NOT (s = 'hello')") == ["2"]
    assert keys("attribute_type(s, 'S') AND l[0] = 1") == ["1"]
    assert keys("s IS STRING AND ss IS NOT MISSING") == ["1"]
    everything = run(ddb, f"SELECT sk FROM \"{table}\" WHERE pk IN ['w', 'other'] AND sk > 1")["Items"]
    assert everything == [{"sk": {"N": "2"}}]
    scan = run(ddb, f"SELECT pk FROM \"{table}\" WHERE s = 'hello'")["Items"]
    assert scan == [{"pk": {"S": "w"}}]


def test_next_token_pages_through_a_partition(ddb: Any, table: str) -> None:
    for n in range(7):
        ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"N": str(n)}})
    statement = f'SELECT sk FROM "{table}" WHERE pk = ?'
    seen: list[str] = []
    page = run(ddb, statement, {"S": "p"}, Limit=3)
    while True:
        seen.extend(item["sk"]["N"] for item in page["Items"])
        if "NextToken" not in page:
            break
        page = run(ddb, statement, {"S": "p"}, Limit=3, NextToken=page["NextToken"])
    assert seen == [str(n) for n in range(7)]
    first = run(ddb, statement, {"S": "p"}, Limit=2)
    code, message = refused(ddb, statement, {"S": "other"}, Limit=2, NextToken=first["NextToken"])
    assert (code, message) == ("ValidationException", "NextToken does not match request")
    assert refused(ddb, statement, {"S": "p"}, NextToken="garbage!") == (
        "ValidationException",
        "Invalid NextToken",
    )


def test_write_errors(ddb: Any, table: str) -> None:
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'e', 'sk': 1, 'n': 1}}")
    assert refused(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'e', 'sk': 1}}") == (
        "DuplicateItemException",
        "Duplicate primary key exists in table",
    )
    assert refused(ddb, f"UPDATE \"{table}\" SET n = 2 WHERE pk = 'missing' AND sk = 1") == (
        "ConditionalCheckFailedException",
        "The conditional request failed",
    )
    failed = error_response(
        ddb.execute_statement,
        Statement=f"UPDATE \"{table}\" SET n = 2 WHERE pk = 'e' AND sk = 1 AND n = 9",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    assert failed["Error"]["Code"] == "ConditionalCheckFailedException"
    assert failed["Item"]["n"] == {"N": "1"}
    assert refused(ddb, f"UPDATE \"{table}\" SET n = 2 WHERE pk = 'e'") == (
        "ValidationException",
        "Where clause does not contain a mandatory equality on all key attributes",
    )
    assert refused(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'e' AND sk = 1 RETURNING ALL NEW *") == (
        "ValidationException",
        "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements.",
    )
    # a missing item with a non-key predicate: nothing to test, nothing deleted (not a failure)
    assert run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'missing' AND sk = 1 AND n = 1")["Items"] == []
    assert refused(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'e' AND sk = 1 AND n = 9") == (
        "ConditionalCheckFailedException",
        "The conditional request failed",
    )
    assert refused(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'x'}}") == (
        "ValidationException",
        "Key attribute should be present in the item: Key sk",
    )
    assert refused(ddb, f'SELECT * FROM "{table}" WHERE pk = ?') == (
        "ValidationException",
        "Number of parameters in request and statement don't match.",
    )
    assert refused(ddb, "SELECT * FROM \"no-such-table\" WHERE pk = 'a'")[0] == "ResourceNotFoundException"


NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("SELECT * FROM \"{t}\" WHERE pk = 'a' foo", NOT_WELL_FORMED + "Unexpected token after expression"),
        ('SELECT * FROM "{t}" WHERE pk = 1 e5', NOT_WELL_FORMED + "Unexpected token after expression"),
        ("SELECT * FROM \"{t}\" WHERE pk = 'a')", NOT_WELL_FORMED + "Unexpected token after expression"),
        (
            "SELECT * FROM \"{t}\" ORDER BY pk WHERE pk = 'a'",
            NOT_WELL_FORMED + "Unexpected token after expression",
        ),
        (
            "DELETE FROM \"{t}\" WHERE pk = 'a' AND sk = 1 ORDER BY pk",
            NOT_WELL_FORMED + "Unexpected token after expression",
        ),
        ("INSERT INTO \"{t}\" t VALUE {{'pk': 'x'}}", NOT_WELL_FORMED + "Unexpected token after expression"),
        ("SELECT * FROM \"{t}\" WHERE pk = 'a' # note", NOT_WELL_FORMED),
        ("SELECT * FROM \"{t}\" WHERE pk = 'a' /* note", NOT_WELL_FORMED),
        ('SELECT * FROM "{t}" WHERE sk = 1e2147483648', NOT_WELL_FORMED),
        ("SELECT * FROM \"{t}\" t WHERE pk = 'x'", "Aliasing is not supported"),
        ("UPDATE \"{t}\" t SET a = 3 WHERE pk = 'x' AND sk = 1", "Aliasing is not supported"),
        ("DELETE FROM \"{t}\" AS t WHERE pk = 'x' AND sk = 1", "Aliasing is not supported"),
        (
            'SELECT * FROM "{t}" WHERE sk = 1e126',
            "Number overflow. Attempting to store a number with magnitude larger than supported range under root",
        ),
        (
            "INSERT INTO \"{t}\" VALUE {{'pk': 'x', 'sk': 1, 'm': {{'x': 1e-131}}}}",
            "Number underflow. Attempting to store a number with magnitude smaller than supported range under root.x",
        ),
        (
            "INSERT INTO \"{t}\" VALUE {{'pk': 'x', 'sk': 1, 'l': [1, 123456789012345678901234567890123456789]}}",
            "Attempting to store more than 38 significant digits in a Number under root[1]",
        ),
        (
            "SELECT * FROM \"{t}\" WHERE pk = 'a' ORDER BY n",
            "Variable reference n in ORDER BY clause must be part of the primary key",
        ),
        (
            'SELECT * FROM "{t}" WHERE n = 1 ORDER BY sk',
            "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.",
        ),
        (
            "UPDATE \"{t}\" SET ss = set_add(ss, <<>>) WHERE pk = 'a' AND sk = 1",
            "Empty bags are not supported",
        ),
    ],
)
def test_refused_statements(ddb: Any, table: str, statement: str, message: str) -> None:
    assert refused(ddb, statement.format(t=table)) == ("ValidationException", message)


def test_ordering_operators_refuse_unordered_operands(ddb: Any, table: str) -> None:
    for op in ("<", "<=", ">", ">="):
        assert refused(ddb, f"SELECT * FROM \"{table}\" WHERE pk = 'a' AND v {op} ?", {"BOOL": True}) == (
            "ValidationException",
            f"Incorrect operand type for operator or function; operator or function: {op}, operand type: BOOL",
        )


def test_comments_and_number_forms(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "c"}, "sk": {"N": "7310000"}})
    for literal in ("7.31e6", "7.31E6", "7.31e+6", "731e4", "73100000e-1"):
        found = run(
            ddb, f"-- note\nSELECT sk FROM \"{table}\" /* a */ WHERE pk = 'c' -- x\n AND sk = {literal}"
        )
        assert found["Items"] == [{"sk": {"N": "7310000"}}], literal


def test_batch_execute_statement(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "b"}, "sk": {"N": "1"}, "v": {"S": "one"}})
    writes = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 2}}"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 1}}"},
            {
                "Statement": f"UPDATE \"{table}\" SET v = 'uno' WHERE pk = ? AND sk = ?",
                "Parameters": [{"S": "b"}, {"N": "1"}],
            },
            {"Statement": "not a statement"},
        ]
    )["Responses"]
    assert "Error" not in writes[0] and writes[0]["TableName"] == table
    assert writes[1]["Error"] == {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}
    assert "Error" not in writes[2]
    assert writes[3]["Error"]["Code"] == "ValidationError"
    reads = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"SELECT v FROM \"{table}\" WHERE pk = 'b' AND sk = 1"},
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'b' AND sk = 9"},
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'b'"},
        ]
    )["Responses"]
    assert reads[0] == {"TableName": table, "Item": {"v": {"S": "uno"}}}
    assert reads[1] == {"TableName": table}
    assert reads[2]["Error"] == {
        "Code": "ValidationError",
        "Message": "Select statements within BatchExecuteStatement must specify the primary key in the where clause.",
    }
    assert error_of(
        ddb.batch_execute_statement,
        Statements=[
            {"Statement": f"SELECT v FROM \"{table}\" WHERE pk = 'b' AND sk = 1"},
            {"Statement": f"UPDATE \"{table}\" SET v = 'dos' WHERE pk = 'b' AND sk = 1"},
        ],
    ) == ("ValidationException", "Read and write requests together in the same batch is not supported.")


def test_execute_transaction(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "t"}, "sk": {"N": "1"}, "n": {"N": "1"}})
    answer = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 't', 'sk': 2}}"},
            {"Statement": f"UPDATE \"{table}\" SET n = n + 1 WHERE pk = 't' AND sk = 1"},
        ]
    )
    assert answer["Responses"] == []
    cancelled = error_response(
        ddb.execute_transaction,
        TransactStatements=[
            {"Statement": f"DELETE FROM \"{table}\" WHERE pk = 't' AND sk = 1"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 't', 'sk': 2}}"},
        ],
    )
    assert cancelled["Error"]["Code"] == "TransactionCanceledException"
    assert cancelled["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"},
    ]
    assert "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": "t"}, "sk": {"N": "1"}})
    checked = error_response(
        ddb.execute_transaction,
        TransactStatements=[
            {"Statement": f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 't' AND sk = 1 AND n = 99)"},
            {"Statement": f"UPDATE \"{table}\" SET x = 1 WHERE pk = 't' AND sk = 2"},
        ],
    )
    assert [r["Code"] for r in checked["CancellationReasons"]] == ["ConditionalCheckFailed", "None"]
    reads = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"SELECT n FROM \"{table}\" WHERE pk = 't' AND sk = 1"},
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 't' AND sk = 5"},
        ]
    )["Responses"]
    assert reads == [{"Item": {"n": {"N": "2"}}}, {}]
    assert error_of(
        ddb.execute_transaction,
        TransactStatements=[
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 't' AND attribute_exists(n)"}
        ],
    ) == (
        "ValidationException",
        "Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must specify the "
        "primary key in the where clause.",
    )
    assert error_of(
        ddb.execute_transaction,
        TransactStatements=[{"Statement": f"UPDATE \"{table}\" SET n = 3 WHERE pk = 't' AND sk = 1 RETURNING ALL NEW *"}],
    ) == (
        "ValidationException",
        "Validation failed in TransactStatements[0]: RETURNING clause is not supported in ExecuteTransaction.",
    )
    assert error_of(
        ddb.execute_transaction,
        TransactStatements=[
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 't' AND sk = 1"},
            {"Statement": f"UPDATE \"{table}\" SET n = 3 WHERE pk = 't' AND sk = 1"},
        ],
    ) == ("ValidationException", "ExecuteTransaction API does not support both read and write operations in the same request.")
    assert refused(ddb, f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 't' AND sk = 1 AND n = 2)") == (
        "ValidationException",
        "EXISTS can only be used in ExecuteTransaction write requests.",
    )


def test_from_paths_and_operand_types_are_checked_before_the_table(ddb: Any, table: str) -> None:
    """nubo-db dynamodb-conformance partiqlIndexQualifier (eu-west-2, 2026-08) and
    validation-ordering/partiql: a FROM of three components, and a WHERE's operand types,
    are refused whether or not the table exists."""
    for name in (table, f"{table}-never-created"):
        assert refused(ddb, f'SELECT * FROM "{name}"."gsi"."extra" WHERE pk = \'p\'') == (
            "ValidationException",
            "A path may contain at most 2 components in the FROM clause",
        )
        assert refused(ddb, f'SELECT pk FROM "{name}" WHERE pk = ? AND val < ?', {"S": "x"}, {"BOOL": True}) == (
            "ValidationException",
            "Incorrect operand type for operator or function; operator or function: <, operand type: BOOL",
        )
