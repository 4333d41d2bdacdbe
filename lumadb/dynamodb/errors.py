"""DynamoDB's error envelope: `{"__type": "<prefix>#<Name>", "message": "..."}`.

One class with named constructors (as Scylla's `api_error`), so handlers say
`raise DynamoError.validation("...")` and the text is AWS's own.
"""

from __future__ import annotations

from typing import Any

import orjson

from lumadb.errors import ProtocolError

DYNAMODB = "com.amazonaws.dynamodb.v20120810#"
CORAL_VALIDATE = "com.amazon.coral.validate#"
CORAL_SERVICE = "com.amazon.coral.service#"


class DynamoError(ProtocolError):
    def __init__(
        self,
        type_name: str,
        message: str | None,
        status: int = 400,
        extra: dict[str, Any] | None = None,
        message_key: str = "message",
    ) -> None:
        super().__init__(message or "", status)
        self.type_name = type_name  # full `__type`, prefix included
        self.has_message = message is not None
        self.message_key = message_key
        self.extra = extra or {}
        self.current: str | None = None  # a bad value's text in the current layer (value_layers.py)

    @property
    def short_type(self) -> str:
        return self.type_name.rsplit("#", 1)[-1]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"__type": self.type_name}
        if self.has_message:
            out[self.message_key] = self.message
        out.update(self.extra)
        return out

    def body(self) -> bytes:
        return orjson.dumps(self.to_dict())

    def content_type(self) -> bytes:
        return b"application/x-amz-json-1.0"

    # -- request-level errors -------------------------------------------------------
    @classmethod
    def validation(cls, message: str) -> DynamoError:
        return cls(CORAL_VALIDATE + "ValidationException", message)

    @classmethod
    def bad_value(cls, older: str, current: str | None = None) -> DynamoError:
        """A bad number or duplicate set member: `older` as the older value layer words it,
        `current` (default the same) as the current layer does (value_layers.py)."""
        error = cls.validation(older)
        error.current = older if current is None else current
        return error

    @classmethod
    def serialization(cls, message: str | None = None) -> DynamoError:
        # AWS spells this one's key `Message` (coral service errors), unlike the rest.
        return cls(CORAL_SERVICE + "SerializationException", message, message_key="Message")

    @classmethod
    def unknown_operation(cls) -> DynamoError:
        return cls(CORAL_SERVICE + "UnknownOperationException", None)

    @classmethod
    def not_supported(cls, operation: str) -> DynamoError:
        # AWS has no "not implemented" error; UnknownOperationException is what clients
        # already handle, with a message saying why.
        return cls(
            CORAL_SERVICE + "UnknownOperationException",
            f"LumaDB does not support the operation {operation}",
        )

    @classmethod
    def internal(cls, request_id: str = "", cause: str = "") -> DynamoError:
        msg = "Internal server error" + (f" (request id {request_id})" if request_id else "")
        msg += f": {cause}" if cause else ""
        return cls(DYNAMODB + "InternalServerError", msg, status=500)

    @classmethod
    def request_too_large(cls, limit: int) -> DynamoError:
        return cls(
            CORAL_SERVICE + "RequestEntityTooLarge",
            f"Request entity too large: the body exceeds {limit} bytes",
            status=413,
        )

    # -- data-plane errors -----------------------------------------------------------
    @classmethod
    def resource_not_found(cls, message: str = "Requested resource not found") -> DynamoError:
        return cls(DYNAMODB + "ResourceNotFoundException", message)

    @classmethod
    def resource_in_use(cls, message: str) -> DynamoError:
        return cls(DYNAMODB + "ResourceInUseException", message)

    @classmethod
    def conditional_check_failed(
        cls, item: dict[str, Any] | None = None, message: str = "The conditional request failed"
    ) -> DynamoError:
        return cls(
            DYNAMODB + "ConditionalCheckFailedException",
            message,
            # `message` with the item too: AWS capitalised it then (LocalStack's capture, 2024-01;
            # moto's tests verified against AWS up to 5.2.0, 2026-05) and no longer does (moto's
            # verified tests from 5.2.3, 2026-08, to 5.2.6, 2026-10), so botocore models it
            extra={"Item": item} if item is not None else None,
        )

    @classmethod
    def transaction_canceled(cls, reasons: list[dict[str, Any]]) -> DynamoError:
        codes = ", ".join(r.get("Code", "None") for r in reasons)
        return cls(
            DYNAMODB + "TransactionCanceledException",
            f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
            extra={"CancellationReasons": reasons},
            message_key="Message",  # AWS capitalises it for this error
        )

    @classmethod
    def transaction_conflict(cls, message: str) -> DynamoError:
        return cls(DYNAMODB + "TransactionConflictException", message)

    @classmethod
    def idempotent_parameter_mismatch(cls, message: str) -> DynamoError:
        return cls(DYNAMODB + "IdempotentParameterMismatchException", message)

    @classmethod
    def limit_exceeded(cls, message: str) -> DynamoError:
        return cls(DYNAMODB + "LimitExceededException", message)

    @classmethod
    def item_collection_size_limit(cls, message: str) -> DynamoError:
        return cls(DYNAMODB + "ItemCollectionSizeLimitExceededException", message)

    @classmethod
    def trimmed_data_access(cls, message: str) -> DynamoError:
        return cls(DYNAMODB + "TrimmedDataAccessException", message)

    @classmethod
    def expired_iterator(cls, message: str) -> DynamoError:
        return cls(DYNAMODB + "ExpiredIteratorException", message)

    @classmethod
    def duplicate_item(cls, message: str) -> DynamoError:
        return cls(DYNAMODB + "DuplicateItemException", message)


class KeyMismatch(DynamoError):
    """A key value that does not fit the table's (or a secondary index's) key schema: an error of
    the whole request, except in a transaction, where DynamoDB reports it as its action's
    ValidationError cancellation reason (transaction_keys.py)."""


class ParameterError(DynamoError):
    """A PartiQL `Parameters` value DynamoDB refuses while it reads the request: ExecuteTransaction
    reports it as it is, without the "Validation failed in TransactStatements[i]: " of a
    statement's own errors."""
