"""ExpressionAttributeNames and ExpressionAttributeValues of one request, validated once, and
which of them the request's expressions used (DynamoDB refuses unused ones)."""

from __future__ import annotations

import re
from typing import Any

from lumadb.dynamodb.attributes import normalize_value, validate_value_at_any_depth
from lumadb.dynamodb.errors import DynamoError

_NAME_KEY = re.compile(r"#[0-9A-Za-z_]+\Z")
_VALUE_KEY = re.compile(r":[0-9A-Za-z_]+\Z")


class ExpressionContext:
    __slots__ = ("_names_key", "_types_key", "compiled", "names", "used_names", "used_values", "values")

    def __init__(self, names: dict[str, str] | None, values: dict[str, Any] | None) -> None:
        if names is not None:
            if not names:
                raise DynamoError.validation("ExpressionAttributeNames must not be empty")
            for key, name in names.items():
                if not _NAME_KEY.match(key):
                    raise DynamoError.validation(
                        f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
                    )
                if name == "":
                    raise DynamoError.validation(
                        f"ExpressionAttributeNames contains invalid value: Empty attribute name for key {key}"
                    )
        normalized: dict[str, dict] = {}
        if values is not None:
            if not values:
                raise DynamoError.validation("ExpressionAttributeValues must not be empty")
            for key in values:
                if not _VALUE_KEY.match(key):
                    raise DynamoError.validation(
                        f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
                    )
            for key, value in values.items():
                if type(value) is dict and len(value) == 1 and type(value.get("S")) is str:
                    normalized[key] = value  # the common case, valid as it is
                    continue
                try:
                    validate_value_at_any_depth(value)  # (its depth counts where it is written)
                    normalized[key] = normalize_value(value)
                except DynamoError as exc:
                    if exc.short_type != "ValidationException":
                        raise
                    wrapped = DynamoError.validation(
                        f"ExpressionAttributeValues contains invalid value: {exc.message} for key {key}"
                    )
                    wrapped.current = exc.current  # the current layer does not wrap
                    raise wrapped from None
        self.names: dict[str, str] = names or {}
        self.values: dict[str, dict] = normalized
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()
        self.compiled = False  # set by the compile functions: no expression, nothing to refuse
        self._names_key: tuple | None = None
        self._types_key: tuple | None = None

    @property
    def names_key(self) -> tuple:
        """Hashable form of the names, for the caches of compiled expressions."""
        self.compiled = True  # every compile function asks for this key
        if self._names_key is None:
            self._names_key = tuple(self.names.items())
        return self._names_key

    @property
    def types_key(self) -> tuple:
        """(placeholder, attribute type) pairs: compiled plans depend on types, not contents."""
        if self._types_key is None:
            self._types_key = tuple((key, next(iter(value))) for key, value in self.values.items())
        return self._types_key

    def check_all_used(self) -> None:
        """After every expression of the request was compiled. A transaction part that declares
        names or values but carries no expression is accepted, as DynamoDB does."""
        if not self.compiled:
            return
        unused = [key for key in self.names if key not in self.used_names]
        if unused:
            raise DynamoError.validation(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {"
                + ", ".join(unused)
                + "}"
            )
        unused = [key for key in self.values if key not in self.used_values]
        if unused:
            raise DynamoError.validation(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {"
                + ", ".join(unused)
                + "}"
            )
