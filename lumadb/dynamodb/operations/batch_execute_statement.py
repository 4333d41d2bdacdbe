"""BatchExecuteStatement: up to 25 statements, all reads (each of one item by its full key) or
all writes; each succeeds or fails on its own, and its error is reported in its response."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.partiql.execute import run_key_read, run_write
from lumadb.dynamodb.partiql.statements import Read, Write, plan
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService

KEY_REQUIRED = (
    "Select statements within BatchExecuteStatement must specify the primary key in the where clause."
)
_CODES = {
    "ConditionalCheckFailedException": "ConditionalCheckFailed",
    "DuplicateItemException": "DuplicateItem",
    "ResourceNotFoundException": "ResourceNotFound",
    "TransactionConflictException": "TransactionConflict",
    "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceeded",
    "ProvisionedThroughputExceededException": "ProvisionedThroughputExceeded",
    "RequestLimitExceeded": "RequestLimitExceeded",
}


def _error(error: DynamoError) -> dict[str, Any]:
    out: dict[str, Any] = {"Code": _CODES.get(error.short_type, "ValidationError"), "Message": error.message}
    if "Item" in error.extra:
        out["Item"] = error.extra["Item"]
    return out


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    statements = body["Statements"]
    planned: list[Read | Write | DynamoError] = []
    for statement in statements:
        try:
            step: Read | Write = plan(statement["Statement"], statement.get("Parameters"), service.catalog)
            if isinstance(step, Read) and step.key is None:
                raise DynamoError.validation(KEY_REQUIRED)
            if isinstance(step, Write) and step.operation == "ConditionCheck":
                raise DynamoError.validation("EXISTS can only be used in ExecuteTransaction write requests.")
            planned.append(step)
        except DynamoError as error:
            planned.append(error)
    kinds = {type(step) for step in planned if not isinstance(step, DynamoError)}
    if len(kinds) > 1:
        raise DynamoError.validation("Read and write requests together in the same batch is not supported.")
    options = {"ReturnConsumedCapacity": body.get("ReturnConsumedCapacity")}
    responses: list[dict[str, Any]] = []
    consumed: list[dict[str, Any]] = []
    for statement, planned_step in zip(statements, planned, strict=True):
        if isinstance(planned_step, DynamoError):
            responses.append({"Error": _error(planned_step)})
            continue
        step = planned_step
        response: dict[str, Any] = {"TableName": step.table.name}
        try:
            if isinstance(step, Read):
                result = await run_key_read(
                    service, step, {**options, "ConsistentRead": statement.get("ConsistentRead")}, request
                )
                if "Item" in result:
                    response["Item"] = step.shaped(result["Item"])
            else:
                per_statement = {
                    **options,
                    "ReturnValuesOnConditionCheckFailure": statement.get(
                        "ReturnValuesOnConditionCheckFailure"
                    ),
                }
                result = await run_write(service, step, per_statement, request)
                if result["Items"]:  # RETURNING: the item, as ExecuteStatement returns it
                    response["Item"] = result["Items"][0]
            if "ConsumedCapacity" in result:
                consumed.append(result["ConsumedCapacity"])
        except DynamoError as error:
            response["Error"] = _error(error)
        responses.append(response)
    out: dict[str, Any] = {"Responses": responses}
    if consumed:
        out["ConsumedCapacity"] = consumed
    return out
