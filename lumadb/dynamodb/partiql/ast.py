"""The PartiQL syntax tree: one dataclass per rule of grammar/partiql.lark, built by Lark's
`ast_utils.create_transformer` (a class named `FromUpdate` is built by the rule `from_update`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lark import ast_utils


class Ident(str):
    """A name as written, with where it starts: DynamoDB ends some messages with the position
    of the token they are about, ` at <line>:<column>:<length>` (columns counted from 1)."""

    line: int
    column: int

    def at(self) -> str:
        return f" at {self.line}:{self.column}:{len(self)}"


def at(name: str) -> str:
    """` at l:c:n` for a name the parser read, "" for one built otherwise."""
    return name.at() if isinstance(name, Ident) else ""


# -- statements --------------------------------------------------------------------------


@dataclass
class Select(ast_utils.Ast):
    projection: Star | Columns
    source: Source
    alias: Alias | None
    where: Where | None
    order_by: OrderBy | None


@dataclass
class Insert(ast_utils.Ast):
    table: Table | IndexedTable
    value: Any


@dataclass
class Update(ast_utils.Ast, ast_utils.AsList):
    parts: list[Any]

    @property
    def table(self) -> Table | IndexedTable:
        return self.parts[0]

    @property
    def alias(self) -> Alias | None:
        return self.parts[1]

    @property
    def actions(self) -> list[SetAction | RemoveAction]:
        return [p for p in self.parts if isinstance(p, SetAction | RemoveAction)]

    @property
    def where(self) -> Where | None:  # (only the FROM-first form may leave it out)
        return next((p for p in self.parts if isinstance(p, Where)), None)

    @property
    def returning(self) -> Returning | None:
        last = self.parts[-1]
        return last if isinstance(last, Returning) else None


class FromUpdate(Update):
    """`FROM "T" WHERE ... SET ...`: an UPDATE written FROM-first."""


@dataclass
class Delete(ast_utils.Ast):
    table: Table | IndexedTable
    alias: Alias | None
    where: Where
    returning: Returning | None


@dataclass
class ExistsCheck(ast_utils.Ast):
    select: Select


# -- clauses -----------------------------------------------------------------------------


@dataclass
class Star(ast_utils.Ast):
    pass


@dataclass
class Columns(ast_utils.Ast, ast_utils.AsList):
    paths: list[Path | Call | StarCall]  # only paths pass statements.py


@dataclass
class Name(ast_utils.Ast):
    text: str


@dataclass
class QuotedName(Name):
    """A name written in double quotes: it may be a keyword, even after a dot."""


@dataclass
class Table(ast_utils.Ast):
    name: Name


@dataclass
class IndexedTable(ast_utils.Ast):
    """A write's target with an index: `"T"."index"`."""

    table: Table
    index: Name


@dataclass
class Source(ast_utils.Ast, ast_utils.AsList):
    parts: list[Any]  # the table, then the index, then what no FROM may hold

    @property
    def table(self) -> Table:
        return self.parts[0]

    @property
    def index(self) -> Name | None:
        return self.parts[1] if len(self.parts) > 1 else None


@dataclass
class Alias(ast_utils.Ast):
    name: str


@dataclass
class Where(ast_utils.Ast):
    condition: Any


@dataclass
class OrderBy(ast_utils.Ast, ast_utils.AsList):
    items: list[OrderItem]


@dataclass
class OrderItem(ast_utils.Ast):
    path: Path
    direction: str | None


@dataclass
class Returning(ast_utils.Ast):
    which: str  # ALL | MODIFIED
    image: str  # OLD | NEW


@dataclass
class SetAction(ast_utils.Ast, ast_utils.AsList):
    items: list[SetItem]


@dataclass
class RemoveAction(ast_utils.Ast, ast_utils.AsList):
    paths: list[Path]


@dataclass
class SetItem(ast_utils.Ast):
    path: Path
    eq: str
    value: Any


@dataclass
class Plus(ast_utils.Ast):
    left: Any
    right: Any


@dataclass
class Minus(ast_utils.Ast):
    left: Any
    right: Any


# -- conditions --------------------------------------------------------------------------


@dataclass
class Either(ast_utils.Ast):
    left: Any
    right: Any


@dataclass
class Both(ast_utils.Ast):
    left: Any
    right: Any


@dataclass
class Negated(ast_utils.Ast):
    keyword: str
    operand: Any


@dataclass
class Comparison(ast_utils.Ast):
    left: Any
    op: str
    right: Any


@dataclass
class Between(ast_utils.Ast):
    operand: Any
    low: Any
    high: Any


@dataclass
class InList(ast_utils.Ast, ast_utils.AsList):
    parts: list[Any]


@dataclass
class IsType(ast_utils.Ast):
    operand: Any
    negated: str | None
    type_name: TypeName


@dataclass
class TypeName(ast_utils.Ast):
    text: str
    second_word: str | None = None  # DOUBLE PRECISION, CHARACTER VARYING


@dataclass
class Call(ast_utils.Ast, ast_utils.AsList):
    parts: list[Any]

    @property
    def name(self) -> str:
        return str(self.parts[0])

    @property
    def at(self) -> str:
        """Where the function's name is written (` at l:c:n`)."""
        return at(self.parts[0])

    @property
    def arguments(self) -> list[Any]:
        return [p for p in self.parts[1:] if p is not None]


@dataclass
class StarCall(Call):
    """`COUNT(*)`, read only to be refused as a column."""


# -- paths -------------------------------------------------------------------------------


@dataclass
class Path(ast_utils.Ast, ast_utils.AsList):
    steps: list[Any]  # Name first, then Field and Element


@dataclass
class Field(ast_utils.Ast):
    name: Name


@dataclass
class Element(ast_utils.Ast):
    index: int


# -- literals ----------------------------------------------------------------------------


@dataclass
class String(ast_utils.Ast):
    text: str


@dataclass
class Number(ast_utils.Ast):
    text: str


@dataclass
class NegativeNumber(ast_utils.Ast):
    text: str


@dataclass
class Missing(ast_utils.Ast):
    token: str


@dataclass
class Null(ast_utils.Ast):
    token: str


@dataclass
class ListValue(ast_utils.Ast, ast_utils.AsList):
    items: list[Any]


@dataclass
class StructValue(ast_utils.Ast, ast_utils.AsList):
    pairs: list[Pair]


@dataclass
class BagValue(ast_utils.Ast, ast_utils.AsList):
    items: list[Any]


@dataclass
class Pair(ast_utils.Ast):
    key: str
    value: Any


# Built by the parser's own callbacks (`true`, `false` and `?` need no rule class).
@dataclass
class Parameter:
    index: int  # the n-th `?` of the statement, counted from 0


@dataclass
class Boolean:
    value: bool


def nodes(node: Any) -> Iterator[Any]:
    """`node` and every node below it (lists and syntax-tree dataclasses), depth first."""
    yield node
    if isinstance(node, list):
        for item in node:
            yield from nodes(item)
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            yield from nodes(getattr(node, name))
