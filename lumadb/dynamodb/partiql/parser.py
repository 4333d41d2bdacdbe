"""PartiQL text -> syntax tree (cached by text), with DynamoDB's "wasn't well formed" errors.

Lark's LALR parser over grammar/partiql.lark builds the dataclasses of `ast.py` while it parses.
A statement that the grammar cannot read is answered the way DynamoDB answers: a token left
over after a complete statement is "Unexpected token after expression", a character no token
starts with (a `#` comment, an unterminated comment or string) leaves the detail empty.
"""

from __future__ import annotations

import functools
import re
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


_INT32_MAX = 2**31 - 1
_EXPONENT = re.compile(r"[eE]([+-]?\d+)\Z")


def check_number_literal(text: str) -> None:
    """A number literal DynamoDB's parser cannot hold (an exponent or a scale beyond 32 bits) is
    not well formed, and is refused as the statement is read: ahead of anything about the
    table, such as an index with multi-attribute keys (paritysuite partiqlMultiAttributeIndex)."""
    match = _EXPONENT.search(text)
    if match:
        exponent = int(match.group(1))
        scale = len(text[: match.start()].partition(".")[2]) - exponent
        if abs(exponent) > _INT32_MAX or abs(scale) > _INT32_MAX:
            raise not_well_formed()


class _Terminals(Transformer):
    """Terminal values and the rules that need no class of their own."""

    def __init__(self) -> None:
        super().__init__()
        self.parameters = 0

    # Lark calls terminal callbacks by the terminal names.
    def IDENT(self, token: Any) -> ast.Ident:
        ident = ast.Ident(token)
        ident.line, ident.column = token.line, token.column
        return ident

    def QUOTED(self, token: Any) -> str:
        return str(token)[1:-1].replace('""', '"')

    def STRING(self, token: Any) -> str:
        return str(token)[1:-1].replace("''", "'")

    def NUMBER(self, token: Any) -> str:
        check_number_literal(token)
        return str(token)

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
    except UnexpectedCharacters as error:
        where = error.pos_in_stream or 0
        if text[where : where + 1] == ";":  # where the statement stops, if it was complete
            raise not_well_formed(_detail_at_end(text[:where])) from None
        raise not_well_formed() from None
    except UnexpectedToken as error:
        raise not_well_formed(_detail(error, text)) from None
    except UnexpectedInput:
        raise not_well_formed() from None
    except VisitError as error:  # a literal the tree builder refused
        if isinstance(error.orig_exc, DynamoError):
            raise error.orig_exc from None
        raise
    _refuse_words(tree)
    return tree, _terminals.parameters


# The PartiQL parser DynamoDB runs (partiql-lang-kotlin's SqlParser) lexes these words as
# keywords, and a keyword after a dot is no path component: `m.size` is refused, `m."size"` read.
KEYWORDS = frozenset("""
absolute action add all allocate alter and any are as asc assertion at authorization avg begin
between bit bit_length by cascade cascaded case cast catalog char character character_length
char_length check close coalesce collate collation column commit connect connection constraint
constraints continue convert corresponding count create cross current current_date current_time
current_timestamp current_user cursor date deallocate dec decimal declare default deferrable
deferred delete desc describe descriptor diagnostics disconnect distinct domain double drop else
end end-exec escape except exception exec execute exists external extract date_add date_diff
false fetch first float for foreign found from full get global go goto grant group having
identity immediate in indicator initially inner input insensitive insert int integer intersect
interval into is isolation join key language last left level like local lower match max min
module names national natural nchar next no not null nullif numeric octet_length of on only
open option or order outer output overlaps pad partial position precision prepare preserve
primary prior privileges procedure public read real references relative restrict revoke right
rollback rows schema scroll section select session session_user set size smallint some space
sql sqlcode sqlerror sqlstate substring sum system_user table temporary then time timestamp to
transaction translate translation trim true union unique unknown update upper usage user using
value values varchar varying view when whenever where with work write zone
can_cast can_lossless_cast missing pivot unpivot limit offset tuple remove index let integer2
int2 integer4 int4 integer8 int8 bigint conflict do nothing returning modified new old bool
boolean string symbol clob blob struct list sexp bag
""".split())  # noqa: SIM905 - word lists read as the Kotlin source lists them


# The type names partiql-lang-kotlin parses after IS (DynamoDB supports only some of them).
TYPE_NAMES = frozenset((
    "missing", "null", "boolean", "bool", "smallint", "int2", "integer2", "int4", "integer4", "int8",
    "integer8", "bigint", "integer", "int", "float", "real", "double precision", "decimal", "dec",
    "numeric", "number", "timestamp", "date", "time", "character", "char", "character varying",
    "varchar", "string", "symbol", "clob", "blob", "struct", "tuple", "list", "sexp", "bag", "any",
    "es_any",
))


def _refuse_words(tree: Any) -> None:
    """What partiql-lang-kotlin's parser refuses that this grammar reads: keywords as path
    components, operator words as paths, and names after IS that are no type."""
    for node in ast.nodes(tree):
        if isinstance(node, ast.Field):
            if not isinstance(node.name, ast.QuotedName) and str(node.name.text).lower() in KEYWORDS:
                raise not_well_formed("Invalid path dot component")
        elif isinstance(node, ast.Path):
            head = node.steps[0]
            if not isinstance(head, ast.QuotedName) and str(head.text).lower() in OPERATOR_WORDS:
                raise not_well_formed("Unexpected operator")
        elif isinstance(node, ast.TypeName):
            words = " ".join(str(w) for w in (node.text, node.second_word) if w is not None).lower()
            if words not in TYPE_NAMES:
                raise not_well_formed("Expected type name")


# partiql-lang-kotlin's lexer makes these words operators: where a term should start, a
# statement holding one is refused as "Unexpected operator".
OPERATOR_WORDS = frozenset(("and", "or", "not", "is", "in", "like", "between", "union", "except", "intersect"))
_TERM_START = re.compile(r"(?:\b(?:WHERE|AND|OR|NOT)|[(=<>,])\s*\Z", re.IGNORECASE)
_LAST_WORD = re.compile(r"([A-Za-z_][A-Za-z0-9_$]*)\s*\Z")
_DELETE_FROM = re.compile(r"\s*DELETE\s+FROM\b\s*(?:([A-Za-z_][A-Za-z0-9_$]*)|\Z)", re.IGNORECASE)


def _in_projection(stack: list) -> bool:
    kinds = [getattr(value, "type", None) for value in stack]
    return "_SELECT" in kinds and "_FROM" not in kinds


def _detail_at_end(text: str) -> str:
    """The detail for a statement that stops where `text` does (the rest was a `;`)."""
    try:
        _lark().parse(text)
    except UnexpectedToken as error:
        return _detail(error, text)
    except UnexpectedInput:
        pass
    return ""


def _detail(error: UnexpectedToken, text: str) -> str:
    """DynamoDB's words for where its parser stops, from the state Lark's stopped in."""
    token = error.token
    delete = _DELETE_FROM.match(text)
    if delete and (delete.group(1) is None or delete.group(1).lower() in KEYWORDS):
        return "Expected identifier for simple path"  # DELETE FROM with no table name after it
    stack = error.interactive_parser.parser_state.value_stack if error.interactive_parser is not None else []
    last = stack[-1] if stack else None
    last_type = getattr(last, "type", None)
    if token.type != "$END":
        before = text[: token.start_pos]
        word = _LAST_WORD.search(before)
        if word and word.group(1).lower() in KEYWORDS and _TERM_START.search(before[: word.start()]):
            # a keyword where a term starts, which Lark took for a name
            return "Unexpected operator" if word.group(1).lower() in OPERATOR_WORDS else "Unexpected keyword"
    wants_term = {"IDENT", "LPAR"} <= set(error.expected) or error.expected == {"IDENT", "QUOTED"}
    if token.type == "$END" and wants_term:
        if last_type in ("_AND", "_OR"):
            return "Missing right-hand side expression of infix operator"
        return "Unexpected term"
    if token.type == "$END":
        return "Unexpected end of statement"
    if token.type == "LPAR" and _in_projection(stack):
        return "Unexpected path component"  # a function where a SELECT names its columns
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
