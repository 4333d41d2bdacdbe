"""Checks that need the syntax tree only (cached with it) and the binding of `#name` and
`:value` placeholders to one request's ExpressionContext, with DynamoDB's error precedence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions import ast
from lumadb.dynamodb.expressions.context import ExpressionContext
from lumadb.dynamodb.expressions.parser import Parsed, invalid

RESERVED_WORDS = frozenset((FilePath(__file__).with_name("reserved_words.txt")).read_text().split())
CONDITION_FUNCTIONS = {
    "attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
    "begins_with": 2, "contains": 2, "size": 1,
}  # fmt: skip
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
MAX_PATH_DEPTH = 32
MAX_IN_OPERANDS = 100

# Resolved path: top-level name, then names (map keys) and ints (list indexes).
ResolvedPath = tuple[Any, ...]

# After the text-only problems, DynamoDB reports a condition's first problem in the order
# the expression is written (an undefined value or a wrong operand type, whichever comes
# first: measured on key conditions), and an update's by category (dynalite's order).
CONDITION_ORDER: tuple[str, ...] = ()
UPDATE_ORDER = ("names", "values", "overlap", "conflict", "operand", "function")


def path_text(path: ResolvedPath) -> str:
    return "[" + ", ".join(f"[{s}]" if type(s) is int else s for s in path) + "]"


def value_text(av: dict) -> str:
    for type_name, value in av.items():
        return "{" + f"{type_name}:{value}" + "}"
    return "{}"


class Binder:
    """Binds the placeholders of one expression for one combination of ExpressionAttributeNames
    and value types (the cache key of a plan). Value contents are not known here: values
    become slots read at evaluation time, and checks that need contents run per request."""

    __slots__ = (
        "checks",
        "errors",
        "kind",
        "names",
        "names_used",
        "attributes",
        "nested_roots",
        "seq",
        "slot_of",
        "slots",
        "value_category",
        "value_types",
    )

    def __init__(
        self, names: dict[str, str], value_types: dict[str, str], kind: str, value_category: str = "names"
    ) -> None:
        self.names = names
        self.value_types = value_types
        self.kind = kind
        self.value_category = value_category  # updates report undefined names before values
        self.errors: dict[str, tuple[int, str]] = {}
        self.checks: list[tuple[str, int, Callable[[tuple], str | None]]] = []
        self.slots: list[str] = []
        self.slot_of: dict[str, int] = {}
        self.names_used: set[str] = set()
        self.attributes: set[str] = set()  # top-level attribute names the expression refers to
        self.nested_roots: set[str] = set()  # those it looks into (`a.b`, `a[0]`)
        self.seq = 0

    def fail(self, category: str, message: str) -> None:
        self.seq += 1
        if category not in self.errors:
            self.errors[category] = (self.seq, message)

    def check(self, category: str, test: Callable[[tuple], str | None]) -> None:
        """A check that needs the values' contents: `test(values in slot order)` -> message."""
        self.seq += 1
        self.checks.append((category, self.seq, test))

    def path(self, path: ast.Path) -> ResolvedPath:
        resolved: list[Any] = []
        for step_kind, step in path.steps:
            if step_kind == "ref":
                name = self.names.get(step)
                if name is None:
                    self.fail(
                        "names",
                        f"An expression attribute name used in the document path is not defined; attribute name: {step}",
                    )
                    name = step
                else:
                    self.names_used.add(step)
                resolved.append(name)
            else:
                resolved.append(step)
        self.attributes.add(resolved[0])
        if len(resolved) > 1:
            self.nested_roots.add(resolved[0])
        return tuple(resolved)

    def value(self, node: ast.Value) -> tuple[int, str] | None:
        """(slot, attribute type) of a `:value`, or None when it is not defined."""
        type_name = self.value_types.get(node.name)
        if type_name is None:
            self.fail(
                self.value_category,
                f"An expression attribute value used in expression is not defined; attribute value: {node.name}",
            )
            return None
        slot = self.slot_of.get(node.name)
        if slot is None:
            slot = self.slot_of[node.name] = len(self.slots)
            self.slots.append(node.name)
        return slot, type_name

    def bound(self, order: tuple[str, ...]) -> Bound:
        return Bound(
            self.kind,
            order,
            dict(self.errors),
            tuple(self.checks),
            tuple(self.slots),
            frozenset(self.names_used),
            frozenset(self.attributes),
            frozenset(self.nested_roots),
        )


@dataclass(frozen=True)
class Bound:
    """What binding found, reusable for every request with the same names and value types."""

    kind: str
    order: tuple[str, ...]
    errors: dict[str, tuple[int, str]]
    checks: tuple[tuple[str, int, Callable[[tuple], str | None]], ...]
    slots: tuple[str, ...]
    names_used: frozenset[str]
    attributes: frozenset[str]
    nested_roots: frozenset[str] = frozenset()

    def bind(self, ctx: ExpressionContext) -> tuple:
        """Raise the request's first error (DynamoDB's precedence), mark the placeholders used
        and return the values in slot order."""
        values = ctx.values
        if self.errors and not all(slot in values for slot in self.slots):
            self._raise({})
        slotted = tuple(values[slot] for slot in self.slots)
        if self.errors or self.checks:
            found: dict[str, tuple[int, str]] = {}
            for category, seq, test in self.checks:
                message = test(slotted)
                if message is not None and (category not in found or found[category][0] > seq):
                    found[category] = (seq, message)
            self._raise(found)
        ctx.used_names.update(self.names_used)
        ctx.used_values.update(self.slots)
        return slotted

    def _raise(self, found: dict[str, tuple[int, str]]) -> None:
        if not self.order:  # the first problem in the text
            everything = [*self.errors.values(), *found.values()]
            if everything:
                raise invalid(self.kind, min(everything)[1])
            return
        for category in self.order:
            candidates = [e for e in (self.errors.get(category), found.get(category)) if e is not None]
            if candidates:
                raise invalid(self.kind, min(candidates)[1])


def check_overlaps(paths: list[ResolvedPath], b: Binder) -> None:
    """Overlapping (`a`, `a.b`) and conflicting (`a.b`, `a[0]`) paths, as in updates."""
    if all(len(p) == 1 for p in paths) and len({p[0] for p in paths}) == len(paths):
        return
    for j, second in enumerate(paths):
        for first in paths[:j]:
            for x, y in zip(first, second, strict=False):
                if type(x) is not type(y):
                    b.fail(
                        "conflict",
                        "Two document paths conflict with each other; must remove or rewrite one of these paths; "
                        f"path one: {path_text(first)}, path two: {path_text(second)}",
                    )
                    break
                if x != y:
                    break
            else:
                b.fail(
                    "overlap",
                    "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                    f"path one: {path_text(first)}, path two: {path_text(second)}",
                )
                return


# ---- text-only checks ------------------------------------------------------------------


@dataclass
class Analysis:
    error: str | None  # complete message (with the "Invalid X:" prefix) or None


def _path_checks(path: ast.Path, found: dict[str, str]) -> None:
    if len(path.steps) > MAX_PATH_DEPTH and "depth" not in found:
        found["depth"] = f"The document path has too many nesting levels; nesting levels: {len(path.steps)}"
    for step_kind, step in path.steps:
        if step_kind == "name" and step.upper() in RESERVED_WORDS and "reserved" not in found:
            found["reserved"] = f"Attribute name is a reserved keyword; reserved keyword: {step}"


def _is_condition(node: Any) -> bool:
    if isinstance(node, ast.Parens):
        return _is_condition(node.inner)
    return isinstance(
        node, (ast.OrCondition, ast.AndCondition, ast.NotCondition, ast.Comparison, ast.Between, ast.InList)
    )


class _ConditionChecker:
    """Walks a condition tree once: misplaced constructs (reported as syntax errors at the
    token where DynamoDB's parser stops), redundant parentheses, function names and misuse,
    reserved words, operand counts."""

    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed
        self.syntax_at: list[int] = []
        self.found: dict[str, str] = {}

    def after(self, node: Any) -> int:
        return self.parsed.index_at(node.end)

    def fail_token(self, node: Any) -> int:
        """Where a parser expecting an operand stops inside a condition."""
        if isinstance(node, ast.Parens):
            return self.fail_token(node.inner) if _is_condition(node.inner) else self.after(node)
        if isinstance(node, ast.Comparison):
            return (
                self.fail_token(node.left)
                if _is_condition(node.left)
                else self.parsed.index_at(node.op_start)
            )
        if isinstance(node, ast.Between | ast.InList):
            return self.fail_token(node.operand) if _is_condition(node.operand) else self.after(node.operand)
        if isinstance(node, ast.OrCondition | ast.AndCondition):
            return self.fail_token(node.left) if _is_condition(node.left) else self.after(node.left)
        return self.parsed.index_at(node.start)  # NOT

    def condition(self, node: Any) -> None:
        if isinstance(node, ast.OrCondition | ast.AndCondition):
            self.condition(node.left)
            self.condition(node.right)
        elif isinstance(node, ast.NotCondition):
            self.condition(node.operand)
        elif isinstance(node, ast.Comparison):
            self.operand(node.left, leftmost=True)
            self.operand(node.right)
        elif isinstance(node, ast.Between):
            self.operand(node.operand, leftmost=True)
            self.operand(node.low)
            self.operand(node.high)
        elif isinstance(node, ast.InList):
            self.operand(node.operand, leftmost=True)
            for candidate in node.candidates:
                self.operand(candidate)
            if len(node.candidates) > MAX_IN_OPERANDS and "in" not in self.found:
                self.found["in"] = (
                    "The IN operator is provided with too many operands; "
                    f"number of operands: {len(node.candidates)}"
                )
        elif isinstance(node, ast.Parens):
            self.redundant(node)
            self.condition(node.inner)
        elif isinstance(node, ast.Call):
            if node.name == "size":
                self.misused(node.name)
            self.call(node)
        else:  # a bare path or value where a condition must be
            self.syntax_at.append(self.after(node))
            if isinstance(node, ast.Path):
                _path_checks(node, self.found)

    def operand(self, node: Any, leftmost: bool = False) -> None:
        if isinstance(node, ast.Path):
            _path_checks(node, self.found)
        elif isinstance(node, ast.Call):
            if node.name != "size" and node.name in CONDITION_FUNCTIONS:
                self.misused(node.name)
            self.call(node)
        elif isinstance(node, ast.Parens):
            self.redundant(node)
            if _is_condition(node.inner):
                self.syntax_at.append(self.after(node) if leftmost else self.fail_token(node.inner))
                self.condition(node.inner)
            else:
                self.operand(node.inner, leftmost)

    def call(self, node: ast.Call) -> None:
        if node.name not in CONDITION_FUNCTIONS:
            if node.name in UPDATE_FUNCTIONS:
                self.misused(node.name, "The function is not allowed in a condition expression; function: ")
            elif "function" not in self.found:
                self.found["function"] = f"Invalid function name; function: {node.name}"
        for arg in node.args:
            self.operand(arg)

    def misused(self, name: str, prefix: str = "") -> None:
        if "misused" not in self.found:
            text = prefix or "The function is not allowed to be used this way in an expression; function: "
            self.found["misused"] = text + name

    def redundant(self, node: ast.Parens) -> None:
        if isinstance(node.inner, ast.Parens) and "parens" not in self.found:
            self.found["parens"] = "The expression has redundant parentheses;"


def analyze_condition(parsed: Parsed, kind: str) -> Analysis:
    cached = parsed.notes.get(kind)
    if cached is not None:
        return cached
    checker = _ConditionChecker(parsed)
    checker.condition(parsed.tree.root)
    error: str | None = None
    if checker.syntax_at:
        error = parsed.syntax_error(kind, min(checker.syntax_at)).message
    else:
        for category in ("depth", "parens", "function", "misused", "reserved", "in"):
            if category in checker.found:
                error = f"Invalid {kind}: {checker.found[category]}"
                break
    analysis = Analysis(error)
    parsed.notes[kind] = analysis
    return analysis


def raise_analysis_error(analysis: Analysis) -> None:
    if analysis.error is not None:
        raise DynamoError.validation(analysis.error)
