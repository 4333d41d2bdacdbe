"""UpdateExpression -> a compiled Update (apply.py): checks that need only the text, the
SET value closures, and plans cached by text, names and value types."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from lumadb.dynamodb.attributes import add_numbers
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions import ast
from lumadb.dynamodb.expressions.apply import MISSING, WRONG_TYPE, Update
from lumadb.dynamodb.expressions.context import ExpressionContext
from lumadb.dynamodb.expressions.evaluate import path_getter
from lumadb.dynamodb.expressions.parser import Parsed, parse
from lumadb.dynamodb.expressions.resolve import (
    CONDITION_FUNCTIONS,
    MAX_PATH_DEPTH,
    RESERVED_WORDS,
    UPDATE_FUNCTIONS,
    UPDATE_ORDER,
    Binder,
    Bound,
    ResolvedPath,
    check_overlaps,
)

SET_TYPES = ("SS", "NS", "BS")
_TYPE_WORDS = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "NULL": "NULL",
    "BOOL": "BOOLEAN",
    "L": "LIST",
    "M": "MAP",
}

ValueFn = Callable[[dict, tuple], dict]


# ---- text-only checks (cached with the parse) ----------------------------------------


def _walk_value(node: Any, found: dict[str, str], nested: bool = False) -> None:
    """`nested`: inside a function's operands or an arithmetic operand."""
    if isinstance(node, ast.Path):
        _check_path(node, found)
    elif isinstance(node, ast.Arithmetic):
        _walk_value(node.left, found, True)
        _walk_value(node.right, found, True)
    elif isinstance(node, ast.Call):
        if node.name not in UPDATE_FUNCTIONS:
            if node.name in CONDITION_FUNCTIONS:
                found.setdefault(
                    "function", f"The function is not allowed in an update expression; function: {node.name}"
                )
            else:
                found.setdefault("function", f"Invalid function name; function: {node.name}")
        elif node.name == "list_append" and nested:
            # DynamoDB takes list_append only as a whole SET value, not inside a function or
            # arithmetic; if_not_exists may nest anywhere (its first operand must be a path:
            # checked when binding)
            found.setdefault(
                "misused",
                f"The function is not allowed to be used this way in an expression; function: {node.name}",
            )
        for arg in node.args:
            _walk_value(arg, found, True)


def _check_path(path: ast.Path, found: dict[str, str]) -> None:
    if len(path.steps) > MAX_PATH_DEPTH:
        found.setdefault(
            "depth", f"The document path has too many nesting levels; nesting levels: {len(path.steps)}"
        )
    for step_kind, step in path.steps:
        if step_kind == "name" and step.upper() in RESERVED_WORDS:
            found.setdefault("reserved", f"Attribute name is a reserved keyword; reserved keyword: {step}")


def _analyze(parsed: Parsed) -> str | None:
    cached = parsed.notes.get("update")
    if cached is not None:
        return cached or None
    found: dict[str, str] = {}
    seen: set[str] = set()
    for clause in parsed.tree.clauses:
        if clause.keyword in seen:
            found.setdefault(
                "section", f'The "{clause.keyword}" section can only be used once in an update expression;'
            )
        seen.add(clause.keyword)
        for action in clause.actions:
            if isinstance(action, ast.Path):
                _check_path(action, found)
            else:
                _check_path(action.path, found)
                _walk_value(action.value, found)
    error = ""
    for category in ("depth", "reserved", "function", "misused", "section"):
        if category in found:
            error = f"Invalid UpdateExpression: {found[category]}"
            break
    parsed.notes["update"] = error
    return error or None


# ---- values of SET actions -----------------------------------------------------------


def _operand_type_error(b: Binder, name: str, type_name: str | None) -> None:
    b.fail(
        "function",
        f"Incorrect operand type for operator or function; operator or function: {name}, operand type: {type_name}",
    )


def _null(item: dict, values: tuple) -> dict:
    return {"NULL": True}


def _build_value(node: Any, b: Binder) -> tuple[ValueFn, str | None]:
    """(function computing the value from the original item, the value's type if it is a
    `:value`)."""
    if isinstance(node, ast.Value):
        bound = b.value(node)
        if bound is None:
            return _null, None
        slot, type_name = bound
        return (lambda item, values: values[slot]), type_name
    if isinstance(node, ast.Path):
        get = path_getter(b.path(node))

        def read(item: dict, values: tuple) -> dict:
            found = get(item, values)
            if found is None:
                raise DynamoError.validation(MISSING)
            return found

        return read, None
    if isinstance(node, ast.Arithmetic):
        (left, left_type), (right, right_type) = _build_value(node.left, b), _build_value(node.right, b)
        for operand_type in (left_type, right_type):
            if operand_type is not None and operand_type != "N":
                _operand_type_error(b, node.op, operand_type)
        subtract = node.op == "-"

        def arithmetic(item: dict, values: tuple) -> dict:
            x, y = left(item, values), right(item, values)
            if "N" not in x or "N" not in y:
                raise DynamoError.validation(WRONG_TYPE)
            return {"N": add_numbers(x["N"], y["N"], subtract)}

        return arithmetic, None
    # function call
    args = [_build_value(arg, b) for arg in node.args]
    if len(args) != UPDATE_FUNCTIONS.get(node.name, len(args)):
        b.fail(
            "function",
            "Incorrect number of operands for operator or function; "
            f"operator or function: {node.name}, number of operands: {len(args)}",
        )
        return _null, None
    if node.name == "if_not_exists":
        if not isinstance(node.args[0], ast.Path):
            b.fail(
                "function",
                "Operator or function requires a document path; operator or function: if_not_exists",
            )
            return _null, None
        get = path_getter(b.path(node.args[0]))
        fallback = args[1][0]
        return (lambda item, values: get(item, values) or fallback(item, values)), None
    if node.name == "list_append":
        for _, operand_type in args:
            if operand_type is not None and operand_type != "L":
                _operand_type_error(b, "list_append", operand_type)
        (first, _), (second, _) = args

        def list_append(item: dict, values: tuple) -> dict:
            x, y = first(item, values), second(item, values)
            if "L" not in x or "L" not in y:
                raise DynamoError.validation(WRONG_TYPE)
            return {"L": x["L"] + y["L"]}

        return list_append, None
    return _null, None  # unknown function: reported by analysis


# ---- compiling -----------------------------------------------------------------------


def _operand_check(operator: str, type_name: str, b: Binder) -> None:
    allowed = ("N", *SET_TYPES) if operator == "ADD" else SET_TYPES
    if type_name not in allowed:
        b.fail(
            "operand",
            f"Incorrect operand type for operator or function; operator: {operator}, "
            f"operand type: {_TYPE_WORDS.get(type_name, type_name)}",
        )


@lru_cache(maxsize=4096)
def _plan(
    text: str, names_key: tuple, types_key: tuple
) -> tuple[list[Any], list[ResolvedPath], frozenset[str], Bound, dict[str, str], frozenset[str]]:
    parsed = parse(text, "UpdateExpression")
    error = _analyze(parsed)
    if error:
        raise DynamoError.validation(error)
    b = Binder(dict(names_key), dict(types_key), "UpdateExpression", value_category="values")
    actions: list[tuple[str, ResolvedPath, Any]] = []
    value_types: dict[str, str] = {}  # top-level attribute -> the type a :value gives it
    computed: set[str] = set()  # top-level attributes set from the item (a path, a function)
    for clause in parsed.tree.clauses:
        for action in clause.actions:
            if isinstance(clause, ast.SetClause):
                path = b.path(action.path)
                value_fn, value_type = _build_value(action.value, b)
                actions.append(("set", path, value_fn))
                if len(path) == 1 and isinstance(path[0], str):
                    if value_type is not None:
                        value_types[path[0]] = value_type
                    else:
                        computed.add(path[0])
            elif isinstance(clause, ast.RemoveClause):
                actions.append(("remove", b.path(action), None))
            else:
                operator = clause.keyword
                path = b.path(action.path)
                bound = b.value(action.value)
                if bound is not None:
                    _operand_check(operator, bound[1], b)
                    if len(path) == 1 and isinstance(path[0], str):
                        value_types[path[0]] = bound[1]
                actions.append((operator.lower(), path, bound[0] if bound is not None else None))
    paths = [path for _, path, _ in actions]
    check_overlaps(paths, b)
    return actions, paths, frozenset(p[0] for p in paths), b.bound(UPDATE_ORDER), value_types, frozenset(computed)


def compile_update(text: str, ctx: ExpressionContext) -> Update:
    actions, paths, top_level_names, bound, value_types, computed = _plan(text, ctx.names_key, ctx.types_key)
    return Update(actions, bound.bind(ctx), paths, top_level_names, value_types, computed, bound.nested_roots)
