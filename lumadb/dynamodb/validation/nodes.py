"""The pieces every compiled check shares: `Node` (one shape in one position), `Entry` (one
constraint violation found by the slow pass), `Lengths` and the way a violation is reported."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.validation import messages as m

Check = Callable[[Any, "list[Entry] | None"], Any]


class Invalid(Exception):
    """The fast pass met a constraint violation; the slow pass will say which."""


INVALID = Invalid()


class Entry:
    """One constraint violation: sort key and path parts innermost first, as containers append."""

    __slots__ = ("constraint", "current_path", "keys", "parts", "render", "value")

    def __init__(self, value: Any, constraint: str, render: m.Render, keys: list[int] | None = None):
        self.value = value
        self.constraint = constraint
        self.render = render
        self.keys: list[int] = keys or []
        self.parts: list[str] = []
        # worded by DynamoDB's current validator: no value, the path in API names (from parts)
        self.current_path: Callable[[list[str]], str] | None = None

    def sort_key(self) -> tuple[int, ...]:
        return tuple(reversed(self.keys))

    def text(self) -> str:
        if self.current_path is not None:
            return f"Value at '{self.current_path(self.parts)}' failed to satisfy constraint: {self.constraint}"
        shown = "null" if self.value is None else f"'{self.render(self.value)}'"
        return m.constraint_message(shown, ".".join(reversed(self.parts)), self.constraint)


class Node:
    """A compiled shape: `check` as above, `render` (Java toString), and `constraints(value)`,
    the texts of every constraint the shape has (for "Map keys must satisfy constraint: [...]")."""

    __slots__ = ("check", "constraints", "kind", "max_only", "name", "plain_members", "plain_string", "render")

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind
        self.plain_string = False  # a string without constraints
        self.max_only: int | None = None  # a string whose one constraint is this maximum length
        # a structure without required members: those whose check is "is a string" (an
        # AttributeValue's S, N and B), so that a container passes {"S": "..."} without a call
        self.plain_members: frozenset[str] | None = None
        self.check: Check = _unbuilt
        self.render: m.Render = m.render_scalar
        self.constraints: Callable[[Any], list[str]] = lambda _value: []


def _unbuilt(value: Any, errs: list[Entry] | None) -> Any:
    raise AssertionError("node used before it was compiled")


def serialization(message: str) -> DynamoError:
    return DynamoError.serialization(message)


def utf16_length(text: str) -> int:
    """String length as Java counts it (UTF-16 code units)."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class Lengths:
    """A minimum and/or maximum length (of a string, list or map) with DynamoDB's texts."""

    __slots__ = ("bounded", "bracket", "high", "low")

    def __init__(self, low: int | None, high: int | None) -> None:
        self.low = low if low is not None else -1
        self.high = high if high is not None else math.inf
        self.bounded = low is not None or high is not None
        # as listed inside "Map keys/value must satisfy constraint: [...]": maximum first
        self.bracket = ([m.max_length_text(high)] if high is not None else []) + (
            [m.min_length_text(low)] if low is not None else []
        )

    def ok(self, length: int) -> bool:
        return self.low <= length <= self.high

    def report(self, value: Any, length: int, node: Node, errs: list[Entry] | None, keys: list[int] | None) -> None:
        if length < self.low:
            violation(errs, value, m.min_length_text(int(self.low)), node, keys)
        if length > self.high:
            violation(errs, value, m.max_length_text(int(self.high)), node, keys)


def violation(errs: list[Entry] | None, value: Any, text: str, node: Node, keys: list[int] | None = None) -> None:
    if errs is None:
        raise INVALID
    errs.append(Entry(value, text, node.render, list(keys) if keys else None))
