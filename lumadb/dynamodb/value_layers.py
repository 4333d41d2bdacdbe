"""The two wordings DynamoDB gives a bad number or a duplicate set member, by operation.

Captured in eu-west-2, us-east-1, eu-west-1 and us-west-2 (2026-10, paritysuite/dynamodb-
conformance tier3/error-messages/valueLayers): PutItem, UpdateItem and DeleteItem check values in
the *current* layer inside the `1 validation error detected: ` envelope, wherever the value sits
(item, key, expression value, AttributeUpdates, Expected); GetItem, BatchGetItem and Query in the
current layer, bare. The rest (BatchWriteItem, the transactions, Scan, PartiQL) run the *older*
layer: members as sent and unquoted, no colon after an empty number, Java's int wrap-around that
makes 1e2147483647 an underflow, and expression values inside the `ExpressionAttributeValues
contains invalid value: ` wrapper. eu-west-2 runs the current layer on transactions too; LumaDB
follows the three regions that do not.

An error carries both texts (`DynamoError.bad_value`); `in_layer` picks one per operation."""

from __future__ import annotations

from lumadb.dynamodb.errors import DynamoError

CURRENT = frozenset({"PutItem", "UpdateItem", "DeleteItem", "GetItem", "BatchGetItem", "Query"})
ENVELOPED = frozenset({"PutItem", "UpdateItem", "DeleteItem"})


def in_layer(error: DynamoError, operation: str | None) -> DynamoError:
    """The error as the operation's layer words it (unchanged if it is not a bad value)."""
    if error.current is None or operation not in CURRENT:
        return error
    if operation in ENVELOPED:
        return DynamoError.validation("1 validation error detected: " + error.current)
    return DynamoError.validation(error.current)
