"""A parsed PartiQL statement planned against the catalog: a SELECT becomes a `Read` (which
partitions to query, or a scan, with the WHERE as a filter), an INSERT/UPDATE/DELETE or EXISTS
becomes a `Write` whose body is the PutItem/UpdateItem/DeleteItem/ConditionCheck request the
statement means (so writes keep indexes, streams and TTL in step exactly as the item API does)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.attributes import normalize_value
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions import (
    Condition,
    ExpressionContext,
    Projection,
    compile_condition,
    compile_projection,
)
from lumadb.dynamodb.expressions.evaluate import walk
from lumadb.dynamodb.indexes.sources import source_for
from lumadb.dynamodb.partiql import ast
from lumadb.dynamodb.partiql.parser import parse
from lumadb.dynamodb.partiql.translate import Expressions, conjuncts, plain_name, without_expression_prefix
from lumadb.dynamodb.partiql.values import attribute_value, check_parameters, struct
from lumadb.dynamodb.partiql.where_keys import (
    branch_partitions,
    exact_key,
    pinned_partitions,
    refuse_overlapping_branches,
    sort_condition,
    value_side,
)

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import Catalog, TableInfo

_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.-]{3,255}\Z")
_RETURN_VALUES = {("ALL", "OLD"): "ALL_OLD", ("MODIFIED", "OLD"): "UPDATED_OLD",
                  ("ALL", "NEW"): "ALL_NEW", ("MODIFIED", "NEW"): "UPDATED_NEW"}  # fmt: skip
INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes"
EMPTY_PATH_COMPONENT = "Path component cannot be an empty string"  # FROM "" or "T"."" (nubo-db)
# a GSI whose key has several HASH or RANGE attributes (paritysuite/dynamodb-conformance,
# partiqlMultiAttributeIndex, pinned in eu-west-2 and us-east-1)
MULTI_ATTRIBUTE_KEYS = (
    "PartiQL statements cannot be executed on tables with multi-attribute HASH keys or "
    "multi-attribute RANGE keys."
)


@dataclass(eq=False)
class Read:
    """A SELECT: the table (and index) it reads, how, and what it returns."""

    table: TableInfo
    index_name: str | None
    filter: Condition | None
    projection: Projection | None
    partitions: list[list[dict]] | None  # partition-key values to query; None: scan the whole source
    keyed: bool = False  # the partitions are pinned by the WHERE itself, not by each of its OR branches
    sort: tuple[str, list[dict]] | None = None  # a sort-key condition that narrows each partition
    forward: bool = True
    key: dict | None = None  # the full primary key, when the WHERE is exactly that
    body: dict = field(default_factory=dict)  # the GetItem request for a key read

    def shaped(self, item: dict) -> dict:
        """A projected item as PartiQL returns it: a column `a.b` is the attribute `b`, not
        the map `a` holding it, as a ProjectionExpression returns it (nubo-db
        dynamodb-conformance, "SELECT with nested map path", run against DynamoDB). A path
        that ends in a list index keeps the ProjectionExpression's shape."""
        projection = self.projection
        if projection is None or all(len(path) == 1 for path in projection.paths):
            return item
        out: dict = {}
        named = []  # the columns named by their last part
        for path in projection.paths:
            if len(path) == 1 or not isinstance(path[-1], str):
                if path[0] in item:
                    out[path[0]] = item[path[0]]
                continue
            value = walk(item.get(path[0]), path[1:])
            if value is not None:
                out[path[-1]] = value
                named.append(path)
        for path in named:  # each is its own column, not also part of a map kept beside it
            if path[0] in out and all(isinstance(step, str) for step in path):
                out[path[0]] = _without(out[path[0]], path[1:])
                if out[path[0]] is None:
                    del out[path[0]]
        return out


def _without(value: dict, path: tuple | list) -> dict | None:
    """`value` (a map) less the attribute at `path`, and less the maps that leaves empty:
    None when nothing is left."""
    inner = value["M"]
    first = path[0]
    if first not in inner:
        return value
    rest = _without(inner[first], path[1:]) if len(path) > 1 else None
    remaining = {name: part for name, part in inner.items() if name != first}
    if rest is not None:
        remaining[first] = rest
    return {"M": remaining} if remaining else None


@dataclass(eq=False)
class Write:
    """An INSERT, UPDATE, DELETE or EXISTS as the item request it means."""

    operation: str  # PutItem | UpdateItem | DeleteItem | ConditionCheck
    table: TableInfo
    body: dict
    insert: bool = False


def plan(text: str, parameters: list[dict] | None, catalog: Catalog) -> Read | Write:
    tree, count = parse(text)
    parameters = parameters or []
    if count != len(parameters):
        raise DynamoError.validation("Number of parameters in request and statement don't match.")
    check_parameters(parameters)
    parameters = [normalize_value(value) for value in parameters]
    try:
        if isinstance(tree, ast.Select):
            return _select(tree, parameters, catalog)
        if isinstance(tree, ast.Insert):
            return _insert(tree, parameters, catalog)
        if isinstance(tree, ast.Update):
            return _update(tree, parameters, catalog)
        if isinstance(tree, ast.Delete):
            return _delete(tree, parameters, catalog)
        return _exists(tree, parameters, catalog)
    except DynamoError as error:
        raise without_expression_prefix(error) from None


def _write_table(node: ast.Table | ast.IndexedTable, alias: ast.Alias | None, catalog: Catalog,
                 *, insert: bool = False) -> TableInfo:
    """The table a write names; an index there is refused before the table is looked up (the
    texts of DynamoDB's own PartiQL front end, nubo-db dynamodb-conformance indexQualifier)."""
    if isinstance(node, ast.IndexedTable):
        raise DynamoError.validation(
            "FROM clause may only contain a single table name" if insert
            else "This operation is not supported on an index"
        )
    return _table(node, alias, catalog)


def _table(node: ast.Table, alias: ast.Alias | None, catalog: Catalog) -> TableInfo:
    if alias is not None:
        raise DynamoError.validation("Aliasing is not supported")
    name = str(node.name.text)
    if not name:
        raise DynamoError.validation(EMPTY_PATH_COMPONENT)
    if not _TABLE_NAME.match(name):
        raise DynamoError.validation(
            "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', '_', '.'."
        )
    return catalog.require(name)


def _check_components(source: ast.Source) -> None:
    # "table"."index"."more" (nubo-db dynamodb-conformance partiqlIndexQualifier, eu-west-2 2026-08)
    if len(source.parts) > 2:
        raise DynamoError.validation("A path may contain at most 2 components in the FROM clause")


def _condition(expressions: Expressions, text: str) -> Condition:
    ctx = ExpressionContext(expressions.names or None, expressions.values or None)
    return compile_condition(text, ctx, "ConditionExpression")


# -- SELECT ---------------------------------------------------------------------------------


def _select(tree: ast.Select, parameters: list[dict], catalog: Catalog) -> Read:
    _check_components(tree.source)
    # the WHERE's own errors (operand types) come before the table is looked up (nubo-db
    # dynamodb-conformance validation-ordering/partiql)
    where = None
    if tree.where is not None:
        expressions = Expressions(parameters)
        where = _condition(expressions, expressions.condition(tree.where.condition))
    table = _table(tree.source.table, tree.alias, catalog)
    index_name = str(tree.source.index.text) if tree.source.index is not None else None
    if index_name == "":
        raise DynamoError.validation(EMPTY_PATH_COMPONENT)
    hash_names, range_names = key_schema(table, index_name)
    if len(hash_names) > 1 or len(range_names) > 1:  # before anything about the WHERE
        raise DynamoError.validation(MULTI_ATTRIBUTE_KEYS)
    projection = None
    if isinstance(tree.projection, ast.Columns):
        for column in tree.projection.paths:
            if isinstance(column, ast.Call):  # where it is written, and after the refusal above
                # (paritysuite partiqlFunctions and partiqlMultiAttributeIndex, 2026-10)
                raise DynamoError.validation(f"Unexpected path component{column.at}")
        columns = Expressions(parameters)
        text = columns.projection(tree.projection)
        projection = compile_projection(text, ExpressionContext(columns.names, None))
    read = Read(table, index_name, where, projection, None)
    if tree.where is not None:
        if len(range_names) == 1:
            refuse_overlapping_branches(tree.where.condition, hash_names, range_names[0], parameters)
        terms = conjuncts(tree.where.condition)
        read.partitions = pinned_partitions(terms, hash_names, parameters)
        read.keyed = read.partitions is not None
        if read.partitions is not None and len(terms) == 1:
            # the WHERE only names the partitions (checked above, as a filter would have been):
            # every item read matches, so none needs decoding to be tested
            read.filter = None
        if read.partitions is not None and len(range_names) == 1:
            read.sort = sort_condition(terms, range_names[0], parameters)
        if read.partitions is None:
            read.partitions = branch_partitions(tree.where.condition, hash_names, parameters)
        read.key = exact_key(terms, table, parameters) if index_name is None else None
    if tree.order_by is not None:
        read.forward = _order(tree, read, hash_names, range_names)
    if read.key is not None:
        read.body = {"TableName": table.name, "Key": read.key}
        if isinstance(tree.projection, ast.Columns):
            columns = Expressions(parameters)
            read.body["ProjectionExpression"] = columns.projection(tree.projection)
            read.body["ExpressionAttributeNames"] = columns.names
    return read


def key_schema(table: TableInfo, index_name: str | None) -> tuple[list[str], list[str]]:
    """(partition-key attributes, sort-key attributes) of the table or of one of its indexes."""
    source = source_for(table, index_name)
    return [name for name, _ in source.hash_keys], [name for name, _ in source.range_keys]


def _order(tree: ast.Select, read: Read, hash_names: list[str], range_names: list[str]) -> bool:
    if tree.where is None:
        raise DynamoError.validation("Must have WHERE clause in the statement when using ORDER BY clause.")
    if read.partitions is None:
        raise DynamoError.validation(
            "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause."
        )
    forward = True
    assert tree.order_by is not None
    for item in tree.order_by.items:
        name = plain_name(item.path)
        if name not in hash_names and name not in range_names:
            raise DynamoError.validation(
                f"Variable reference {name or ''} in ORDER BY clause must be part of the primary key"
            )
        if name in range_names or not range_names:
            forward = item.direction is None or str(item.direction).upper() == "ASC"
    return forward


# -- writes ---------------------------------------------------------------------------------


def _key_and_rest(where: ast.Where | None, table: TableInfo, parameters: list[dict]) -> tuple[dict, list[Any]]:
    """The item's key from the WHERE's equalities, and the WHERE's other terms."""
    if where is None:
        raise DynamoError.validation(INCOMPLETE_KEY)
    terms = conjuncts(where.condition)
    key: dict[str, Any] = {}
    rest = []
    for term in terms:
        matched = False
        for name in table.key_names:
            value = value_side(term, name)
            if value is not None:
                if name in key:
                    raise DynamoError.validation(
                        f"Multiple conditions on same key {name}. Only single item Update/Insert/Delete are supported"
                    )
                key[name] = attribute_value(value, parameters)
                matched = True
                break
        if not matched:
            rest.append(term)
    if len(key) != len(table.key_names):
        raise DynamoError.validation(INCOMPLETE_KEY)
    return key, rest


def _conditioned(body: dict, expressions: Expressions, rest: list[Any], required: str | None) -> None:
    parts = [required] if required else []
    parts.extend(f"({expressions.condition(term)})" for term in rest)
    if parts:
        body["ConditionExpression"] = " AND ".join(parts)


def _update(tree: ast.Update, parameters: list[dict], catalog: Catalog) -> Write:
    table = _write_table(tree.table, tree.alias, catalog)
    key, rest = _key_and_rest(tree.where, table, parameters)
    expressions = Expressions(parameters)
    body: dict[str, Any] = {"TableName": table.name, "Key": key}
    body["UpdateExpression"] = expressions.update(tree.actions)
    # UPDATE changes an existing item only: its key must exist
    _conditioned(body, expressions, rest, f"attribute_exists({expressions.name(table.hash_name)})")
    returning = tree.returning
    if returning is not None:
        body["ReturnValues"] = _RETURN_VALUES[(str(returning.which).upper(), str(returning.image).upper())]
    body.update(expressions.attributes())
    return Write("UpdateItem", table, body)


def _delete(tree: ast.Delete, parameters: list[dict], catalog: Catalog) -> Write:
    table = _write_table(tree.table, tree.alias, catalog)
    returning = tree.returning
    if returning is not None and (str(returning.which).upper(), str(returning.image).upper()) != (
        "ALL",
        "OLD",
    ):
        raise DynamoError.validation(
            f"Invalid returning clause: RETURNING {str(returning.which).upper()} {str(returning.image).upper()} *. "
            "Only RETURNING ALL OLD * is allowed in DELETE statements."
        )
    key, rest = _key_and_rest(tree.where, table, parameters)
    expressions = Expressions(parameters)
    body: dict[str, Any] = {"TableName": table.name, "Key": key}
    _conditioned(body, expressions, rest, None)
    if rest:  # the other terms test an existing item: deleting a missing one stays a no-op
        name = expressions.name(table.hash_name)
        # (AND binds tighter than OR; more parentheses would be "redundant" to DynamoDB)
        body["ConditionExpression"] = f"attribute_not_exists({name}) OR {body['ConditionExpression']}"
    if returning is not None:
        body["ReturnValues"] = "ALL_OLD"
    body.update(expressions.attributes())
    return Write("DeleteItem", table, body)


def _insert(tree: ast.Insert, parameters: list[dict], catalog: Catalog) -> Write:
    table = _write_table(tree.table, None, catalog, insert=True)
    if not isinstance(tree.value, ast.StructValue):
        raise DynamoError.validation(
            "Unsupported format in item expression. Please use struct format {...} to express item values for "
            "insert statement."
        )
    item = struct(tree.value, parameters)
    for name in table.key_names:
        if name not in item:
            raise DynamoError.validation(f"Key attribute should be present in the item: Key {name}")
    body = {
        "TableName": table.name,
        "Item": item,
        "ConditionExpression": "attribute_not_exists(#k)",
        "ExpressionAttributeNames": {"#k": table.hash_name},
    }
    return Write("PutItem", table, body, insert=True)


def _exists(tree: ast.ExistsCheck, parameters: list[dict], catalog: Catalog) -> Write:
    select = tree.select
    _check_components(select.source)
    table = _table(select.source.table, select.alias, catalog)
    if select.source.index is not None:
        raise DynamoError.validation("Operations on indices are not supported in transactions")
    if select.where is None:
        raise DynamoError.validation("EXISTS() must contain a single item read with additional condition")
    try:
        key, rest = _key_and_rest(select.where, table, parameters)
    except DynamoError:
        raise DynamoError.validation(
            "EXISTS() must contain a single item read with additional condition"
        ) from None
    if not rest:
        raise DynamoError.validation("EXISTS() must contain a single item read with additional condition")
    expressions = Expressions(parameters)
    body: dict[str, Any] = {"TableName": table.name, "Key": key}
    _conditioned(body, expressions, rest, None)
    body.update(expressions.attributes())
    return Write("ConditionCheck", table, body)
