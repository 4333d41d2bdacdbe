"""ExecuteTransaction: up to 100 PartiQL statements applied all or none. Writes (INSERT,
UPDATE, DELETE, EXISTS checks) run as one TransactWriteItems; reads of single items by their
full key as one TransactGetItems."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.errors import DynamoError, ParameterError
from lumadb.dynamodb.operations import transact_get_items, transact_write_items
from lumadb.dynamodb.partiql.execute import transact_get_item, transact_write_item, with_duplicates
from lumadb.dynamodb.partiql.statements import Read, Write, plan
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService

KEY_REQUIRED = "Select statements within ExecuteTransaction must specify the primary key in the where clause."


def _planned(service: DynamoService, position: int, statement: dict) -> Read | Write:
    try:
        step = plan(statement["Statement"], statement.get("Parameters"), service.catalog)
        if isinstance(step, Write) and "ReturnValues" in step.body:
            raise DynamoError.validation("RETURNING clause is not supported in ExecuteTransaction.")
        if isinstance(step, Read):
            if step.index_name is not None:
                raise DynamoError.validation("Reads on indices are not supported within transactions.")
            if step.key is None:
                raise DynamoError.validation(KEY_REQUIRED)
        return step
    except DynamoError as error:
        if error.short_type == "ValidationException" and not isinstance(error, ParameterError):
            raise DynamoError.validation(
                f"Validation failed in TransactStatements[{position}]: {error.message}"
            ) from None
        raise


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    statements = body["TransactStatements"]
    planned = [_planned(service, position, statement) for position, statement in enumerate(statements)]
    reads = [step for step in planned if isinstance(step, Read)]
    writes = [step for step in planned if isinstance(step, Write)]
    if reads and writes:
        raise DynamoError.validation(
            "ExecuteTransaction API does not support both read and write operations in the same request."
        )
    request_body: dict[str, Any] = {}
    if body.get("ReturnConsumedCapacity") is not None:
        request_body["ReturnConsumedCapacity"] = body["ReturnConsumedCapacity"]
    if reads:
        request_body["TransactItems"] = [transact_get_item(step) for step in reads]
        result = await transact_get_items.handle(service, request_body, request)
        for step, response in zip(reads, result["Responses"], strict=True):
            if "Item" in response:
                response["Item"] = step.shaped(response["Item"])
        return result
    request_body["TransactItems"] = [
        transact_write_item(step, statement) for step, statement in zip(writes, statements, strict=True)
    ]
    if body.get("ClientRequestToken") is not None:
        request_body["ClientRequestToken"] = body["ClientRequestToken"]
    try:
        result = await transact_write_items.handle(service, request_body, request)
    except DynamoError as error:
        raise with_duplicates(error, writes) from None
    out: dict[str, Any] = {"Responses": []}
    if "ConsumedCapacity" in result:
        out["ConsumedCapacity"] = result["ConsumedCapacity"]
    return out
