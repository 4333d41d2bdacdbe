"""sqld's limit on the size of one response: `--max-response-size`, 10 MB by default.

An `execute` or a `batch` (over HTTP and WebSocket, /v1 too) whose rows outgrow it fails as a
whole with `RESPONSE_TOO_LARGE` ("Response is too large"): the statement stops at the row that
crossed the limit, later steps of a batch do not run, and what ran before stays (a transaction
the batch opened stays open). A cursor has no such limit. The size is sqld's estimate
(`value_json_size` in its hrana/result_builder.rs), not the JSON sent: each column
`{"name":"<name>","decltype":"<decltype or null>"}`, each value its JSON object with text
unescaped, but a blob only its bytes. A batch's steps share one limit. Stopping there also keeps
memory bounded: a statement's rows are held until its answer is written.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from lumadb.libsql.errors import StmtError
from lumadb.sql.execute import ResultTooLarge

MAX_RESPONSE_BYTES = 10_000_000  # sqld's "10MB", decimal

_COLUMN = len('{"name":"","decltype":""}')
_NULL = len('{"type":"null"}')
_INTEGER = len('{"type":"integer","value":""}')
_TEXT = len('{"type":"text","value":""}')
_FLOAT = len('{"type":"float","value":"}')  # (sqld's estimate has a stray quote)


def too_large() -> StmtError:
    return StmtError("Response is too large", "RESPONSE_TOO_LARGE")


class MustStream(Exception):
    """A cursor's rows outgrew what it holds in memory (`HELD_CURSOR_BYTES`) where they cannot
    be sent as they come (on the event loop, in the group commit): nothing of the attempt stays,
    it runs again on the stream's own connection, its rows sent as they come (cursor.py)."""


HELD_CURSOR_BYTES = 1_000_000


class ResponseBudget:
    """What is left of one response's limit; shared by the steps of a batch."""

    __slots__ = ("error", "left")

    def __init__(self, limit: int = MAX_RESPONSE_BYTES, error: type[Exception] = ResultTooLarge) -> None:
        self.left = limit
        self.error = error

    def columns(self, description: Iterable[tuple[str, str | None]]) -> int:
        return self._spend(sum(_COLUMN + _utf8_len(name) + _utf8_len(decltype or "null") for name, decltype in description))

    def rows(self, rows: Sequence[tuple[Any, ...]]) -> int:
        size = 0
        for row in rows:
            for value in row:
                kind = type(value)
                if value is None:
                    size += _NULL
                elif kind is int:
                    size += _INTEGER + len(str(value))
                elif kind is str:
                    size += _TEXT + _utf8_len(value)
                elif kind is bytes:
                    size += len(value)
                else:
                    size += _FLOAT + len(float_text(value))
        return self._spend(size)

    def refund(self, size: int) -> None:
        """Give back what a statement that then failed had spent (its error is answered instead)."""
        self.left += size

    def _spend(self, size: int) -> int:
        if size > self.left:
            raise self.error
        self.left -= size
        return size


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def float_text(value: float) -> str:
    """An f64 as Rust's Display writes it: the shortest digits that read back, never an exponent."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = repr(value)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text[:-2] if text.endswith(".0") else text
