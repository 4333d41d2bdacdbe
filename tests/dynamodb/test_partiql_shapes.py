"""PartiQL results as DynamoDB shapes them: a nested column, RETURNING in a batch, and SELECTs
on indexes that do not project everything (a GSI refuses what it lacks, an LSI fetches it from
the table, a keyed read may not filter on it, capacity on the index). Evidence:
nubo-db/dynamodb-conformance tier-2 PartiQL tests (executeStatement, batchExecuteStatement,
indexQualifier), which run against DynamoDB."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name

S = "S"
INVALID = "One or more parameter values were invalid: "


def run(ddb: Any, statement: str, **extra: Any) -> dict[str, Any]:
    return dict(ddb.execute_statement(Statement=statement, **extra))


@pytest.fixture
def indexed(ddb: Any) -> Iterator[str]:
    """pk/sk; GSI gsi-inc (gsiPk2) INCLUDE projattr; LSI lsi-keys (pk, lsiSk2) KEYS_ONLY.
    Three items in partition p, one (s3) in neither index; `nonproj` is projected by none."""
    name = table_name()
    key = lambda n, t: {"AttributeName": n, "KeyType": t}  # noqa: E731
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[key("pk", "HASH"), key("sk", "RANGE")],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": S} for n in ("pk", "sk", "gsiPk2", "lsiSk2")],
        GlobalSecondaryIndexes=[{"IndexName": "gsi-inc", "KeySchema": [key("gsiPk2", "HASH")],
                                 "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["projattr"]}}],
        LocalSecondaryIndexes=[{"IndexName": "lsi-keys", "KeySchema": [key("pk", "HASH"), key("lsiSk2", "RANGE")],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    )  # fmt: skip
    for sk in ("s1", "s2", "s4"):
        ddb.put_item(TableName=name, Item={
            "pk": {S: "p"}, "sk": {S: sk}, "gsiPk2": {S: "y"}, "lsiSk2": {S: "k" + sk[1]},
            "projattr": {S: "proj" + sk[1]}, "nonproj": {S: "np" + sk[1]}})  # fmt: skip
    ddb.put_item(TableName=name, Item={"pk": {S: "p"}, "sk": {S: "s3"}, "nonproj": {S: "np3"}})
    yield name
    ddb.delete_table(TableName=name)


def test_a_nested_column_is_named_by_its_last_part(ddb: Any, make_table: Any) -> None:
    name = make_table(("pk", S))
    ddb.put_item(TableName=name, Item={"pk": {S: "a"}, "mymap": {"M": {"nested": {S: "deep"}, "other": {S: "x"}}}})
    statement = f'SELECT mymap.nested FROM "{name}" WHERE pk = \'a\''
    assert run(ddb, statement)["Items"] == [{"nested": {S: "deep"}}]
    batch = ddb.batch_execute_statement(Statements=[{"Statement": statement}])
    assert batch["Responses"][0]["Item"] == {"nested": {S: "deep"}}
    transaction = ddb.execute_transaction(TransactStatements=[{"Statement": statement}])
    assert transaction["Responses"][0]["Item"] == {"nested": {S: "deep"}}


def test_a_column_ending_in_an_index_brings_only_its_own_path(ddb: Any, make_table: Any) -> None:
    name = make_table(("pk", S))
    listed = {"L": [{"N": "1"}, {"N": "2"}]}
    ddb.put_item(TableName=name, Item={"pk": {S: "a"}, "m": {"M": {"a": {S: "A"}, "b": listed, "c": {S: "C"}}}})
    statement = f'SELECT m.a, m.b[1] FROM "{name}" WHERE pk = \'a\''
    # `a` as a column of its own, not also inside `m` beside the list element
    assert run(ddb, statement)["Items"] == [{"a": {S: "A"}, "m": {"M": {"b": {"L": [{"N": "2"}]}}}}]


def test_batch_execute_statement_returns_what_returning_asks_for(ddb: Any, make_table: Any) -> None:
    name = make_table(("pk", S))
    ddb.put_item(TableName=name, Item={"pk": {S: "a"}, "data": {S: "old"}, "keep": {S: "k"}})
    updated = ddb.batch_execute_statement(Statements=[
        {"Statement": f'UPDATE "{name}" SET data = \'new\' WHERE pk = \'a\' RETURNING MODIFIED NEW *'}])  # fmt: skip
    assert updated["Responses"][0]["Item"] == {"data": {S: "new"}}
    deleted = ddb.batch_execute_statement(Statements=[
        {"Statement": f'DELETE FROM "{name}" WHERE pk = \'a\' RETURNING ALL OLD *'}])  # fmt: skip
    assert deleted["Responses"][0]["Item"] == {"pk": {S: "a"}, "data": {S: "new"}, "keep": {S: "k"}}


def test_select_star_on_an_index_is_its_projection(ddb: Any, indexed: str) -> None:
    found = run(ddb, f'SELECT * FROM "{indexed}"."gsi-inc" WHERE gsiPk2 = \'y\'', ReturnConsumedCapacity="INDEXES")
    assert sorted(sorted(item) for item in found["Items"]) == [["gsiPk2", "pk", "projattr", "sk"]] * 3
    consumed = found["ConsumedCapacity"]
    assert consumed["Table"]["CapacityUnits"] == 0
    assert consumed["GlobalSecondaryIndexes"]["gsi-inc"]["CapacityUnits"] == consumed["CapacityUnits"] > 0


def test_a_gsi_refuses_a_column_it_does_not_project(ddb: Any, indexed: str) -> None:
    assert error_of(
        ddb.execute_statement, Statement=f'SELECT nonproj, projattr, other FROM "{indexed}"."gsi-inc" WHERE gsiPk2 = \'y\''
    ) == ("ValidationException", INVALID + "Global secondary index gsi-inc does not project [nonproj, other]")


def test_an_lsi_fetches_a_column_it_does_not_project_from_the_table(ddb: Any, indexed: str) -> None:
    found = run(ddb, f'SELECT nonproj FROM "{indexed}"."lsi-keys" WHERE pk = \'p\'', ReturnConsumedCapacity="INDEXES")
    assert sorted(item["nonproj"][S] for item in found["Items"]) == ["np1", "np2", "np4"]  # s3 is not in the index
    consumed = found["ConsumedCapacity"]
    assert consumed["Table"]["CapacityUnits"] > 0
    assert consumed["LocalSecondaryIndexes"]["lsi-keys"]["CapacityUnits"] > 0
    only_projected = run(ddb, f'SELECT lsiSk2 FROM "{indexed}"."lsi-keys" WHERE pk = \'p\'', ReturnConsumedCapacity="INDEXES")
    assert only_projected["ConsumedCapacity"]["Table"]["CapacityUnits"] == 0
    # the fetch is charged for every row read, whatever the filter keeps
    none = run(ddb, f'SELECT nonproj FROM "{indexed}"."lsi-keys" WHERE pk = \'p\' AND sk = \'zz\'')
    assert none["Items"] == []


def test_a_keyed_read_may_not_filter_on_what_the_index_lacks(ddb: Any, indexed: str) -> None:
    message = INVALID + "Secondary index {} does not project one or more filter attributes: [nonproj]"
    for source, key in (("gsi-inc", "gsiPk2 = 'y'"), ("lsi-keys", "pk = 'p'"), ("gsi-inc", "gsiPk2 IN ['y', 'z']")):
        assert error_of(
            ddb.execute_statement, Statement=f'SELECT pk FROM "{indexed}"."{source}" WHERE {key} AND nonproj = \'np1\''
        ) == ("ValidationException", message.format(source))
    # unkeyed, the read is a scan of the index, which has no such attribute: nothing matches
    assert run(ddb, f'SELECT pk FROM "{indexed}"."gsi-inc" WHERE nonproj = \'np1\'')["Items"] == []
    assert len(run(ddb, f'SELECT pk FROM "{indexed}"."gsi-inc" WHERE gsiPk2 = \'y\' AND projattr = \'proj1\'')["Items"]) == 1
    # OR branches that each pin a partition do not make the read keyed: the filter runs on the
    # index's entries, which lack the attribute (nubo-db dynamodb-conformance indexQualifier)
    branches = "(gsiPk2 = 'zz' AND nonproj = 'np1') OR (gsiPk2 = 'y')"
    assert len(run(ddb, f'SELECT pk, sk FROM "{indexed}"."gsi-inc" WHERE {branches}')["Items"]) == 3
    branches = "(gsiPk2 = 'y' AND nonproj = 'np1') OR (gsiPk2 = 'zz')"
    assert run(ddb, f'SELECT pk, sk FROM "{indexed}"."gsi-inc" WHERE {branches}')["Items"] == []


def test_a_gsi_with_a_multi_attribute_key_is_not_read_with_partiql(ddb: Any) -> None:
    # paritysuite/dynamodb-conformance partiqlMultiAttributeIndex (eu-west-2, us-east-1)
    name = table_name()
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": S} for n in ("id", "h1", "h2", "r1")],
        GlobalSecondaryIndexes=[{"IndexName": "gsi", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
            {"AttributeName": "h1", "KeyType": "HASH"}, {"AttributeName": "h2", "KeyType": "HASH"},
            {"AttributeName": "r1", "KeyType": "RANGE"}]}],
    )  # fmt: skip
    try:
        refused = (
            "ValidationException",
            "PartiQL statements cannot be executed on tables with multi-attribute HASH keys or multi-attribute RANGE keys.",
        )
        for where in (" WHERE h1 = 'a'", " WHERE h1 = 5", " WHERE id = 'i1'", ""):
            assert error_of(ddb.execute_statement, Statement=f'SELECT * FROM "{name}"."gsi"{where}') == refused
        batch = ddb.batch_execute_statement(Statements=[
            {"Statement": f'SELECT * FROM "{name}"."gsi" WHERE h1 = \'a\' AND h2 = \'x\' AND r1 = \'m\''}])  # fmt: skip
        assert batch["Responses"][0]["Error"] == {"Code": "ValidationError", "Message": refused[1]}
        assert run(ddb, f'SELECT * FROM "{name}" WHERE id = \'i1\'')["Items"] == []  # the table itself is fine
    finally:
        ddb.delete_table(TableName=name)


UNCONVERTIBLE = "The parameter cannot be converted to a numeric value"


@pytest.mark.parametrize(("number", "message"), [
    ("1e99999999999", UNCONVERTIBLE + ": 1e99999999999"),
    ("-1e99999999999", UNCONVERTIBLE + ": -1e99999999999"),
    ("1e2147483648", UNCONVERTIBLE + ": 1e2147483648"),
    ("1e-2147483648", UNCONVERTIBLE + ": 1e-2147483648"),
    ("1e2147483647", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    ("", UNCONVERTIBLE),
])  # fmt: skip
def test_a_number_parameter_is_read_as_java_reads_it(ddb: Any, make_table: Any, number: str, message: str) -> None:
    # paritysuite/dynamodb-conformance partiqlParameterNumbers (eu-west-2, us-east-1)
    name = make_table(("pk", S))
    for statement in (f'SELECT * FROM "{name}" WHERE pk = \'a\' AND n = ?', f'UPDATE "{name}" SET n = ? WHERE pk = \'a\''):
        assert error_of(ddb.execute_statement, Statement=statement, Parameters=[{"N": number}]) == ("ValidationException", message)
    # in a transaction too, without the statement's prefix
    assert error_of(ddb.execute_transaction, TransactStatements=[
        {"Statement": f'UPDATE "{name}" SET n = ? WHERE pk = \'a\'', "Parameters": [{"N": number}]}]) == ("ValidationException", message)  # fmt: skip


def test_parameter_problems_are_reported_in_document_order(ddb: Any, make_table: Any) -> None:
    name = make_table(("pk", S))
    deep: dict = {"S": "leaf"}
    for _ in range(40):
        deep = {"M": {"n": deep}}
    nesting = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
    pair = f'SELECT * FROM "{name}" WHERE pk = \'a\' AND x = ? AND y = ?'
    assert error_of(ddb.execute_statement, Statement=pair, Parameters=[deep, {"N": "abc"}])[1] == nesting
    assert error_of(ddb.execute_statement, Statement=pair, Parameters=[{"N": "abc"}, deep])[1] == UNCONVERTIBLE + ": abc"


def test_a_condition_function_may_be_compared_with_a_boolean(ddb: Any, make_table: Any) -> None:
    # paritysuite/dynamodb-conformance whereFunctions ("can be compared with true")
    name = make_table(("pk", S))
    ddb.put_item(TableName=name, Item={"pk": {S: "a"}, "ss": {"SS": ["x"]}})
    where = f'SELECT pk FROM "{name}" WHERE pk = \'a\' AND '
    assert run(ddb, where + "attribute_exists(ss) = true")["Items"] == [{"pk": {S: "a"}}]
    assert run(ddb, where + "true = attribute_exists(nope)")["Items"] == []
    assert run(ddb, where + "attribute_exists(nope) = false")["Items"] == [{"pk": {S: "a"}}]
    assert run(ddb, where + "attribute_exists(ss) != true")["Items"] == []


def test_a_write_may_not_name_an_index(ddb: Any, indexed: str) -> None:
    # refused before the table is looked up (nubo-db dynamodb-conformance indexQualifier)
    for statement in (f'UPDATE "{indexed}"."gsi-inc" SET projattr = \'z\' WHERE pk = \'p\' AND sk = \'s1\'',
                      f'DELETE FROM "{indexed}"."gsi-inc" WHERE pk = \'p\' AND sk = \'s1\'',
                      'UPDATE "nosuchtable"."gsi-inc" SET a = \'z\' WHERE pk = \'p\''):  # fmt: skip
        assert error_of(ddb.execute_statement, Statement=statement) == (
            "ValidationException", "This operation is not supported on an index")  # fmt: skip
    assert error_of(
        ddb.execute_statement, Statement=f'INSERT INTO "{indexed}"."gsi-inc" VALUE {{\'pk\': \'w\', \'sk\': \'w\'}}'
    ) == ("ValidationException", "FROM clause may only contain a single table name")
    assert run(ddb, f'SELECT projattr FROM "{indexed}" WHERE pk = \'p\' AND sk = \'s1\'')["Items"] == [{"projattr": {S: "proj1"}}]


def test_an_empty_table_or_index_name_is_an_empty_path_component(ddb: Any, indexed: str) -> None:
    for source in ('""', f'"{indexed}".""'):
        assert error_of(ddb.execute_statement, Statement=f"SELECT * FROM {source}") == (
            "ValidationException", "Path component cannot be an empty string")  # fmt: skip


def test_a_condition_function_with_the_wrong_number_of_operands(ddb: Any, make_table: Any) -> None:
    # paritysuite/dynamodb-conformance partiqlFunctions (eu-west-2, us-east-1)
    name = make_table(("pk", S))
    for call, count in (("attribute_exists()", 0), ("attribute_exists(ss, ns)", 2)):
        assert error_of(ddb.execute_statement, Statement=f'SELECT * FROM "{name}" WHERE pk = \'a\' AND {call}') == (
            "ValidationException",
            "Incorrect number of operands for operator or function; operator or function: attribute_exists, "
            f"number of operands: {count}",
        )
