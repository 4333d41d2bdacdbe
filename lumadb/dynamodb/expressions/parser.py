"""Text -> syntax tree: DynamoDB's tokenizer, the Lark LALR parser over grammar/dynamodb.lark,
size and operator limits, and syntax errors worded as DynamoDB words them. Parsed trees are
cached by (kind, text) because they do not depend on the request."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions import ast

MAX_EXPRESSION_BYTES = 4096
MAX_OPERATORS = 300
MAX_PAREN_DEPTH = 300  # deeper nesting needs redundant parentheses or more than 300 operators

_GRAMMAR = FilePath(__file__).resolve().parents[3] / "grammar" / "dynamodb.lark"

_KEYWORDS = {
    "AND": "_AND", "OR": "_OR", "NOT": "_NOT", "BETWEEN": "_BETWEEN", "IN": "_IN",
    "SET": "_SET", "REMOVE": "_REMOVE", "ADD": "_ADD", "DELETE": "_DELETE",
}  # fmt: skip
_PUNCTUATION = {
    "(": "_LPAR", ")": "_RPAR", "[": "_LSQB", "]": "_RSQB", ",": "_COMMA", ".": "_DOT",
    "+": "PLUS", "-": "MINUS", "=": "EQ",
}  # fmt: skip
_SCANNER = re.compile(
    r"(?P<ws>[ \t\r\n]+)"
    r"|(?P<NAME>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<NAME_REF>#[A-Za-z0-9_]+)"
    r"|(?P<VALUE_REF>:[A-Za-z0-9_]+)"
    r"|(?P<NUMBER>[0-9]+)"
    r"|(?P<COMPARATOR><>|<=|>=|<|>)"
    r"|(?P<punct>[()\[\],.+=-])"
    r"|(?P<UNKNOWN>.)",
    re.S,
)

# Start symbol per expression parameter.
START = {
    "ConditionExpression": "condition",
    "FilterExpression": "condition",
    "KeyConditionExpression": "condition",
    "SearchConditionExpression": "condition",
    "UpdateExpression": "update",
    "ProjectionExpression": "projection",
}


def invalid(kind: str, message: str) -> DynamoError:
    return DynamoError.validation(f"Invalid {kind}: {message}")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _SCANNER.finditer(text):
        group = match.lastgroup
        if group == "ws":
            continue
        value = match.group()
        if group == "NAME":
            kind = _KEYWORDS.get(value.upper(), "NAME")
        elif group == "punct":
            kind = _PUNCTUATION[value]
        else:
            kind = group or "UNKNOWN"
        start, end = match.span()
        tokens.append(Token(kind, value, start, 1, start + 1, 1, end + 1, end))
    return tokens


class _NoLexer(Lexer):
    """Tokens are fed by `parse`; Lark only needs a lexer class to exist."""

    def __init__(self, lexer_conf: Any) -> None:
        pass

    def lex(self, lexer_state: Any, parser_state: Any) -> Any:
        raise NotImplementedError


@lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark(
        _GRAMMAR.read_text(),
        parser="lalr",
        lexer=_NoLexer,
        start=["condition", "update", "projection"],
        propagate_positions=True,
        maybe_placeholders=False,
    )


@lru_cache(maxsize=1)
def _transformer() -> Any:
    return ast.transformer()


@dataclass
class Parsed:
    """A parsed expression with its tokens (for error positions)."""

    text: str
    tokens: list[Token]
    tree: Any  # ast.Condition | ast.Update | ast.Projection
    operators: int
    notes: dict[str, Any] = field(default_factory=dict)  # analyses cached per parameter name

    def syntax_error(self, kind: str, index: int) -> DynamoError:
        return syntax_error(kind, self.text, self.tokens, index)

    def index_at(self, char_pos: int) -> int:
        """Index of the first token starting at or after char_pos (len(tokens) = end of input)."""
        for i, token in enumerate(self.tokens):
            if (token.start_pos or 0) >= char_pos:
                return i
        return len(self.tokens)


def syntax_error(kind: str, text: str, tokens: list[Token], index: int) -> DynamoError:
    # DynamoDB quotes the offending token and the text from the token before it to the
    # token after it (whitespace included), e.g. `token: "1", near: "+ 1"`.
    token_text = str(tokens[index]) if index < len(tokens) else "<EOF>"
    start = tokens[index - 1].start_pos or 0 if index > 0 else 0
    end = tokens[index + 1].end_pos or 0 if index + 1 < len(tokens) else len(text)
    return invalid(kind, f'Syntax error; token: "{token_text}", near: "{text[start:end]}"')


# Only these two report the size (captured from AWS: ExtendDB's tests, us-east-1, and
# paritysuite deepRequests; UpdateExpression, ProjectionExpression and KeyConditionExpression
# end at the semicolon)
_SIZE_REPORTED = ("ConditionExpression", "FilterExpression")


def check_size(kind: str, text: str) -> None:
    if not text.strip(" \t\r\n"):
        raise invalid(kind, "The expression can not be empty;")
    size = len(text) if text.isascii() else len(text.encode("utf-8"))
    if size > MAX_EXPRESSION_BYTES:
        reported = f" expression size: {size}" if kind in _SIZE_REPORTED else ""
        raise invalid(kind, f"Expression size has exceeded the maximum allowed size;{reported}")


def _count_operators(tokens: list[Token]) -> tuple[int, int]:
    """(operators and functions, deepest parenthesis nesting), from tokens alone."""
    operators = depth = deepest = betweens = 0
    previous = None
    for token in tokens:
        kind = token.type
        if kind in ("EQ", "COMPARATOR", "_BETWEEN", "_IN", "_AND", "_OR", "_NOT", "PLUS", "MINUS"):
            operators += 1
            betweens += kind == "_BETWEEN"
        elif kind == "_LPAR":
            depth += 1
            deepest = max(deepest, depth)
            if previous is not None and previous.type == "NAME":
                operators += 1  # a function call
        elif kind == "_RPAR":
            depth -= 1
        previous = token
    return operators - betweens, deepest  # BETWEEN's AND is part of BETWEEN


def _has_redundant_parentheses(tokens: list[Token]) -> bool:
    return any(a.type == "_LPAR" and b.type == "_LPAR" for a, b in zip(tokens, tokens[1:], strict=False))


def parse(text: str, kind: str) -> Parsed:
    """Parse (cached) one expression; `kind` is the request parameter name used in messages."""
    check_size(kind, text)
    return _parse_cached(text, kind)


@lru_cache(maxsize=2048)
def _parse_cached(text: str, kind: str) -> Parsed:
    start = START[kind]
    tokens = tokenize(text)
    interactive = _lark().parse_interactive(start=start)
    index = 0
    try:
        for index, token in enumerate(tokens):  # noqa: B007 - index is read in the handler
            interactive.feed_token(token)
        index = len(tokens)
        tree = interactive.feed_eof()
    except UnexpectedToken as error:
        raise syntax_error(kind, text, tokens, index) from error
    except UnexpectedInput as error:
        raise syntax_error(kind, text, tokens, index) from error
    operators, deepest = _count_operators(tokens) if start != "projection" else (0, 0)
    if start == "update":
        # `=` assigns in an update; it is not an operator there
        operators -= sum(1 for t in tokens if t.type == "EQ")
    if operators > MAX_OPERATORS:
        raise invalid(kind, f"The expression contains too many operators; operator count: {operators}")
    if deepest > MAX_PAREN_DEPTH and _has_redundant_parentheses(tokens):
        raise invalid(kind, "The expression has redundant parentheses;")
    return Parsed(text, tokens, _transformer().transform(tree), operators)
