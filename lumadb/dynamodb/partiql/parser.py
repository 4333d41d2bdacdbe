"""PartiQL text -> syntax tree (cached by text), with DynamoDB's "wasn't well formed" errors.

Lark's LALR parser over grammar/partiql.lark builds the dataclasses of `ast.py` while it parses.
A statement that the grammar cannot read is answered the way DynamoDB answers: a token left
over after a complete statement is "Unexpected token after expression", a character no token
starts with (a `#` comment, an unterminated comment or string) leaves the detail empty.
"""

from __future__ import annotations

import functools
from pathlib import Path as FilePath
from typing import Any

from lark import Lark, Transformer, ast_utils
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.partiql import ast

_GRAMMAR = FilePath(__file__).resolve().parents[3] / "grammar" / "partiql.lark"
NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "
LEFTOVER = "Unexpected token after expression"
MAX_STATEMENT_CHARS = 8192
_STATEMENT_KEYWORDS = {"SELECT", "INSERT", "UPDATE", "DELETE", "FROM", "EXISTS"}


def not_well_formed(detail: str = "") -> DynamoError:
    return DynamoError.validation(NOT_WELL_FORMED + detail)


class _Terminals(Transformer):
    """Terminal values and the rules that need no class of their own."""

    def __init__(self) -> None:
        super().__init__()
        self.parameters = 0

    # Lark calls terminal callbacks by the terminal names.
    def IDENT(self, token: Any) -> str:
        return str(token)

    def QUOTED(self, token: Any) -> str:
        return str(token)[1:-1].replace('""', '"')

    def STRING(self, token: Any) -> str:
        return str(token)[1:-1].replace("''", "'")

    def INT(self, token: Any) -> int:
        return int(token)

    def true(self, _children: list) -> ast.Boolean:
        return ast.Boolean(True)

    def false(self, _children: list) -> ast.Boolean:
        return ast.Boolean(False)

    def parameter(self, _children: list) -> ast.Parameter:
        self.parameters += 1
        return ast.Parameter(self.parameters - 1)


_terminals = _Terminals()
_transformer = ast_utils.create_transformer(ast, _terminals)


@functools.cache
def _lark() -> Lark:
    return Lark(_GRAMMAR.read_text(), parser="lalr", maybe_placeholders=True, transformer=_transformer)


@functools.lru_cache(maxsize=512)
def parse(text: str) -> tuple[Any, int]:
    """The statement's syntax tree and how many `?` parameters it has."""
    _terminals.parameters = 0
    try:
        tree = _lark().parse(text)
    except UnexpectedCharacters:
        raise not_well_formed() from None
    except UnexpectedToken as error:
        raise not_well_formed(_detail(error)) from None
    except UnexpectedInput:
        raise not_well_formed() from None
    except VisitError as error:  # a literal the tree builder refused
        if isinstance(error.orig_exc, DynamoError):
            raise error.orig_exc from None
        raise
    return tree, _terminals.parameters


def _detail(error: UnexpectedToken) -> str:
    token = error.token
    if token.type == "$END":
        return "Unexpected end of statement"
    if error.interactive_parser is not None:
        if not error.interactive_parser.parser_state.value_stack:
            return "Expected data manipulation"
        try:
            error.interactive_parser.copy().feed_eof()
            return LEFTOVER
        except UnexpectedInput:
            pass
    if token.type in ("IDENT", "QUOTED", "NUMBER", "STRING", "INT"):
        return LEFTOVER
    if error.expected == {"RPAR"}:
        return "Expected RIGHT_PAREN"
    if str(token).upper() in _STATEMENT_KEYWORDS:
        return f"Unexpected keyword {str(token).upper()}"
    return f"Unexpected token {token}"
