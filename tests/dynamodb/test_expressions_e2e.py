"""Expressions end to end with boto3 against the real server: every UpdateExpression clause,
conditions, filters, projections, key conditions, legacy parameters and DynamoDB's messages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, error_response


def S(text: str) -> dict:
    return {"S": text}


def N(text: str | int) -> dict:
    return {"N": str(text)}


@pytest.fixture
def table(make_table: Any) -> str:
    return str(make_table(("pk", "S")))


@pytest.fixture
def sorted_table(ddb: Any, make_table: Any) -> str:
    name = str(make_table(("pk", "S"), ("sk", "N")))
    for sk in range(1, 6):
        ddb.put_item(
            TableName=name,
            Item={
                "pk": S("p"),
                "sk": N(sk),
                "n": N(sk * 10),
                "s": S(f"item{sk}"),
                "tags": {"SS": [f"t{sk}", "all"]},
            },
        )
    ddb.put_item(TableName=name, Item={"pk": S("other"), "sk": N(1), "n": N(10)})
    return name


def updated(ddb: Any, table: str, key: dict, expression: str, **kwargs: Any) -> dict:
    response = ddb.update_item(
        TableName=table, Key=key, UpdateExpression=expression, ReturnValues="ALL_NEW", **kwargs
    )
    return dict(response.get("Attributes", {}))


def invalid(ddb_call: Any, **kwargs: Any) -> str:
    code, message = error_of(ddb_call, **kwargs)
    assert code == "ValidationException"
    return message


# ---- UpdateExpression ----------------------------------------------------------------------


def test_set_with_arithmetic_functions_and_nested_paths(ddb: Any, table: str) -> None:
    key = {"pk": S("u1")}
    ddb.put_item(TableName=table, Item={**key, "n": N(2), "l": {"L": [S("a")]}, "m": {"M": {"x": N(1)}}})
    item = updated(
        ddb, table, key,
        "SET n = n + :one, c = if_not_exists(c, :zero) - :one, l = list_append(l, :more), m.y = :v, #s = :v",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":one": N(1), ":zero": N(0), ":more": {"L": [S("b")]}, ":v": S("v")},
    )  # fmt: skip
    assert item == {
        **key, "n": N(3), "c": N(-1), "l": {"L": [S("a"), S("b")]}, "m": {"M": {"x": N(1), "y": S("v")}}, "status": S("v"),
    }  # fmt: skip


def test_set_reads_values_before_writing_and_decimal_arithmetic_is_exact(ddb: Any, table: str) -> None:
    key = {"pk": S("u2")}
    ddb.put_item(TableName=table, Item={**key, "a": N("0.1"), "b": S("old")})
    item = updated(
        ddb,
        table,
        key,
        "SET a = a + :x, b = :new, c = b",
        ExpressionAttributeValues={":x": N("0.2"), ":new": S("new")},
    )
    assert item["a"] == N("0.3") and item["b"] == S("new") and item["c"] == S("old")


def test_remove_shifts_list_elements_and_set_past_the_end_appends(ddb: Any, table: str) -> None:
    key = {"pk": S("u3")}
    ddb.put_item(TableName=table, Item={**key, "l": {"L": [N(i) for i in range(2, 8)]}, "gone": S("x")})
    item = updated(
        ddb,
        table,
        key,
        "REMOVE l[1], gone SET l[3] = :v, l[20] = :w",
        ExpressionAttributeValues={":v": N(17), ":w": N(99)},
    )
    assert item == {**key, "l": {"L": [N(2), N(4), N(17), N(6), N(7), N(99)]}}


def test_add_creates_and_adds_numbers_and_sets(ddb: Any, table: str) -> None:
    key = {"pk": S("u4")}
    item = updated(
        ddb,
        table,
        key,
        "ADD n :five, s :set",
        ExpressionAttributeValues={":five": N(5), ":set": {"SS": ["a", "b"]}},
    )
    assert item == {**key, "n": N(5), "s": {"SS": ["a", "b"]}}
    item = updated(
        ddb,
        table,
        key,
        "ADD n :five, s :set",
        ExpressionAttributeValues={":five": N(-2), ":set": {"SS": ["b", "c"]}},
    )
    assert item["n"] == N(3) and sorted(item["s"]["SS"]) == ["a", "b", "c"]


def test_delete_removes_set_elements_and_the_emptied_attribute(ddb: Any, table: str) -> None:
    key = {"pk": S("u5")}
    ddb.put_item(TableName=table, Item={**key, "s": {"NS": ["1", "2", "3"]}})
    assert updated(ddb, table, key, "DELETE s :v", ExpressionAttributeValues={":v": {"NS": ["2.0"]}})[
        "s"
    ] == {"NS": ["1", "3"]}
    assert (
        updated(ddb, table, key, "DELETE s :v", ExpressionAttributeValues={":v": {"NS": ["1", "3"]}}) == key
    )


def test_list_append_takes_if_not_exists_operands(ddb: Any, table: str) -> None:
    key = {"pk": S("nest")}
    values = {":empty": {"L": []}, ":v": {"L": [N(1)]}}
    expression = "SET l = list_append(if_not_exists(l, :empty), :v)"
    assert updated(ddb, table, key, expression, ExpressionAttributeValues=values)["l"] == {"L": [N(1)]}
    assert updated(ddb, table, key, expression, ExpressionAttributeValues=values)["l"] == {"L": [N(1), N(1)]}
    prepend = "SET l = list_append(:v, if_not_exists(l, :empty))"
    assert updated(ddb, table, key, prepend, ExpressionAttributeValues=values)["l"] == {"L": [N(1)] * 3}


def test_updated_new_returns_the_touched_attributes(ddb: Any, table: str) -> None:
    key = {"pk": S("u6")}
    ddb.put_item(TableName=table, Item={**key, "a": N(1), "b": N(2)})
    response = ddb.update_item(
        TableName=table, Key=key, UpdateExpression="SET a = a + :one", ExpressionAttributeValues={":one": N(1)},
        ReturnValues="UPDATED_NEW",
    )  # fmt: skip
    assert response["Attributes"] == {"a": N(2)}


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        ("SET a = ", None, 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "= "'),
        ("SET a = :v SET b = :v", {":v": N(1)}, 'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'),
        ("SET a.b = :v, a = :v", {":v": N(1)}, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"),
        ("SET a.b = :v, a[0] = :v", {":v": N(1)}, "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]"),
        ("SET count = :v", {":v": N(1)}, "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: count"),
        ("SET a = :v", None, "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v"),
        ("SET a = :v", {":v": N(1), ":w": N(2)}, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"),
        ("SET pk = :v", {":v": S("x")}, "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"),
        ("SET a = attribute_exists(b)", None, "Invalid UpdateExpression: The function is not allowed in an update expression; function: attribute_exists"),
        ("SET l = list_append(:v, list_append(l, :v))", {":v": {"L": []}}, "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append"),
        ("SET l = list_append(list_append(l, :v), :v)", {":v": {"L": []}}, "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append"),
        ("SET l = if_not_exists(m, list_append(l, :v))", {":v": {"L": []}}, "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append"),
        ("SET a = if_not_exists(if_not_exists(a, :v), :v)", {":v": N(1)}, "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"),
        ("ADD a :v", {":v": S("x")}, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"),
        ("SET absent.x = :v", {":v": N(1)}, "The document path provided in the update expression is invalid for update"),
        ("SET s = s + :v", {":v": N(1)}, "An operand in the update expression has an incorrect data type"),
        ("SET a = nothing", None, "The provided expression refers to an attribute that does not exist in the item"),
        ("", None, "Invalid UpdateExpression: The expression can not be empty;"),
    ],
)  # fmt: skip
def test_update_errors(ddb: Any, table: str, expression: str, values: dict | None, message: str) -> None:
    key = {"pk": S("err")}
    ddb.put_item(TableName=table, Item={**key, "s": S("text")})
    kwargs: dict[str, Any] = {"ExpressionAttributeValues": values} if values else {}
    assert (
        invalid(ddb.update_item, TableName=table, Key=key, UpdateExpression=expression, **kwargs) == message
    )
    assert ddb.get_item(TableName=table, Key=key)["Item"] == {**key, "s": S("text")}  # nothing applied


def test_expression_limits(ddb: Any, table: str) -> None:
    key = {"pk": S("lim")}
    long_expression = "SET " + "a" * 4088 + " = :v"
    assert invalid(ddb.update_item, TableName=table, Key=key, UpdateExpression=long_expression, ExpressionAttributeValues={":v": N(1)}) == (
        "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;"
    )  # fmt: skip
    # only a condition or a filter reports its size (captured from AWS, us-east-1)
    long_condition = "attribute_not_exists(" + "a" * 4075 + ")"
    assert invalid(ddb.put_item, TableName=table, Item=key, ConditionExpression=long_condition) == (
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"
    )
    long_projection = "a" * 4097
    assert invalid(ddb.get_item, TableName=table, Key=key, ProjectionExpression=long_projection) == (
        "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size;"
    )
    many = " AND ".join(["a < b"] * 151)
    assert invalid(ddb.put_item, TableName=table, Item=key, ConditionExpression=many) == (
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    )
    nested = "(" * 2000 + "a = b" + ")" * 2000
    assert invalid(ddb.put_item, TableName=table, Item=key, ConditionExpression=nested) == (
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    )


# ---- conditions ----------------------------------------------------------------------------


def test_conditions_on_put_update_and_delete(ddb: Any, table: str) -> None:
    key = {"pk": S("c1")}
    ddb.put_item(TableName=table, Item={**key, "v": N(1)}, ConditionExpression="attribute_not_exists(pk)")
    code, _ = error_of(
        ddb.put_item, TableName=table, Item=key, ConditionExpression="attribute_not_exists(pk)"
    )
    assert code == "ConditionalCheckFailedException"
    response = error_response(
        ddb.update_item, TableName=table, Key=key, UpdateExpression="SET v = :two",
        ConditionExpression="v = :zero", ExpressionAttributeValues={":two": N(2), ":zero": N(0)},
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )  # fmt: skip
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert response["Error"]["Message"] == "The conditional request failed"
    assert response["Item"] == {**key, "v": N(1)}
    ddb.update_item(
        TableName=table, Key=key, UpdateExpression="SET v = v + :one",
        ConditionExpression="v BETWEEN :lo AND :hi AND NOT contains(v, :x)",
        ExpressionAttributeValues={":one": N(1), ":lo": N(0), ":hi": N(5), ":x": S("x")},
    )  # fmt: skip
    code, _ = error_of(
        ddb.delete_item, TableName=table, Key=key, ConditionExpression="#v <> :two",
        ExpressionAttributeNames={"#v": "v"}, ExpressionAttributeValues={":two": N(2)},
    )  # fmt: skip
    assert code == "ConditionalCheckFailedException"
    ddb.delete_item(
        TableName=table,
        Key=key,
        ConditionExpression="size(pk) = :two",
        ExpressionAttributeValues={":two": N(2)},
    )
    assert "Item" not in ddb.get_item(TableName=table, Key=key)


@pytest.mark.parametrize(
    ("condition", "values", "message"),
    [
        ("size(a)", None, "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"),
        ("a BETWEEN :hi AND :lo", {":hi": N(5), ":lo": N(1)}, "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"),
        ("status = :v", {":v": S("x")}, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
        ("a = :v AND", {":v": S("x")}, 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"'),
        ("foo", None, 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "foo"'),
        ("((a = :v))", {":v": S("x")}, "Invalid ConditionExpression: The expression has redundant parentheses;"),
        ("begins_with(a, :v)", {":v": N(1)}, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
        ("unknown_fn(a)", None, "Invalid ConditionExpression: Invalid function name; function: unknown_fn"),
        ("#a = :v", {":v": S("x")}, "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #a"),
        ("attribute_type(a, a)", None, "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: attribute_type, first operand: [a]"),
    ],
)  # fmt: skip
def test_condition_errors(ddb: Any, table: str, condition: str, values: dict | None, message: str) -> None:
    kwargs: dict[str, Any] = {"ExpressionAttributeValues": values} if values else {}
    assert (
        invalid(ddb.put_item, TableName=table, Item={"pk": S("ce")}, ConditionExpression=condition, **kwargs)
        == message
    )


def test_attribute_type_takes_a_value_as_its_first_operand(ddb: Any, table: str) -> None:
    # DynamoDB evaluates attribute_type(:value, :type) (attribute_exists needs a path)
    key = {"pk": S("at")}
    ddb.put_item(TableName=table, Item=key, ConditionExpression="attribute_type(:v, :t)", ExpressionAttributeValues={":v": N(0), ":t": S("N")})  # fmt: skip
    assert ddb.get_item(TableName=table, Key=key)["Item"] == key
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName=table, Item=key, ConditionExpression="attribute_type(:v, :t)", ExpressionAttributeValues={":v": N(0), ":t": S("S")})  # fmt: skip


def test_placeholder_map_errors(ddb: Any, table: str) -> None:
    key = {"pk": S("pm")}
    assert invalid(ddb.put_item, TableName=table, Item=key, ConditionExpression="a = :v", ExpressionAttributeValues={":v": S("x")}, ExpressionAttributeNames={"#n": "b"}) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}"
    )  # fmt: skip
    assert invalid(ddb.put_item, TableName=table, Item=key, ExpressionAttributeValues={":v": S("x")}) == (
        "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"
    )
    assert invalid(ddb.get_item, TableName=table, Key=key, ExpressionAttributeNames={"#n": "b"}) == (
        "ExpressionAttributeNames can only be specified when using expressions"
    )
    assert invalid(ddb.update_item, TableName=table, Key=key, UpdateExpression="SET #e = :v", ExpressionAttributeNames={"#e": ""}, ExpressionAttributeValues={":v": S("x")}) == (
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key #e"
    )  # fmt: skip
    assert invalid(ddb.query, TableName=table, KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("pm")]}}, ExpressionAttributeValues={":v": S("x")}) == (
        "ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null"
    )  # fmt: skip
    assert invalid(
        ddb.put_item, TableName=table, Item=key, ConditionExpression="a = :v", ExpressionAttributeValues={}
    ) == ("ExpressionAttributeValues must not be empty")
    assert invalid(ddb.update_item, TableName=table, Key=key, UpdateExpression="SET a = :v", AttributeUpdates={"a": {"Value": S("x")}}, ExpressionAttributeValues={":v": S("x")}) == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"
    )  # fmt: skip


# ---- projections, filters, key conditions ----------------------------------------------------


def test_projection_returns_nested_shapes(ddb: Any, table: str) -> None:
    key = {"pk": S("pr")}
    ddb.put_item(
        TableName=table,
        Item={**key, "a": {"M": {"b": {"L": [S("zero"), S("one"), S("two")]}, "c": N(1)}}, "d": N(4)},
    )
    item = ddb.get_item(
        TableName=table,
        Key=key,
        ProjectionExpression="a.b[1], a.b[2], #d",
        ExpressionAttributeNames={"#d": "d"},
    )["Item"]
    assert item == {"a": {"M": {"b": {"L": [S("one"), S("two")]}}}, "d": N(4)}
    assert invalid(ddb.get_item, TableName=table, Key=key, ProjectionExpression="a, a.b") == (
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; "
        "path one: [a], path two: [a, b]"
    )


def test_query_with_key_condition_filter_and_projection(ddb: Any, sorted_table: str) -> None:
    response = ddb.query(
        TableName=sorted_table,
        KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
        FilterExpression="n > :min AND contains(tags, :tag)",
        ProjectionExpression="sk, s",
        ExpressionAttributeValues={":p": S("p"), ":lo": N(2), ":hi": N(5), ":min": N(20), ":tag": S("all")},
    )
    assert response["Items"] == [
        {"sk": N(3), "s": S("item3")},
        {"sk": N(4), "s": S("item4")},
        {"sk": N(5), "s": S("item5")},
    ]
    assert response["ScannedCount"] == 4 and response["Count"] == 3


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        ("pk = :p OR sk = :s", {":p": S("p"), ":s": N(1)}, "Invalid operator used in KeyConditionExpression: OR"),
        ("sk = :s", {":s": N(1)}, "Query condition missed key schema element: pk"),
        ("pk = :p AND sk > :s AND sk < :s", {":p": S("p"), ":s": N(1)}, "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"),
        ("pk = :p AND n = :s", {":p": S("p"), ":s": N(1)}, "Query condition missed key schema element: sk"),
        ("pk = :p AND size(sk) > :s", {":p": S("p"), ":s": N(1)}, "KeyConditionExpressions cannot contain nested operations"),
        ("pk = :p AND", {":p": S("p")}, 'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND"'),
    ],
)  # fmt: skip
def test_key_condition_errors(
    ddb: Any, sorted_table: str, expression: str, values: dict, message: str
) -> None:
    assert (
        invalid(
            ddb.query,
            TableName=sorted_table,
            KeyConditionExpression=expression,
            ExpressionAttributeValues=values,
        )
        == message
    )


def test_scan_filter_expression_and_its_errors(ddb: Any, sorted_table: str) -> None:
    response = ddb.scan(
        TableName=sorted_table, FilterExpression="n IN (:a, :b) OR attribute_not_exists(s)",
        ExpressionAttributeValues={":a": N(20), ":b": N(40)},
    )  # fmt: skip
    found = sorted((item["pk"]["S"], item["sk"]["N"]) for item in response["Items"])
    assert found == [("other", "1"), ("p", "2"), ("p", "4")]
    assert invalid(ddb.scan, TableName=sorted_table, FilterExpression="n = :missing", ExpressionAttributeValues={":a": N(1)}) == (
        "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :missing"
    )  # fmt: skip


# ---- legacy parameters ------------------------------------------------------------------------


def test_legacy_parameters(ddb: Any, table: str, sorted_table: str) -> None:
    key = {"pk": S("legacy")}
    ddb.update_item(
        TableName=table, Key=key,
        AttributeUpdates={"n": {"Action": "ADD", "Value": N(5)}, "s": {"Action": "PUT", "Value": S("x")}},
    )  # fmt: skip
    ddb.update_item(
        TableName=table,
        Key=key,
        AttributeUpdates={"n": {"Action": "ADD", "Value": N(1)}},
        Expected={"s": {"Value": S("x")}},
    )
    assert ddb.get_item(TableName=table, Key=key, AttributesToGet=["n"])["Item"] == {"n": N(6)}
    code, _ = error_of(
        ddb.delete_item,
        TableName=table,
        Key=key,
        Expected={"n": {"ComparisonOperator": "LT", "AttributeValueList": [N(6)]}},
    )
    assert code == "ConditionalCheckFailedException"
    response = ddb.query(
        TableName=sorted_table,
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]},
                       "sk": {"ComparisonOperator": "GE", "AttributeValueList": [N(4)]}},
        QueryFilter={"n": {"ComparisonOperator": "LT", "AttributeValueList": [N(50)]}},
    )  # fmt: skip
    assert [item["sk"] for item in response["Items"]] == [N(4)]
    assert invalid(ddb.put_item, TableName=table, Item=key, Expected={"n": {"Exists": True}}) == (
        "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: n"
    )


def test_missing_attributes_in_comparisons(ddb: Any, table: str) -> None:
    """Two missing attributes are never equal and always unequal; the legacy NOT_CONTAINS fails
    on a missing attribute, as CONTAINS does. ScyllaDB's Alternator tests, run against DynamoDB
    (test_update_condition_eq_two_unset, test_update_condition_ne_two_unset,
    test_update_expected_1_not_contains); dynalite answers all three the other way."""
    key = {"pk": S("missing")}
    ddb.put_item(TableName=table, Item={**key, "v": N(1)})
    ddb.update_item(TableName=table, Key=key, UpdateExpression="SET v = :two", ConditionExpression="q <> z",
                    ExpressionAttributeValues={":two": N(2)})  # fmt: skip
    assert error_of(ddb.update_item, TableName=table, Key=key, UpdateExpression="SET v = :three",
                    ConditionExpression="q = z", ExpressionAttributeValues={":three": N(3)})[0] == (
        "ConditionalCheckFailedException")  # fmt: skip
    assert error_of(ddb.update_item, TableName=table, Key=key, AttributeUpdates={"v": {"Value": N(4)}},
                    Expected={"q": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [N(1)]}})[0] == (
        "ConditionalCheckFailedException")  # fmt: skip
    assert ddb.get_item(TableName=table, Key=key)["Item"]["v"] == N(2)
