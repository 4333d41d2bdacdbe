"""Condition trees -> closures over plain item dicts (DynamoDB wire JSON).

A closure takes `(item, values)`, `values` being the request's ExpressionAttributeValues in
slot order, so one compiled plan serves every request with the same text, names and value
types. Evaluating never raises: a missing attribute makes every comparison false except `<>`,
which is then true, and comparisons between different types are false."""

from __future__ import annotations

import base64
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

from lumadb.dynamodb.comparison import compare_values, values_equal
from lumadb.dynamodb.expressions import ast
from lumadb.dynamodb.expressions.resolve import (
    CONDITION_FUNCTIONS,
    Binder,
    ResolvedPath,
    path_text,
    value_text,
)

Getter = Callable[[dict, tuple], Any]
Predicate = Callable[[dict, tuple], bool]

ORDERED_TYPES = ("S", "N", "B")
TYPE_NAMES = ("S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M")


def _never(item: dict, values: tuple) -> bool:
    return False


def _nothing(item: dict, values: tuple) -> None:
    return None


def walk(value: Any, steps: ResolvedPath) -> Any:
    """Follow map keys and list indexes from an attribute value; None when absent."""
    for step in steps:
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


def path_getter(path: ResolvedPath) -> Getter:
    first = path[0]
    if len(path) == 1:
        return lambda item, values: item.get(first)
    rest = path[1:]
    return lambda item, values: walk(item.get(first), rest)


class Operand(NamedTuple):
    get: Getter
    slot: int | None  # set when the operand is an ExpressionAttributeValue
    static_type: str | None  # type known before evaluation (values, size())
    path: ResolvedPath | None  # set when the operand is a document path


def size_of(value: dict | None) -> dict | None:
    if value is None:
        return None
    for type_name, inner in value.items():
        if type_name == "S":  # UTF-16 code units, as DynamoDB counts (measured: size("é𝄞") = 3)
            return {"N": str(len(inner) if inner.isascii() else len(inner.encode("utf-16-le")) // 2)}
        if type_name == "B":
            return {"N": str(len(base64.b64decode(inner)))}
        if type_name in ("SS", "NS", "BS", "L", "M"):
            return {"N": str(len(inner))}
    return None  # N, BOOL and NULL have no size


def _slot_getter(slot: int) -> Getter:
    return lambda item, values: values[slot]


def build_operand(node: Any, b: Binder) -> Operand:
    if isinstance(node, ast.Path):
        path = b.path(node)
        return Operand(path_getter(path), None, None, path)
    if isinstance(node, ast.Value):
        bound = b.value(node)
        if bound is None:
            return Operand(_nothing, None, None, None)
        return Operand(_slot_getter(bound[0]), bound[0], bound[1], None)
    if isinstance(node, ast.Parens):
        return build_operand(node.inner, b)
    # size(): the only function that yields an operand (misuse was reported by analysis)
    args = [build_operand(arg, b) for arg in node.args]
    if len(args) != 1:
        _operand_count("size", len(args), b)
        return Operand(_nothing, None, "N", None)
    arg = args[0]
    if arg.static_type in ("N", "BOOL", "NULL"):
        _operand_type("size", arg.static_type, b)
    inner = arg.get
    return Operand(lambda item, values: size_of(inner(item, values)), None, "N", None)


def _operand_count(name: str, count: int, b: Binder) -> None:
    b.fail(
        "operands",
        f"Incorrect number of operands for operator or function; operator or function: {name}, number of operands: {count}",
    )


def _operand_type(name: str, type_name: str, b: Binder) -> None:
    b.fail(
        "function",
        f"Incorrect operand type for operator or function; operator or function: {name}, operand type: {type_name}",
    )


def _distinct(operator: str, left: Operand, right: Operand, b: Binder) -> None:
    if left.path is not None and left.path == right.path:
        b.fail(
            "distinct",
            "The first operand must be distinct from the remaining operands for this operator or function; "
            f"operator: {operator}, first operand: {path_text(left.path)}",
        )


def _orderable(operator: str, operand: Operand, b: Binder) -> None:
    if operand.slot is not None and operand.static_type not in ORDERED_TYPES:
        _operand_type(operator, str(operand.static_type), b)


def _equals_value(get: Getter, slot: int, type_name: str) -> Predicate:
    """`path = :value`, specialised on the value's type."""
    if type_name in ("S", "BOOL"):
        return lambda item, values: (
            (v := get(item, values)) is not None and v.get(type_name) == values[slot][type_name]
        )

    if type_name == "N":

        def equals_number(item: dict, values: tuple) -> bool:
            v = get(item, values)
            if v is None:
                return False
            text, wanted = v.get("N"), values[slot]["N"]
            return text is not None and (text == wanted or Decimal(text) == Decimal(wanted))

        return equals_number
    if type_name == "NULL":
        return lambda item, values: (v := get(item, values)) is not None and "NULL" in v
    return lambda item, values: (v := get(item, values)) is not None and values_equal(v, values[slot])


def _comparison(node: ast.Comparison, b: Binder) -> Predicate:
    left, right = build_operand(node.left, b), build_operand(node.right, b)
    op = node.op
    _distinct(op, left, right, b)
    lg, rg = left.get, right.get
    if op in ("=", "<>"):
        equal: Predicate
        if right.slot is not None and left.slot is None:
            equal = _equals_value(lg, right.slot, str(right.static_type))
        elif left.slot is not None and right.slot is None:
            equal = _equals_value(rg, left.slot, str(left.static_type))
        else:

            def equal(item: dict, values: tuple) -> bool:
                a, c = lg(item, values), rg(item, values)
                return a is not None and c is not None and values_equal(a, c)

        if op == "=":
            return equal
        return lambda item, values: not equal(item, values)
    _orderable(op, left, b)
    _orderable(op, right, b)
    accept = {"<": (-1,), "<=": (-1, 0), ">": (1,), ">=": (1, 0)}[op]

    def ordered(item: dict, values: tuple) -> bool:
        a, c = lg(item, values), rg(item, values)
        if a is None or c is None:
            return False
        return compare_values(a, c) in accept

    return ordered


def _between(node: ast.Between, b: Binder) -> Predicate:
    operand, low, high = (build_operand(n, b) for n in (node.operand, node.low, node.high))
    for o in (operand, low, high):
        _orderable("BETWEEN", o, b)
    if low.slot is not None and high.slot is not None:
        low_slot, high_slot = low.slot, high.slot
        same_type = low.static_type == high.static_type

        def bounds(values: tuple) -> str | None:
            lo, hi = values[low_slot], values[high_slot]
            described = (
                f"lower bound operand: AttributeValue: {value_text(lo)}, "
                f"upper bound operand: AttributeValue: {value_text(hi)}"
            )
            if not same_type:
                return f"The BETWEEN operator requires same data type for lower and upper bounds; {described}"
            if (compare_values(lo, hi) or 0) > 0:
                return (
                    "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                    + described
                )
            return None

        b.check("function", bounds)
    get, lo, hi = operand.get, low.get, high.get

    def between(item: dict, values: tuple) -> bool:
        value, a, c = get(item, values), lo(item, values), hi(item, values)
        if value is None or a is None or c is None:
            return False
        return compare_values(value, a) in (0, 1) and compare_values(value, c) in (-1, 0)

    return between


def _in_list(node: ast.InList, b: Binder) -> Predicate:
    operand = build_operand(node.operand, b)
    getters = [build_operand(c, b).get for c in node.candidates]
    get = operand.get

    def in_list(item: dict, values: tuple) -> bool:
        value = get(item, values)
        if value is None:
            return False
        for candidate in getters:
            other = candidate(item, values)
            if other is not None and values_equal(value, other):
                return True
        return False

    return in_list


def _needs_path(name: str, operand: Operand, b: Binder) -> None:
    if operand.path is None:
        b.fail("function", f"Operator or function requires a document path; operator or function: {name}")


def contains(container: dict | None, element: dict | None) -> bool:
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


def begins_with(value: dict | None, prefix: dict | None) -> bool:
    if value is None or prefix is None:
        return False
    if "S" in value:
        return "S" in prefix and value["S"].startswith(prefix["S"])
    if "B" in value:
        return "B" in prefix and base64.b64decode(value["B"]).startswith(base64.b64decode(prefix["B"]))
    return False


def _attribute_type(first: Operand, second: Operand, b: Binder) -> Predicate:
    # Unlike attribute_exists, the first operand may be a value too: DynamoDB evaluates it.
    _distinct("attribute_type", first, second, b)
    get = first.get
    if second.slot is None:
        type_name = second.static_type or "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"
        _operand_type("attribute_type", type_name, b)
        return _never
    if second.static_type != "S":
        _operand_type("attribute_type", str(second.static_type), b)
        return _never
    slot = second.slot

    def valid_name(values: tuple) -> str | None:
        name = values[slot]["S"]
        if name in TYPE_NAMES:
            return None
        return (
            f"Invalid attribute type name found; type: {name}, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
        )

    b.check("function", valid_name)
    return lambda item, values: (v := get(item, values)) is not None and values[slot]["S"] in v


def _function(node: ast.Call, b: Binder) -> Predicate:
    name = node.name
    args = [build_operand(arg, b) for arg in node.args]
    if len(args) != CONDITION_FUNCTIONS.get(name):
        if name in CONDITION_FUNCTIONS:
            _operand_count(name, len(args), b)
        return _never  # other names: reported by analysis
    first = args[0]
    get = first.get
    if name in ("attribute_exists", "attribute_not_exists"):
        _needs_path(name, first, b)
        path = first.path
        if path is not None and len(path) == 1:
            top = path[0]
            if name == "attribute_exists":
                return lambda item, values: top in item
            return lambda item, values: top not in item
        if name == "attribute_exists":
            return lambda item, values: get(item, values) is not None
        return lambda item, values: get(item, values) is None
    second = args[1]
    if name == "attribute_type":
        return _attribute_type(first, second, b)
    _distinct(name, first, second, b)
    other = second.get
    if name == "begins_with":
        for arg in args:
            if arg.static_type is not None and arg.static_type not in ("S", "B"):
                _operand_type(name, arg.static_type, b)
                break
        return lambda item, values: begins_with(get(item, values), other(item, values))
    return lambda item, values: contains(get(item, values), other(item, values))


def _and(node: ast.AndCondition, b: Binder) -> Predicate:
    left, right = build_predicate(node.left, b), build_predicate(node.right, b)
    return lambda item, values: left(item, values) and right(item, values)


def _or(node: ast.OrCondition, b: Binder) -> Predicate:
    left, right = build_predicate(node.left, b), build_predicate(node.right, b)
    return lambda item, values: left(item, values) or right(item, values)


def _not(node: ast.NotCondition, b: Binder) -> Predicate:
    inner = build_predicate(node.operand, b)
    return lambda item, values: not inner(item, values)


def _parens(node: ast.Parens, b: Binder) -> Predicate:
    return build_predicate(node.inner, b)


_BUILDERS: dict[type, Callable[[Any, Binder], Predicate]] = {
    ast.AndCondition: _and,
    ast.OrCondition: _or,
    ast.NotCondition: _not,
    ast.Parens: _parens,
    ast.Comparison: _comparison,
    ast.Between: _between,
    ast.InList: _in_list,
    ast.Call: _function,
}


def build_predicate(node: Any, b: Binder) -> Predicate:
    builder = _BUILDERS.get(type(node))
    if builder is None:
        return _never  # a bare operand: reported by analysis as a syntax error
    return builder(node, b)
