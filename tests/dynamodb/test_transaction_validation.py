"""Which problems of a transaction DynamoDB reports as one action's ValidationError cancellation
reason and which as a ValidationException for the whole request, and in what order it checks
them (Alternator's test_transact.py, run against DynamoDB; live captures in
paritysuite/dynamodb-conformance tests/tier3, error-messages/transact*.test.ts and
validation-ordering/transactions.test.ts)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, error_response, table_name

SCHEMA_MISMATCH = "The provided key element does not match the schema"
EMPTY_KEY = (
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
    "contain an empty {} value. Key: pk"
)
SYNTAX = 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("'
UNUSED = "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"


def cancellation(response: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    assert response["Error"]["Code"] == "TransactionCanceledException"
    return response["Error"]["Message"], response["CancellationReasons"]


def cancelled_by(codes: str) -> str:
    return f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]"


@pytest.fixture
def table(make_table: Any) -> str:
    return str(make_table())


def put(table: str, pk: Any, **extra: Any) -> dict:
    return {"Put": {"TableName": table, "Item": {"pk": pk}, **extra}}


def check(table: str, pk: Any, condition: str = "attribute_not_exists(pk)", **extra: Any) -> dict:
    return {"ConditionCheck": {"TableName": table, "Key": {"pk": pk}, "ConditionExpression": condition, **extra}}


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda t: put(t, {"N": "7"}), "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"),
        (lambda t: put(t, {"L": [{"S": "x"}]}), "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: L"),
        (lambda t: {"Put": {"TableName": t, "Item": {"other": {"S": "x"}}}}, "One or more parameter values were invalid: Missing the key pk in the item"),
        (lambda t: {"Delete": {"TableName": t, "Key": {"pk": {"N": "5"}}}}, SCHEMA_MISMATCH),
        (lambda t: check(t, {"L": [{"S": "x"}]}), SCHEMA_MISMATCH),
        (lambda t: {"Delete": {"TableName": t, "Key": {"pk": {"S": "a"}, "extra": {"S": "b"}}}}, SCHEMA_MISMATCH),
        (lambda t: {"Update": {"TableName": t, "Key": {"other": {"S": "a"}}, "UpdateExpression": "SET a = :v",
                               "ExpressionAttributeValues": {":v": {"S": "x"}}}}, SCHEMA_MISMATCH),
    ],
    ids=["put-wrong-type", "put-non-scalar", "put-missing-key", "delete-wrong-type", "check-non-scalar",
         "delete-extra-attribute", "update-missing-attribute"],
)  # fmt: skip
def test_a_key_that_does_not_match_the_schema_cancels(ddb: Any, table: str, action: Any, message: str) -> None:
    message_text, reasons = cancellation(error_response(ddb.transact_write_items, TransactItems=[action(table)]))
    assert message_text == cancelled_by("ValidationError")
    assert reasons == [{"Code": "ValidationError", "Message": message}]


def test_only_the_first_invalid_action_is_reported(ddb: Any, table: str) -> None:
    # Alternator's test_transact_write_cancellation_reasons_validationerror: the second bad key
    # and the false condition are not reached
    response = error_response(
        ddb.transact_write_items,
        TransactItems=[
            put(table, {"S": "fine"}),
            put(table, {"N": "7"}),
            put(table, {"N": "8"}),
            put(table, {"S": "new"}, ConditionExpression="attribute_exists(pk)"),
        ],
    )
    message, reasons = cancellation(response)
    assert message == cancelled_by("None, ValidationError, None, None")
    assert reasons[0] == reasons[2] == reasons[3] == {"Code": "None"}
    assert reasons[1]["Code"] == "ValidationError"
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "fine"}})


@pytest.mark.parametrize("kind", ["S", "B"])
def test_an_empty_key_value_is_a_request_error(ddb: Any, make_table: Any, kind: str) -> None:
    table = make_table(("pk", kind))
    empty = {kind: "" if kind == "S" else b""}
    expected = ("ValidationException", EMPTY_KEY.format("string" if kind == "S" else "binary"))
    assert error_of(ddb.transact_write_items, TransactItems=[put(table, empty)]) == expected
    assert error_of(ddb.transact_write_items, TransactItems=[{"Delete": {"TableName": table, "Key": {"pk": empty}}}]) == expected
    assert error_of(ddb.transact_write_items, TransactItems=[check(table, empty)]) == expected


def test_transact_get_items_key_problems_cancel(ddb: Any, table: str) -> None:
    message, reasons = cancellation(
        error_response(ddb.transact_get_items, TransactItems=[{"Get": {"TableName": table, "Key": {}}}])
    )
    assert message == cancelled_by("ValidationError")
    assert reasons == [{"Code": "ValidationError", "Message": SCHEMA_MISMATCH}]
    gets = [
        {"Get": {"TableName": table, "Key": {"pk": {"S": "a"}}}},
        {"Get": {"TableName": table, "Key": {"pk": {"N": "1"}}}},
    ]
    message, reasons = cancellation(error_response(ddb.transact_get_items, TransactItems=gets))
    assert message == cancelled_by("None, ValidationError")
    assert reasons == [{"Code": "None"}, {"Code": "ValidationError", "Message": SCHEMA_MISMATCH}]


def test_expressions_are_checked_before_any_table(ddb: Any, table: str) -> None:
    missing = put(table_name(), {"S": "a"})
    assert error_of(ddb.transact_write_items, TransactItems=[missing, check(table, {"S": "c"}, "attribute_not_exists(")]) == (
        "ValidationException",
        SYNTAX,
    )
    unused = check(table, {"S": "c"}, ExpressionAttributeValues={":v": {"S": "x"}})
    for items in ([missing, unused], [unused, missing], [put(table, {"S": "c"}), unused]):
        assert error_of(ddb.transact_write_items, TransactItems=items) == ("ValidationException", UNUSED)
    # a bad key is reported after every table is found
    assert error_of(ddb.transact_write_items, TransactItems=[put(table, {"N": "1"}), missing])[0] == (
        "ResourceNotFoundException"
    )
    get_missing = {"Get": {"TableName": table_name(), "Key": {"pk": {"S": "a"}}}}
    unused_name = {"Get": {"TableName": table, "Key": {"pk": {"S": "a"}}, "ProjectionExpression": "a",
                           "ExpressionAttributeNames": {"#x": "x"}}}  # fmt: skip
    assert error_of(ddb.transact_get_items, TransactItems=[get_missing, unused_name]) == (
        "ValidationException",
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}",
    )


def test_item_checks_and_expressions_go_in_action_order(ddb: Any, table: str) -> None:
    deep: dict[str, Any] = {"S": "leaf"}
    for _ in range(32):
        deep = {"M": {"n": deep}}
    too_deep = {"Put": {"TableName": table, "Item": {"pk": {"S": "deep"}, "data": deep}}}
    malformed = check(table, {"S": "c"}, "attribute_not_exists(")
    assert error_of(ddb.transact_write_items, TransactItems=[malformed, too_deep]) == ("ValidationException", SYNTAX)
    code, message = error_of(ddb.transact_write_items, TransactItems=[too_deep, malformed])
    assert code == "ValidationException" and message.startswith("Nesting Levels have exceeded supported limits")


def test_a_long_token_is_reported_before_an_unknown_capacity_mode(ddb: Any, table: str) -> None:
    token = "x" * 37
    assert error_of(
        ddb.transact_write_items,
        TransactItems=[put(table, {"S": "a"})],
        ClientRequestToken=token,
        ReturnConsumedCapacity="BOGUS",
    )[1] == (
        f"2 validation errors detected: Value '{token}' at 'clientRequestToken' failed to satisfy constraint: "
        "Member must have length less than or equal to 36; Value 'BOGUS' at 'returnConsumedCapacity' failed to "
        "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
    )


NESTING = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"


def test_a_value_too_deep_to_write_is_checked_only_where_it_is_written(ddb: Any, table: str) -> None:
    # paritysuite/dynamodb-conformance (30 of 33 regions, 2026-10): a condition compares a value
    # nested 32 levels; a transaction's Update that would write it is cancelled with a reason
    deep: dict[str, Any] = {"S": "leaf"}
    for _ in range(32):
        deep = {"M": {"n": deep}}
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "d": {"S": "shallow"}})
    key = {"pk": {"S": "a"}}
    assert error_of(
        ddb.update_item, TableName=table, Key=key, UpdateExpression="SET touched = :t",
        ConditionExpression="d = :deep", ExpressionAttributeValues={":t": {"S": "x"}, ":deep": deep},
    )[0] == "ConditionalCheckFailedException"  # fmt: skip
    assert error_of(
        ddb.update_item, TableName=table, Key=key, UpdateExpression="SET d = :deep",
        ExpressionAttributeValues={":deep": deep},
    ) == ("ValidationException", NESTING)  # fmt: skip
    response = error_response(ddb.transact_write_items, TransactItems=[{"Update": {
        "TableName": table, "Key": key, "UpdateExpression": "SET d = :deep", "ExpressionAttributeValues": {":deep": deep},
    }}])  # fmt: skip
    message, reasons = cancellation(response)
    assert message == cancelled_by("ValidationError") and reasons[0]["Message"] == NESTING
    response = error_response(ddb.transact_write_items, TransactItems=[
        check(table, {"S": "a"}, "d = :deep", ExpressionAttributeValues={":deep": deep})])  # fmt: skip
    assert cancellation(response)[0] == cancelled_by("ConditionalCheckFailed")
    assert ddb.get_item(TableName=table, Key=key)["Item"] == {"pk": {"S": "a"}, "d": {"S": "shallow"}}
