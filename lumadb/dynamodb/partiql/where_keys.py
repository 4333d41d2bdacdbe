"""What a PartiQL WHERE pins down: the partitions it names (by `=`, `IN`, or OR branches that
each pin one), a sort-key condition that narrows them, the exact key of one item, and the OR
branches DynamoDB refuses because their key ranges overlap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.partiql import ast
from lumadb.dynamodb.partiql.translate import conjuncts, plain_name
from lumadb.dynamodb.partiql.values import attribute_value, is_value

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo

SORT_OPERATORS = frozenset(("=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"))


def value_side(term: Any, name: str) -> Any:
    """The value compared with attribute `name` in `name = value` (or `value = name`)."""
    if not isinstance(term, ast.Comparison) or term.op != "=":
        return None
    if plain_name(term.left) == name and is_value(term.right):
        return term.right
    if plain_name(term.right) == name and is_value(term.left):
        return term.left
    return None


def pinned_partitions(terms: list[Any], hash_names: list[str], parameters: list[dict]) -> list[list[dict]] | None:
    """The partitions to query: one list of partition-key values each (an IN on a single
    partition-key attribute names several); None when the WHERE does not pin the partition."""
    if len(hash_names) > 1:
        values = []
        for name in hash_names:
            found = next((v for term in terms if (v := value_side(term, name)) is not None), None)
            if found is None:
                return None
            values.append(attribute_value(found, parameters))
        return [values]
    for term in terms:
        value = value_side(term, hash_names[0])
        if value is not None:
            return [[attribute_value(value, parameters)]]
        if isinstance(term, ast.InList):
            subject, *items = (part for part in term.parts if part is not None)
            if plain_name(subject) == hash_names[0] and all(is_value(item) for item in items):
                return [[attribute_value(item, parameters)] for item in items]
    return None


def branch_partitions(condition: Any, hash_names: list[str], parameters: list[dict]) -> list[list[dict]] | None:
    """The partitions OR branches name when each pins one (`pk = 'a' OR pk = 'b'`, which
    DynamoDB reads as it reads an IN, not as a scan); the whole WHERE still filters them."""
    branches = _branches(condition)
    if len(branches) < 2:
        return None
    found: list[list[dict]] = []
    for branch in branches:
        partitions = pinned_partitions(conjuncts(branch), hash_names, parameters)
        if partitions is None:
            return None
        found.extend(p for p in partitions if p not in found)
    return found


OVERLAPPING = "Overlapping conditions with range keys are not supported in where clause"


def _branches(condition: Any) -> list[Any]:
    """The top-level OR branches of a condition."""
    if isinstance(condition, ast.Either):
        return _branches(condition.left) + _branches(condition.right)
    return [condition]


def _mentions(term: Any, name: str) -> bool:
    return any(plain_name(node) == name for node in ast.nodes(term))


def refuse_overlapping_branches(condition: Any, hash_names: list[str], range_name: str,
                                 parameters: list[dict]) -> None:
    """DynamoDB reads OR branches that each pin a partition as key ranges, and refuses two that
    overlap in one partition: one that reads the whole partition (its other terms only filter)
    beside another of the same partition, or the same sort-key equality twice. A branch whose
    sort-key term is not a key range (`NOT sk = ...`, `sk <> ...`) makes it read differently,
    without the refusal (measured on AWS). Overlaps between two sort-key ranges are not refused
    here for want of a capture of DynamoDB's answer."""
    branches = _branches(condition)
    if len(branches) < 2:
        return
    ranges: dict[str, list[tuple[str, list[dict]] | None]] = {}
    for branch in branches:
        terms = conjuncts(branch)
        partitions = pinned_partitions(terms, hash_names, parameters)
        if partitions is None or len(partitions) != 1:
            return
        sort = sort_condition(terms, range_name, parameters)
        ranged = [term for term in terms if _mentions(term, range_name)]
        if len(ranged) != (0 if sort is None else 1):
            return  # a sort-key term that is no key range
        ranges.setdefault(repr(partitions[0]), []).append(sort)
    for found in ranges.values():
        if len(found) > 1 and (None in found or _duplicate_equality(found)):
            raise DynamoError.validation(OVERLAPPING)


def _duplicate_equality(ranges: list[Any]) -> bool:
    equalities = [repr(values) for op, values in ranges if op == "="]
    return len(equalities) != len(set(equalities))


def sort_condition(
    terms: list[Any], range_name: str, parameters: list[dict]
) -> tuple[str, list[dict]] | None:
    for term in terms:
        if isinstance(term, ast.Comparison) and term.op in SORT_OPERATORS:
            if plain_name(term.left) == range_name and is_value(term.right):
                return str(term.op), [attribute_value(term.right, parameters)]
            if plain_name(term.right) == range_name and is_value(term.left):
                flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(str(term.op), str(term.op))
                return flipped, [attribute_value(term.left, parameters)]
        if (
            isinstance(term, ast.Between)
            and plain_name(term.operand) == range_name
            and is_value(term.low)
            and is_value(term.high)
        ):
            return "BETWEEN", [
                attribute_value(term.low, parameters),
                attribute_value(term.high, parameters),
            ]
        if isinstance(term, ast.Call) and term.name.lower() == "begins_with":
            arguments = term.arguments
            if len(arguments) == 2 and plain_name(arguments[0]) == range_name and is_value(arguments[1]):
                return "begins_with", [attribute_value(arguments[1], parameters)]
    return None


def exact_key(terms: list[Any], table: TableInfo, parameters: list[dict]) -> dict | None:
    """The primary key, when the WHERE is nothing but one equality per key attribute."""
    if len(terms) != len(table.key_names):
        return None
    key = {}
    for name in table.key_names:
        found = [value for term in terms if (value := value_side(term, name)) is not None]
        if len(found) != 1:
            return None
        key[name] = attribute_value(found[0], parameters)
    return key
