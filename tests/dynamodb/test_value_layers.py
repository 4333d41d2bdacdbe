"""A bad number, a duplicate set member or an empty set is worded by the operation's value layer, as DynamoDB
does in the four regions captured in 2026-10 (value_layers.py): PutItem, UpdateItem and DeleteItem
in the current layer inside the validation envelope, GetItem, BatchGetItem and Query in the
current layer bare, BatchWriteItem, the transactions and Scan in the older layer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of

INVALID = "One or more parameter values were invalid: "
NOT_NUMERIC = "The parameter cannot be converted to a numeric value"
ONE = "1 validation error detected: "
# value, the current layer's text, the older layer's
BAD = [
    ({"N": ""}, f"{NOT_NUMERIC}: ", NOT_NUMERIC),
    ({"N": "1e2147483647"}, "Number overflow. Attempting to store a number with magnitude larger than supported range",
     "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    ({"SS": ["b", "a", "b"]}, INVALID + 'Input collection ["a", "b", "b"] contains duplicates.',
     INVALID + "Input collection [b, a, b] contains duplicates."),
    ({"BS": [b"\xff", b"\x00", b"\x00"]}, INVALID + 'Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.',
     INVALID + "Input collection [/w==, AA==, AA==]of type BS contains duplicates."),
    ({"NS": ["2", "1", "2"]}, INVALID + "Input collection contains duplicates.", "Input collection contains duplicates"),
    # an empty set, the same text in both layers (moto's aws_verified test_put_item_empty_set and
    # test_update_item_add_empty_set, 2026-10: inside the envelope)
    ({"SS": []}, INVALID + "An string set  may not be empty", INVALID + "An string set  may not be empty"),
    ({"NS": []}, INVALID + "An number set  may not be empty", INVALID + "An number set  may not be empty"),
]  # fmt: skip


@pytest.mark.parametrize(("value", "current", "older"), BAD)
def test_each_operation_words_a_bad_value_in_its_layer(ddb: Any, make_table: Any, value: dict, current: str,
                                                       older: str) -> None:  # fmt: skip
    table = make_table(("pk", "S"))
    key = {"pk": {"S": "k"}}
    condition = {"ConditionExpression": "attribute_not_exists(pk) OR n = :v", "ExpressionAttributeValues": {":v": value}}
    cases = [
        (ddb.put_item, {"TableName": table, "Item": {**key, "n": value}}, ONE + current),
        (ddb.put_item, {"TableName": table, "Item": key, **condition}, ONE + current),  # no wrapper
        (ddb.update_item, {"TableName": table, "Key": key, "AttributeUpdates": {"n": {"Action": "PUT", "Value": value}}}, ONE + current),
        (ddb.delete_item, {"TableName": table, "Key": {"pk": value}}, ONE + current),
        (ddb.get_item, {"TableName": table, "Key": {"pk": value}}, current),
        (ddb.query, {"TableName": table, "KeyConditionExpression": "pk = :p", "FilterExpression": "n = :v",
                     "ExpressionAttributeValues": {":p": {"S": "k"}, ":v": value}}, current),
        (ddb.batch_write_item, {"RequestItems": {table: [{"PutRequest": {"Item": {**key, "n": value}}}]}}, older),
        (ddb.transact_write_items, {"TransactItems": [{"Update": {"TableName": table, "Key": key, "UpdateExpression": "SET n = :v",
                                                                  "ExpressionAttributeValues": {":v": value}}}]},
         f"ExpressionAttributeValues contains invalid value: {older} for key :v"),
        (ddb.scan, {"TableName": table, "FilterExpression": "n = :v", "ExpressionAttributeValues": {":v": value}},
         f"ExpressionAttributeValues contains invalid value: {older} for key :v"),
    ]  # fmt: skip
    for call, kwargs, message in cases:
        assert error_of(call, **kwargs) == ("ValidationException", message), call.__name__
