"""The expression syntax tree, built from the Lark parse tree by `lark.ast_utils`.

Nodes keep their character span (`start`, `end`) so that misplaced constructs can be
reported as DynamoDB reports syntax errors. Nothing here depends on a request: names and
values stay placeholders until resolve.py binds them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from lark import Token, ast_utils

# A path step: ("name", "a"), ("ref", "#a") or ("index", 3).
Step = tuple[str, Any]


class _Node(ast_utils.Ast, ast_utils.WithMeta):
    start: int
    end: int


def _span(meta: Any) -> tuple[int, int]:
    return (meta.start_pos, meta.end_pos) if not meta.empty else (0, 0)


@dataclass(eq=False)
class Path(_Node, ast_utils.AsList):
    steps: tuple[Step, ...]
    start: int
    end: int

    def __init__(self, meta: Any, tokens: list[Token]) -> None:
        steps: list[Step] = []
        for token in tokens:
            if token.type == "NAME":
                steps.append(("name", str(token)))
            elif token.type == "NAME_REF":
                steps.append(("ref", str(token)))
            else:
                steps.append(("index", int(token)))
        self.steps = tuple(steps)
        self.start, self.end = _span(meta)


@dataclass(eq=False)
class Value(_Node):
    name: str
    start: int
    end: int

    def __init__(self, meta: Any, token: Token) -> None:
        self.name = str(token)
        self.start, self.end = _span(meta)


@dataclass(eq=False)
class Call(_Node, ast_utils.AsList):
    name: str
    args: list[Any]
    start: int
    end: int

    def __init__(self, meta: Any, children: list[Any]) -> None:
        self.name = str(children[0])
        self.args = children[1:]
        self.start, self.end = _span(meta)


class UpdateCall(Call):
    pass


@dataclass(eq=False)
class Parens(_Node):
    inner: Any
    start: int
    end: int

    def __init__(self, meta: Any, inner: Any) -> None:
        self.inner = inner
        self.start, self.end = _span(meta)


@dataclass(eq=False)
class Comparison(_Node):
    left: Any
    op: str
    right: Any
    op_start: int
    start: int
    end: int

    def __init__(self, meta: Any, left: Any, op: Token, right: Any) -> None:
        self.left, self.op, self.right = left, str(op), right
        self.op_start = op.start_pos or 0
        self.start, self.end = _span(meta)


@dataclass(eq=False)
class Between(_Node):
    operand: Any
    low: Any
    high: Any
    start: int
    end: int

    def __init__(self, meta: Any, operand: Any, low: Any, high: Any) -> None:
        self.operand, self.low, self.high = operand, low, high
        self.start, self.end = _span(meta)


@dataclass(eq=False)
class InList(_Node, ast_utils.AsList):
    operand: Any
    candidates: list[Any]
    start: int
    end: int

    def __init__(self, meta: Any, children: list[Any]) -> None:
        self.operand, self.candidates = children[0], children[1:]
        self.start, self.end = _span(meta)


@dataclass(eq=False)
class _Logical(_Node):
    left: Any
    right: Any
    start: int
    end: int

    def __init__(self, meta: Any, left: Any, right: Any) -> None:
        self.left, self.right = left, right
        self.start, self.end = _span(meta)


class OrCondition(_Logical):
    pass


class AndCondition(_Logical):
    pass


@dataclass(eq=False)
class NotCondition(_Node):
    operand: Any
    start: int
    end: int

    def __init__(self, meta: Any, operand: Any) -> None:
        self.operand = operand
        self.start, self.end = _span(meta)


@dataclass(eq=False)
class Condition(_Node):
    """Start symbol of ConditionExpression, FilterExpression and KeyConditionExpression."""

    root: Any
    start: int
    end: int

    def __init__(self, meta: Any, root: Any) -> None:
        self.root = root
        self.start, self.end = _span(meta)


# ---- updates -----------------------------------------------------------------------------


@dataclass(eq=False)
class Arithmetic(_Node):
    left: Any
    op: str
    right: Any
    start: int
    end: int

    def __init__(self, meta: Any, left: Any, op: Token, right: Any) -> None:
        self.left, self.op, self.right = left, str(op), right
        self.start, self.end = _span(meta)


@dataclass(eq=False)
class SetAction(_Node):
    path: Path
    value: Any
    start: int
    end: int

    def __init__(self, meta: Any, path: Path, _eq: Token, value: Any) -> None:
        self.path, self.value = path, value
        self.start, self.end = _span(meta)


@dataclass(eq=False)
class AddAction(_Node):
    path: Path
    value: Value
    start: int
    end: int

    def __init__(self, meta: Any, path: Path, token: Token) -> None:
        self.path = path
        self.value = Value(meta, token)
        self.value.start, self.value.end = token.start_pos or 0, token.end_pos or 0
        self.start, self.end = _span(meta)


class DeleteAction(AddAction):
    pass


@dataclass(eq=False)
class Clause(_Node, ast_utils.AsList):
    keyword: str = field(init=False, default="")
    actions: list[Any] = field(default_factory=list)
    start: int = 0
    end: int = 0

    def __init__(self, meta: Any, actions: list[Any]) -> None:
        self.actions = actions
        self.start, self.end = _span(meta)


class SetClause(Clause):
    keyword = "SET"


class RemoveClause(Clause):
    keyword = "REMOVE"


class AddClause(Clause):
    keyword = "ADD"


class DeleteClause(Clause):
    keyword = "DELETE"


@dataclass(eq=False)
class Update(_Node, ast_utils.AsList):
    clauses: list[Clause]
    start: int
    end: int

    def __init__(self, meta: Any, clauses: list[Clause]) -> None:
        self.clauses = clauses
        self.start, self.end = _span(meta)


@dataclass(eq=False)
class Projection(_Node, ast_utils.AsList):
    paths: list[Path]
    start: int
    end: int

    def __init__(self, meta: Any, paths: list[Path]) -> None:
        self.paths = paths
        self.start, self.end = _span(meta)


def transformer() -> Any:
    from lark.visitors import Transformer_NonRecursive

    # Non-recursive so that a deeply nested (but short) expression cannot exhaust the stack.
    return ast_utils.create_transformer(sys.modules[__name__], Transformer_NonRecursive())
