"""DynamoDB's expression language: parse (cached) -> resolve -> evaluate on item dicts."""

from lumadb.dynamodb.expressions.apply import Update
from lumadb.dynamodb.expressions.condition import Condition, compile_condition
from lumadb.dynamodb.expressions.context import ExpressionContext
from lumadb.dynamodb.expressions.key_condition import (
    KeyCondition,
    KeyConditions,
    check_key_condition,
    compile_key_condition,
)
from lumadb.dynamodb.expressions.legacy import (
    check_no_mixing,
    condition_from_expected,
    condition_from_filter,
    key_condition_from_key_conditions,
    key_conditions_from_legacy,
    update_from_attribute_updates,
)
from lumadb.dynamodb.expressions.projection import (
    Projection,
    compile_projection,
    projection_from_attributes_to_get,
)
from lumadb.dynamodb.expressions.update import compile_update

__all__ = [
    "Condition",
    "ExpressionContext",
    "KeyCondition",
    "KeyConditions",
    "Projection",
    "Update",
    "check_key_condition",
    "check_no_mixing",
    "compile_condition",
    "compile_key_condition",
    "compile_projection",
    "compile_update",
    "condition_from_expected",
    "condition_from_filter",
    "key_condition_from_key_conditions",
    "key_conditions_from_legacy",
    "projection_from_attributes_to_get",
    "update_from_attribute_updates",
]
