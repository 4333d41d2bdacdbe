"""SearchVectors: the TopK items of a vector index most similar to the search vector, filtered by
a SearchConditionExpression over the index's SearchSchema attributes (its HASH attribute pinned
by an equality, when it has one), each with its score; checks in the order DynamoDB was seen to
make them (lumadb/dynamodb/vectors/README.md)."""

from __future__ import annotations

import math
from array import array
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions import ExpressionContext, compile_condition, compile_projection
from lumadb.dynamodb.expressions import ast as expression_ast
from lumadb.dynamodb.expressions.parser import parse
from lumadb.dynamodb.vectors import search, storage
from lumadb.dynamodb.vectors.maintain import VectorIndex, vector_indexes
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService

MAX_TOP_K = 100
MIN_CAPACITY_BYTES = 1024.0
KIND = "SearchConditionExpression"
INVALID = f"Invalid {KIND}: "


def _query_vector(given: list[Any], index: VectorIndex) -> array:
    values = []
    for element in given:
        number = element.get("N") if type(element) is dict else None
        value = None
        if type(number) is str:
            try:
                value = array("f", (float(number),))[0]
            except ValueError:
                value = None
        if value is None or not math.isfinite(value):
            raise DynamoError.validation(
                "Search vector contains invalid values. All values in the search vector must be a 32-bit "
                "floating-point number attribute"
            )
        values.append(value)
    if len(values) != index.dimensions:
        raise DynamoError.validation(
            f"Input search vector dimension {len(values)} does not match vector index dimension {index.dimensions}"
        )
    return array("f", values)


def _pinned_hash(node: Any, name: str, ctx: ExpressionContext) -> dict | None:
    """The value an AND-ed `name = :value` at the top of the condition gives the HASH attribute."""
    if isinstance(node, expression_ast.Parens):
        return _pinned_hash(node.inner, name, ctx)
    if isinstance(node, expression_ast.AndCondition):
        return _pinned_hash(node.left, name, ctx) or _pinned_hash(node.right, name, ctx)
    if isinstance(node, expression_ast.Comparison) and node.op == "=":
        for path, value in ((node.left, node.right), (node.right, node.left)):
            if isinstance(path, expression_ast.Path) and isinstance(value, expression_ast.Value) \
                    and _resolved(path, ctx) == name:  # fmt: skip
                return ctx.values.get(value.name)
    return None


_ORDERING = frozenset({"<", "<=", ">", ">="})


def _orders(node: Any) -> bool:
    """Whether the condition compares with <, <=, > or >= anywhere (DynamoDB refuses them:
    paritysuite searchVectors, a HASH and an INLINE_FILTER element)."""
    if isinstance(node, expression_ast.Comparison):
        return node.op in _ORDERING
    if isinstance(node, (expression_ast.AndCondition, expression_ast.OrCondition)):
        return _orders(node.left) or _orders(node.right)
    if isinstance(node, expression_ast.NotCondition):
        return _orders(node.operand)
    if isinstance(node, expression_ast.Parens):
        return _orders(node.inner)
    return False


def _resolved(path: expression_ast.Path, ctx: ExpressionContext) -> str:
    kind, text = path.steps[0]
    return ctx.names.get(str(text), str(text)) if kind == "ref" else str(text)


def _condition(body: dict, index: VectorIndex, ctx: ExpressionContext) -> tuple[Any, bytes | None]:
    """The compiled condition (or None) and the HASH value's JSON the search is pinned to."""
    text = body.get(KIND)
    schema = {*index.filters, *([index.hash_name] if index.hash_name else [])}
    if text is None:
        if index.hash_name is not None:
            raise DynamoError.validation(f"{KIND} must be provided when SearchSchema has a HASH key")
        return None, None
    condition = compile_condition(text, ctx, KIND)
    for name in sorted(condition.attributes):
        if name not in schema:
            raise DynamoError.validation(
                f"{KIND} must not contain any attributes that is not in SearchSchema. Invalid attribute: {name}"
            )
    if condition.nested_roots:
        raise DynamoError.validation(INVALID + f"{KIND} cannot have conditions on nested attributes")
    if _orders(parse(text, KIND).tree.root):
        raise DynamoError.validation(INVALID + f"Invalid comparator used in {KIND}")
    if index.hash_name is None:
        return condition, None
    if index.hash_name not in condition.attributes:
        raise DynamoError.validation(f"{KIND} must be provided when SearchSchema has a HASH key")
    value = _pinned_hash(parse(text, KIND).tree.root, index.hash_name, ctx)  # (parsed once, cached)
    if value is None:
        return condition, None  # the HASH is tested otherwise (IN, OR): every entry is a candidate
    actual = next(iter(value))
    if actual != index.hash_type:
        raise DynamoError.validation(
            f"Type of '{index.hash_name}' attribute in {KIND} ({actual}) does not match type in search schema "
            f"({index.hash_type})"
        )
    if value[actual] == "":
        raise DynamoError.validation(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
            f"an empty string value. Key: {index.hash_name}"
        )
    return condition, orjson.dumps(value)


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    top_k = body["TopK"]
    if top_k > MAX_TOP_K:
        raise DynamoError.validation(
            f"Provided TopK value '{top_k}' is out of valid range. The value must be between 1 and {MAX_TOP_K} inclusive"
        )
    ctx = ExpressionContext(body.get("ExpressionAttributeNames"), body.get("ExpressionAttributeValues"))
    table = service.catalog.require(body["TableName"])
    index = next((i for i in vector_indexes(table) if i.name == body["IndexName"]), None)
    if index is None:
        raise DynamoError.validation(f"The table does not have the specified index: {body['IndexName']}")
    query = _query_vector(body["SearchVector"], index)
    condition, part = _condition(body, index, ctx)
    projection = compile_projection(body["ProjectionExpression"], ctx) if body.get("ProjectionExpression") else None
    ctx.check_all_used()

    rows = await service.read(storage.candidates, index.sql, part)
    keep = condition.evaluate if condition is not None else None
    results = []
    returned = 0
    for score, item, vector in search.nearest(rows, index.distance, query, top_k, keep):
        if projection is not None:
            item[index.attribute] = {"L": [{"N": search.f32_text(v)} for v in vector]}
            item = projection.apply(item)
        returned += len(orjson.dumps(item))
        results.append({"Item": item, "Score": score})
    out: dict[str, Any] = {"SearchResults": results}
    if body.get("ReturnConsumedCapacity") in ("TOTAL", "INDEXES"):
        # DynamoDB meters what its search examined, at least 1 KB: here the search vector and
        # the items returned
        examined = 4 * index.dimensions + returned
        out["ConsumedCapacity"] = {"VectorSearchRequestBytes": max(MIN_CAPACITY_BYTES, float(examined))}
    return out
