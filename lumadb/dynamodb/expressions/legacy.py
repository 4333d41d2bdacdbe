"""The parameters older applications still send (Expected, QueryFilter, ScanFilter,
ConditionalOperator, AttributeUpdates, KeyConditions, AttributesToGet), compiled into the
same objects as expressions, with DynamoDB's semantics and messages."""

from __future__ import annotations

from typing import Any

from lumadb.dynamodb.attributes import add_numbers, normalize_value, validate_attribute_value
from lumadb.dynamodb.comparison import attribute_type, compare_values, values_equal
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions.apply import Update
from lumadb.dynamodb.expressions.condition import Condition
from lumadb.dynamodb.expressions.evaluate import Predicate, begins_with, contains
from lumadb.dynamodb.expressions.key_condition import KeyCondition, KeyConditions, check_key_values
from lumadb.dynamodb.expressions.projection import projection_from_attributes_to_get

_INVALID = "One or more parameter values were invalid: "
_ARGUMENTS = {
    "EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "CONTAINS": 1, "NOT_CONTAINS": 1,
    "BEGINS_WITH": 1, "NULL": 0, "NOT_NULL": 0, "BETWEEN": 2,
}  # fmt: skip
_TYPES = {
    # EQ and NE take every type: "EQ is supported for all data types, including lists and maps"
    # (AWS's reference for Condition; booleans: nubo-db/dynamodb-conformance queryFilter, lists
    # and maps: Alternator's test_query_filter_eq and _ne, both run against the service)
    "EQ": None, "NE": None,
    "LE": ("S", "N", "B"), "LT": ("S", "N", "B"), "GE": ("S", "N", "B"), "GT": ("S", "N", "B"),
    "CONTAINS": ("S", "N", "B"), "NOT_CONTAINS": ("S", "N", "B"), "BEGINS_WITH": ("S", "B"),
    "IN": ("S", "N", "B"), "BETWEEN": ("S", "N", "B"),
}  # fmt: skip

__all__ = [
    "check_no_mixing",
    "condition_from_expected",
    "condition_from_filter",
    "key_condition_from_key_conditions",
    "key_conditions_from_legacy",
    "projection_from_attributes_to_get",
    "update_from_attribute_updates",
]


# ---- comparisons -------------------------------------------------------------------------


def _compare(operator: str, values: list[dict]) -> Any:
    """A test of one attribute value (None when missing) against a ComparisonOperator."""
    first: dict = values[0] if values else {}
    if operator == "EQ":
        return lambda v: v is not None and values_equal(v, first)
    if operator == "NE":
        return lambda v: v is None or not values_equal(v, first)
    if operator in ("LE", "LT", "GE", "GT"):
        accept = {"LE": (-1, 0), "LT": (-1,), "GE": (0, 1), "GT": (1,)}[operator]
        return lambda v: v is not None and compare_values(v, first) in accept
    if operator == "NOT_NULL":
        return lambda v: v is not None
    if operator == "NULL":
        return lambda v: v is None
    if operator == "CONTAINS":
        return lambda v: contains(v, first)
    if operator == "NOT_CONTAINS":
        return lambda v: v is not None and not contains(v, first)
    if operator == "BEGINS_WITH":
        return lambda v: begins_with(v, first)
    if operator == "IN":
        return lambda v: v is not None and any(values_equal(v, c) for c in values)
    low, high = values[0], values[1]  # BETWEEN
    return lambda v: v is not None and compare_values(v, low) in (0, 1) and compare_values(v, high) in (-1, 0)


def _check_arguments(operator: str, values: list[Any]) -> list[dict]:
    for value in values:
        validate_attribute_value(value)
    count = len(values)
    expected = _ARGUMENTS.get(operator)
    if (expected is not None and count != expected) or (operator == "IN" and count == 0):
        raise DynamoError.validation(
            _INVALID + f"Invalid number of argument(s) for the {operator} ComparisonOperator"
        )
    if values:
        first_type = attribute_type(values[0])
        if any(attribute_type(v) != first_type for v in values):
            raise DynamoError.validation(
                _INVALID + "AttributeValues inside AttributeValueList must be of same type"
            )
    for value in values:
        type_name = attribute_type(value)
        allowed = _TYPES.get(operator)
        if allowed is not None and type_name not in allowed:
            raise DynamoError.validation(
                _INVALID + f"ComparisonOperator {operator} is not valid for {type_name} AttributeValue type"
            )
    normalized = [normalize_value(v) for v in values]
    if operator == "BETWEEN" and (compare_values(normalized[0], normalized[1]) or 0) > 0:
        raise DynamoError.validation(
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
        )
    return normalized


def _combine(tests: list[tuple[str, Any]], conditional_operator: str | None) -> Condition:
    attributes = frozenset(name for name, _ in tests)
    if not tests:
        return Condition(lambda item, values: True)
    if conditional_operator == "OR":

        def any_matches(item: dict, values: tuple) -> bool:
            return any(test(item.get(name)) for name, test in tests)

        return Condition(any_matches, (), attributes)

    def all_match(item: dict, values: tuple) -> bool:
        return all(test(item.get(name)) for name, test in tests)

    predicate: Predicate = all_match
    return Condition(predicate, (), attributes)


# ---- Expected, QueryFilter, ScanFilter ---------------------------------------------------


def condition_from_expected(expected: dict, conditional_operator: str | None) -> Condition:
    tests: list[tuple[str, Any]] = []
    for name, condition in expected.items():
        if "AttributeValueList" in condition and "Value" in condition:
            raise DynamoError.validation(
                _INVALID + f"Value and AttributeValueList cannot be used together for Attribute: {name}"
            )
        operator = condition.get("ComparisonOperator")
        if operator is not None:
            if "Exists" in condition:
                raise DynamoError.validation(
                    _INVALID + f"Exists and ComparisonOperator cannot be used together for Attribute: {name}"
                )
            if (
                operator not in ("NULL", "NOT_NULL")
                and "AttributeValueList" not in condition
                and "Value" not in condition
            ):
                raise DynamoError.validation(
                    _INVALID
                    + f"Value or AttributeValueList must be used with ComparisonOperator: {operator} for Attribute: {name}"
                )
            if "Value" in condition:
                values = [condition["Value"]]
            else:
                values = list(condition.get("AttributeValueList") or [])
            tests.append((name, _compare(operator, _check_arguments(operator, values))))
        elif "AttributeValueList" in condition:
            raise DynamoError.validation(
                _INVALID
                + f"AttributeValueList can only be used with a ComparisonOperator for Attribute: {name}"
            )
        else:
            exists = condition.get("Exists")
            value = condition.get("Value")
            if exists is None or exists:
                if value is None:
                    shown = "null" if exists is None else "true"
                    raise DynamoError.validation(
                        _INVALID + f"Value must be provided when Exists is {shown} for Attribute: {name}"
                    )
                validate_attribute_value(value)
                tests.append((name, _compare("EQ", [normalize_value(value)])))
            else:
                if value is not None:
                    raise DynamoError.validation(
                        _INVALID + f"Value cannot be used when Exists is false for Attribute: {name}"
                    )
                tests.append((name, _compare("NULL", [])))
    return _combine(tests, conditional_operator)


def condition_from_filter(filter: dict, conditional_operator: str | None, kind: str) -> Condition:
    """QueryFilter or ScanFilter (`kind`); each entry has ComparisonOperator and AttributeValueList."""
    tests: list[tuple[str, Any]] = []
    for name, condition in filter.items():
        operator = condition.get("ComparisonOperator")
        values = _check_arguments(operator, list(condition.get("AttributeValueList") or []))
        tests.append((name, _compare(operator, values)))
    return _combine(tests, conditional_operator)


# ---- KeyConditions -----------------------------------------------------------------------


def key_conditions_from_legacy(key_conditions: dict) -> KeyConditions:
    """KeyConditions checked as far as they can be without the key schema (arguments and value
    types, which DynamoDB reports ahead of a missing table); `.for_schema` finishes the checks."""
    conditions: dict[str, tuple[str, list[dict]]] = {}
    for name, condition in key_conditions.items():
        operator = condition.get("ComparisonOperator")
        conditions[name] = (
            operator,
            _check_arguments(operator, list(condition.get("AttributeValueList") or [])),
        )
    check_key_values(conditions)
    return KeyConditions(conditions)


def key_condition_from_key_conditions(
    key_conditions: dict, hash_key: str, range_key: str | None
) -> KeyCondition:
    return key_conditions_from_legacy(key_conditions).for_schema(hash_key, range_key)


# ---- AttributeUpdates --------------------------------------------------------------------

_MISMATCH = "Type mismatch for attribute to update"


class LegacyUpdate(Update):
    """AttributeUpdates: PUT, ADD (numbers, sets and lists) and DELETE of top-level attributes."""

    __slots__ = ()

    def apply(self, item: dict | None, key_names: Any) -> tuple[dict, set[str]]:
        for key in key_names:
            if key in self.top_level_names:
                raise DynamoError.validation(
                    f"One or more parameter values were invalid: Cannot update attribute {key}. "
                    "This attribute is part of the key"
                )
        new = dict(item) if item is not None else {}
        for action, path, value in self.actions:
            name = path[0]
            existing = new.get(name)
            if action == "PUT":
                new[name] = value
            elif action == "ADD":
                type_name = attribute_type(value)
                if existing is not None and type_name not in existing:
                    raise DynamoError.validation(_MISMATCH)
                if existing is None:
                    new[name] = value
                elif type_name == "N":
                    new[name] = {"N": add_numbers(existing["N"], value["N"])}
                elif type_name == "L":
                    new[name] = {"L": existing["L"] + value["L"]}
                else:
                    present = set(existing[type_name])
                    new[name] = {
                        type_name: existing[type_name] + [m for m in value[type_name] if m not in present]
                    }
            elif value is None:  # DELETE without a value removes the attribute
                new.pop(name, None)
            elif existing is not None:
                type_name = attribute_type(value)
                if type_name not in existing:
                    raise DynamoError.validation(_MISMATCH)
                drop = set(value[type_name])
                remaining = [m for m in existing[type_name] if m not in drop]
                if remaining:
                    new[name] = {type_name: remaining}
                else:
                    del new[name]
        return new, set(self.top_level_names)


def update_from_attribute_updates(attribute_updates: dict) -> Update:
    actions: list[tuple[str, tuple[Any, ...], Any]] = []
    for name, update in attribute_updates.items():
        action = update.get("Action") or "PUT"
        value = update.get("Value")
        if value is not None:
            validate_attribute_value(value)
            value = normalize_value(value)
        if value is None and action != "DELETE":
            raise DynamoError.validation(
                _INVALID + "Only DELETE action is allowed when no attribute value is specified"
            )
        if value is not None and action == "DELETE" and attribute_type(value) not in ("SS", "NS", "BS"):
            raise DynamoError.validation(
                _INVALID + f"DELETE action with value is not supported for the type {attribute_type(value)}"
            )
        if (
            value is not None
            and action == "ADD"
            and attribute_type(value) not in ("L", "SS", "NS", "BS", "N")
        ):
            raise DynamoError.validation(
                _INVALID + f"ADD action is not supported for the type {attribute_type(value)}"
            )
        actions.append((action, (name,), value))
    value_types = {path[0]: attribute_type(value) for _, path, value in actions if value is not None}
    return LegacyUpdate(actions, value_types=value_types)


# ---- mixing legacy and expression parameters ---------------------------------------------

_PARAMETERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "GetItem": (("ProjectionExpression",), ("AttributesToGet",)),
    "BatchGetItem": (("ProjectionExpression",), ("AttributesToGet",)),
    "PutItem": (("ConditionExpression",), ("Expected", "ConditionalOperator")),
    "DeleteItem": (("ConditionExpression",), ("Expected", "ConditionalOperator")),
    "UpdateItem": (
        ("UpdateExpression", "ConditionExpression"),
        ("AttributeUpdates", "Expected", "ConditionalOperator"),
    ),
    "Query": (
        ("ProjectionExpression", "FilterExpression", "KeyConditionExpression"),
        ("AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"),
    ),
    "Scan": (
        ("ProjectionExpression", "FilterExpression"),
        ("AttributesToGet", "ScanFilter", "ConditionalOperator"),
    ),
    # the parts of TransactWriteItems and TransactGetItems
    "Put": (("ConditionExpression",), ()),
    "Delete": (("ConditionExpression",), ()),
    "ConditionCheck": (("ConditionExpression",), ()),
    "Update": (("UpdateExpression", "ConditionExpression"), ()),
    "Get": (("ProjectionExpression",), ()),
}
_EXPRESSIONS_ONLY = (
    "ConditionExpression",
    "UpdateExpression",
    "ProjectionExpression",
    "KeyConditionExpression",
)
# DynamoDB accepts names and values without an expression in the parts of a transaction
_TRANSACTION_PARTS = frozenset(("Put", "Delete", "ConditionCheck", "Update", "Get"))


def check_no_mixing(body: dict, operation: str) -> None:
    """Legacy and expression parameters together, or placeholders without an expression.
    `operation` is the API name; for BatchGetItem pass one table's KeysAndAttributes, and
    for the parts of TransactWriteItems/TransactGetItems their own names (Put, Update, ...)."""
    expressions, legacy = _PARAMETERS.get(operation, (_EXPRESSIONS_ONLY, ()))
    used = [p for p in expressions if body.get(p) is not None]
    if used:
        legacy_used = [p for p in legacy if body.get(p) is not None]
        if (
            operation == "Query"
            and body.get("KeyConditionExpression") is None
            and "KeyConditions" in legacy_used
        ):
            legacy_used.remove("KeyConditions")  # KeyConditions may go with a FilterExpression
        if legacy_used:
            raise DynamoError.validation(
                "Can not use both expression and non-expression parameters in the same request: "
                "Non-expression parameters: {" + ", ".join(legacy_used) + "} "
                "Expression parameters: {" + ", ".join(used) + "}"
            )
    if operation in _TRANSACTION_PARTS:
        return
    if body.get("ExpressionAttributeNames") is not None and not used:
        raise DynamoError.validation("ExpressionAttributeNames can only be specified when using expressions")
    with_values = [p for p in expressions if p != "ProjectionExpression"]
    if (
        with_values
        and body.get("ExpressionAttributeValues") is not None
        and all(body.get(p) is None for p in with_values)
    ):
        verb = "are" if len(with_values) > 1 else "is"
        raise DynamoError.validation(
            f"ExpressionAttributeValues can only be specified when using expressions: {' and '.join(with_values)} {verb} null"
        )
    if body.get("ConditionalOperator") is not None:
        legacy_conditions = body.get("Expected") or body.get("QueryFilter") or body.get("ScanFilter") or {}
        if not legacy_conditions:
            raise DynamoError.validation("ConditionalOperator cannot be used without Filter or Expected")
        if len(legacy_conditions) == 1:
            raise DynamoError.validation(
                "ConditionalOperator can only be used when Filter or Expected has two or more elements"
            )
