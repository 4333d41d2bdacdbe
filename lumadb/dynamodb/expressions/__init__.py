"""DynamoDB's expression language: parse (cached) -> resolve -> evaluate on item dicts."""

from lumadb.dynamodb.expressions.condition import Condition, compile_condition
from lumadb.dynamodb.expressions.context import ExpressionContext
from lumadb.dynamodb.expressions.update import Update, compile_update

__all__ = [
    "Condition",
    "ExpressionContext",
    "Update",
    "compile_condition",
    "compile_update",
]
