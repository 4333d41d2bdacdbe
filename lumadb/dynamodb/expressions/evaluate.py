"""Condition trees -> closures over plain item dicts (DynamoDB wire JSON).

Built once per request after placeholders are bound; evaluating never raises. A missing
attribute makes every comparison false except `<>`, which is then true; comparisons
between different types are false."""

from __future__ import annotations

import base64
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

from lumadb.dynamodb.attributes import attribute_type, compare_values, values_equal
from lumadb.dynamodb.expressions import ast
from lumadb.dynamodb.expressions.resolve import (
    CONDITION_FUNCTIONS,
    Binder,
    ResolvedPath,
    path_text,
    value_text,
)

Getter = Callable[[dict], Any]
Predicate = Callable[[dict], bool]

ORDERED_TYPES = ("S", "N", "B")
TYPE_NAMES = ("S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M")


def _never(item: dict) -> bool:
    return False


def path_getter(path: ResolvedPath) -> Getter:
    first = path[0]
    if len(path) == 1:
        return lambda item: item.get(first)
    rest = path[1:]

    def get(item: dict) -> Any:
        value = item.get(first)
        for step in rest:
            if value is None:
                return None
            if type(step) is int:
                members = value.get("L")
                if members is None or step >= len(members):
                    return None
                value = members[step]
            else:
                fields = value.get("M")
                if fields is None:
                    return None
                value = fields.get(step)
        return value

    return get


class Operand(NamedTuple):
    get: Getter
    const: dict | None  # the value, when the operand is an ExpressionAttributeValue
    static_type: str | None  # type known before evaluation (values, size())
    path: ResolvedPath | None  # when the operand is a document path


def size_of(value: dict | None) -> dict | None:
    if value is None:
        return None
    for type_name, inner in value.items():
        if type_name == "S":
            return {"N": str(len(inner))}
        if type_name == "B":
            return {"N": str(len(base64.b64decode(inner)))}
        if type_name in ("SS", "NS", "BS", "L", "M"):
            return {"N": str(len(inner))}
    return None  # N, BOOL and NULL have no size


def build_operand(node: Any, b: Binder) -> Operand:
    if isinstance(node, ast.Path):
        path = b.path(node)
        return Operand(path_getter(path), None, None, path)
    if isinstance(node, ast.Value):
        value = b.value(node)
        return Operand(lambda item: value, value, attribute_type(value) if value else None, None)
    if isinstance(node, ast.Parens):
        return build_operand(node.inner, b)
    # size(): the only function that yields an operand (misuse was reported by analysis)
    args = [build_operand(arg, b) for arg in node.args]
    if len(args) != 1:
        return Operand(lambda item: None, None, "N", None)
    arg = args[0]
    if arg.static_type in ("N", "BOOL", "NULL"):
        b.fail(
            "function",
            f"Incorrect operand type for operator or function; operator or function: size, operand type: {arg.static_type}",
        )
    inner = arg.get
    return Operand(lambda item: size_of(inner(item)), None, "N", None)


def _distinct(operator: str, left: Operand, right: Operand, b: Binder) -> None:
    if left.path is not None and left.path == right.path:
        b.fail(
            "distinct",
            "The first operand must be distinct from the remaining operands for this operator or function; "
            f"operator: {operator}, first operand: {path_text(left.path)}",
        )


def _orderable(operator: str, operand: Operand, b: Binder) -> None:
    if operand.const is not None and operand.static_type not in ORDERED_TYPES:
        b.fail(
            "function",
            f"Incorrect operand type for operator or function; operator or function: {operator}, "
            f"operand type: {operand.static_type}",
        )


def _equals_constant(get: Getter, const: dict) -> Predicate:
    type_name = attribute_type(const)
    inner = const[type_name]
    if type_name in ("S", "BOOL"):
        return lambda item: (value := get(item)) is not None and value.get(type_name) == inner
    if type_name == "N":
        number = Decimal(inner)

        def equals_number(item: dict) -> bool:
            value = get(item)
            if value is None:
                return False
            text = value.get("N")
            return text is not None and (text == inner or Decimal(text) == number)

        return equals_number
    if type_name == "NULL":
        return lambda item: (value := get(item)) is not None and "NULL" in value
    return lambda item: (value := get(item)) is not None and values_equal(value, const)


def _comparison(node: ast.Comparison, b: Binder) -> Predicate:
    left, right = build_operand(node.left, b), build_operand(node.right, b)
    op = node.op
    _distinct(op, left, right, b)
    lg, rg = left.get, right.get
    if op in ("=", "<>"):
        if right.const is not None and left.const is None:
            equal = _equals_constant(lg, right.const)
        elif left.const is not None and right.const is None:
            equal = _equals_constant(rg, left.const)
        else:

            def equal(item: dict) -> bool:
                a, c = lg(item), rg(item)
                return a is not None and c is not None and values_equal(a, c)

        if op == "=":
            return equal
        return lambda item: not equal(item)
    _orderable(op, left, b)
    _orderable(op, right, b)
    accept = {"<": (-1,), "<=": (-1, 0), ">": (1,), ">=": (1, 0)}[op]

    def ordered(item: dict) -> bool:
        a, c = lg(item), rg(item)
        if a is None or c is None:
            return False
        return compare_values(a, c) in accept

    return ordered


def _between(node: ast.Between, b: Binder) -> Predicate:
    operand, low, high = (build_operand(n, b) for n in (node.operand, node.low, node.high))
    for o in (operand, low, high):
        _orderable("BETWEEN", o, b)
    if low.const is not None and high.const is not None:
        low_type, high_type = low.static_type, high.static_type
        described = (
            f"lower bound operand: AttributeValue: {value_text(low.const)}, "
            f"upper bound operand: AttributeValue: {value_text(high.const)}"
        )
        if low_type != high_type:
            b.fail(
                "function",
                f"The BETWEEN operator requires same data type for lower and upper bounds; {described}",
            )
        elif (compare_values(low.const, high.const) or 0) > 0:
            b.fail(
                "function",
                "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                + described,
            )
    get, lo, hi = operand.get, low.get, high.get

    def between(item: dict) -> bool:
        value, a, c = get(item), lo(item), hi(item)
        if value is None or a is None or c is None:
            return False
        return compare_values(value, a) in (0, 1) and compare_values(value, c) in (-1, 0)

    return between


def _in_list(node: ast.InList, b: Binder) -> Predicate:
    operand = build_operand(node.operand, b)
    candidates = [build_operand(c, b) for c in node.candidates]
    get = operand.get
    if all(c.const is not None and c.static_type == "S" for c in candidates):
        strings = frozenset(c.const["S"] for c in candidates if c.const)
        return lambda item: (value := get(item)) is not None and value.get("S") in strings
    getters = [c.get for c in candidates]

    def in_list(item: dict) -> bool:
        value = get(item)
        if value is None:
            return False
        for candidate in getters:
            other = candidate(item)
            if other is not None and values_equal(value, other):
                return True
        return False

    return in_list


def _needs_path(name: str, operand: Operand, b: Binder) -> None:
    if operand.path is None:
        b.fail("function", f"Operator or function requires a document path; operator or function: {name}")


def _operand_type(name: str, type_name: str, b: Binder) -> None:
    b.fail(
        "function",
        f"Incorrect operand type for operator or function; operator or function: {name}, operand type: {type_name}",
    )


def _contains(container: dict | None, element: dict | None) -> bool:
    if container is None or element is None:
        return False
    for type_name, members in container.items():
        if type_name == "S":
            return "S" in element and element["S"] in members
        if type_name == "B":
            return "B" in element and base64.b64decode(element["B"]) in base64.b64decode(members)
        if type_name == "SS":
            return "S" in element and element["S"] in members
        if type_name == "NS":
            return "N" in element and any(values_equal(element, {"N": m}) for m in members)
        if type_name == "BS":
            return "B" in element and any(values_equal(element, {"B": m}) for m in members)
        if type_name == "L":
            return any(values_equal(element, member) for member in members)
    return False


def _begins_with(value: dict | None, prefix: dict | None) -> bool:
    if value is None or prefix is None:
        return False
    if "S" in value:
        return "S" in prefix and value["S"].startswith(prefix["S"])
    if "B" in value:
        return "B" in prefix and base64.b64decode(value["B"]).startswith(base64.b64decode(prefix["B"]))
    return False


def _function(node: ast.Call, b: Binder) -> Predicate:
    name = node.name
    args = [build_operand(arg, b) for arg in node.args]
    if len(args) != CONDITION_FUNCTIONS.get(name):
        return _never  # reported by analysis (wrong operand count) or misuse
    first = args[0]
    get = first.get
    if name in ("attribute_exists", "attribute_not_exists"):
        _needs_path(name, first, b)
        path = first.path
        if path is not None and len(path) == 1:
            top = path[0]
            if name == "attribute_exists":
                return lambda item: top in item
            return lambda item: top not in item
        if name == "attribute_exists":
            return lambda item: get(item) is not None
        return lambda item: get(item) is None
    second = args[1]
    if name == "attribute_type":
        _needs_path(name, first, b)
        if second.const is not None:
            if second.static_type != "S":
                _operand_type(name, str(second.static_type), b)
            elif second.const["S"] not in TYPE_NAMES:
                b.fail(
                    "function",
                    f"Invalid attribute type name found; type: {second.const['S']}, "
                    "valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                )
            wanted = second.const.get("S")
            return lambda item: (value := get(item)) is not None and wanted in value
        if second.static_type is not None:
            _operand_type(name, second.static_type, b)
        else:
            _operand_type(name, "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}", b)
        return _never
    _distinct(name, first, second, b)
    other = second.get
    if name == "begins_with":
        for arg in args:
            if arg.static_type is not None and arg.static_type not in ("S", "B"):
                _operand_type(name, arg.static_type, b)
                break
        return lambda item: _begins_with(get(item), other(item))
    return lambda item: _contains(get(item), other(item))  # contains


def build_predicate(node: Any, b: Binder) -> Predicate:
    if isinstance(node, ast.AndCondition):
        left, right = build_predicate(node.left, b), build_predicate(node.right, b)
        return lambda item: left(item) and right(item)
    if isinstance(node, ast.OrCondition):
        left, right = build_predicate(node.left, b), build_predicate(node.right, b)
        return lambda item: left(item) or right(item)
    if isinstance(node, ast.NotCondition):
        inner = build_predicate(node.operand, b)
        return lambda item: not inner(item)
    if isinstance(node, ast.Parens):
        return build_predicate(node.inner, b)
    if isinstance(node, ast.Comparison):
        return _comparison(node, b)
    if isinstance(node, ast.Between):
        return _between(node, b)
    if isinstance(node, ast.InList):
        return _in_list(node, b)
    if isinstance(node, ast.Call):
        return _function(node, b)
    return _never  # a bare operand: reported by analysis as a syntax error
