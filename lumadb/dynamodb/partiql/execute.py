"""Running planned PartiQL statements through the item operations: a write is the PutItem,
UpdateItem or DeleteItem it means, a key read in a batch is a GetItem, a transaction is a
TransactWriteItems or TransactGetItems. Errors keep DynamoDB's PartiQL wording (an INSERT of an
existing key is a DuplicateItemException)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.operations import delete_item, get_item, put_item, update_item
from lumadb.dynamodb.partiql.translate import without_expression_prefix

if TYPE_CHECKING:
    from lumadb.dynamodb.partiql.statements import Read, Write
    from lumadb.dynamodb.service import DynamoService
    from lumadb.http import Request

DUPLICATE = "Duplicate primary key exists in table"
_HANDLERS = {"PutItem": put_item.handle, "UpdateItem": update_item.handle, "DeleteItem": delete_item.handle}


def duplicate_item() -> DynamoError:
    return DynamoError.duplicate_item(DUPLICATE)


async def run_write(service: DynamoService, write: Write, options: dict, request: Request) -> dict:
    """One write; `options` carries ReturnConsumedCapacity and ReturnValuesOnConditionCheckFailure."""
    if write.operation == "ConditionCheck":
        raise DynamoError.validation("EXISTS can only be used in ExecuteTransaction write requests.")
    body = dict(write.body)
    for name in ("ReturnConsumedCapacity", "ReturnValuesOnConditionCheckFailure"):
        if options.get(name) is not None:
            body[name] = options[name]
    try:
        result = await _HANDLERS[write.operation](service, body, request)
    except DynamoError as error:
        if write.insert and error.short_type == "ConditionalCheckFailedException":
            raise duplicate_item() from None
        # the update's SET/REMOVE compile in UpdateItem: PartiQL names no request parameter
        raise without_expression_prefix(error) from None
    out: dict[str, Any] = {"Items": [result["Attributes"]] if "Attributes" in result else []}
    if "ConsumedCapacity" in result:
        out["ConsumedCapacity"] = result["ConsumedCapacity"]
    return out


async def run_key_read(service: DynamoService, read: Read, options: dict, request: Request) -> dict:
    body = dict(read.body)
    for name in ("ConsistentRead", "ReturnConsumedCapacity"):
        if options.get(name) is not None:
            body[name] = options[name]
    return await get_item.handle(service, body, request)


def transact_write_item(write: Write, options: dict) -> dict:
    """The TransactItems entry of a write statement."""
    part = {k: v for k, v in write.body.items() if k != "ReturnValues"}
    if options.get("ReturnValuesOnConditionCheckFailure") is not None:
        part["ReturnValuesOnConditionCheckFailure"] = options["ReturnValuesOnConditionCheckFailure"]
    kind = {"PutItem": "Put", "UpdateItem": "Update", "DeleteItem": "Delete"}.get(
        write.operation, write.operation
    )
    return {kind: part}


def transact_get_item(read: Read) -> dict:
    return {"Get": dict(read.body)}


def with_duplicates(error: DynamoError, writes: list[Write]) -> DynamoError:
    """A cancelled transaction whose INSERTs failed their condition: DynamoDB reports DuplicateItem."""
    reasons = error.extra.get("CancellationReasons")
    if error.short_type != "TransactionCanceledException" or not reasons:
        return error
    changed = []
    for write, reason in zip(writes, reasons, strict=False):
        if write.insert and reason.get("Code") == "ConditionalCheckFailed":
            reason = {"Code": "DuplicateItem", "Message": DUPLICATE}
        changed.append(reason)
    return DynamoError.transaction_canceled(changed)
