"""Compiles the schemas of specs/dynamodb.json into a tree of closures, one `Node` per shape and
position, that check a parsed request body the way DynamoDB does.

`node.check(value, errs)` returns the value (booleans given as "true"/"yes"/"1", and integers
given as decimals, are converted as the service converts them) and raises DynamoError for a JSON
value of the wrong type. Constraint violations depend on `errs`: with None (the fast pass) the
first one raises `Invalid`; with a list (the slow pass) each is appended as an `Entry` and the
walk goes on, so that a type error anywhere still wins. Entries carry their path and sort key
innermost first; each container adds its own part on the way up, so the fast pass builds none.
"""

from __future__ import annotations

import binascii
import math
import re
from collections.abc import Callable
from typing import Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.validation import messages as m

REF = "#/components/schemas/"
Check = Callable[[Any, "list[Entry] | None"], Any]


class Invalid(Exception):
    """The fast pass met a constraint violation; the slow pass will say which."""


INVALID = Invalid()


class Entry:
    """One constraint violation: sort key and path parts innermost first, as containers append."""

    __slots__ = ("constraint", "keys", "parts", "render", "value")

    def __init__(self, value: Any, constraint: str, render: m.Render, keys: list[int] | None = None):
        self.value = value
        self.constraint = constraint
        self.render = render
        self.keys: list[int] = keys or []
        self.parts: list[str] = []

    def sort_key(self) -> tuple[int, ...]:
        return tuple(reversed(self.keys))

    def text(self) -> str:
        shown = "null" if self.value is None else f"'{self.render(self.value)}'"
        return m.constraint_message(shown, ".".join(reversed(self.parts)), self.constraint)


class Node:
    """A compiled shape: `check` as above, `render` (Java toString), and `constraints(value)`,
    the texts of every constraint the shape has (for "Map keys must satisfy constraint: [...]")."""

    __slots__ = ("check", "constraints", "kind", "max_only", "name", "plain_string", "render")

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind
        self.plain_string = False  # a string without constraints
        self.max_only: int | None = None  # a string whose one constraint is this maximum length
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


class Compiler:
    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        self.nodes: dict[tuple[str, bool], Node] = {}

    def node(self, name: str, in_collection: bool = False) -> Node:
        """The node for shape `name`; `in_collection` when it is a list member or map value
        (which changes the serialization messages of containers)."""
        schema = self.schemas[name]
        kind = schema["x-botocore"]["type"]
        if kind not in ("structure", "list", "map"):
            in_collection = False  # scalars read the same everywhere
        key = (name, in_collection)
        node = self.nodes.get(key)
        if node is None:
            node = self.nodes[key] = Node(name, kind)
            build = {"structure": self._structure, "list": self._list, "map": self._map}.get(kind, self._scalar)
            build(node, schema, in_collection)
        return node

    def java_type(self, name: str) -> str:
        schema = self.schemas[name]
        kind = schema["x-botocore"]["type"]
        if kind == "structure":
            return f"class {m.JAVA_PACKAGE}.{name}"
        if kind == "list":
            return f"java.util.List<{self._java_generic(schema['items'])}>"
        if kind == "map":
            return f"java.util.Map<java.lang.String, {self._java_generic(schema['additionalProperties'])}>"
        return f"class {m.SCALAR_JAVA[kind][1]}"

    def _java_generic(self, ref: dict[str, str]) -> str:
        return self.java_type(ref["$ref"].removeprefix(REF)).removeprefix("class ")

    # -- containers ----------------------------------------------------------------------

    def _structure(self, node: Node, schema: dict[str, Any], in_collection: bool) -> None:
        order = schema["x-botocore"]["members"]
        props = schema["properties"]
        children = {name: self.node(props[name]["$ref"].removeprefix(REF)) for name in order}
        # Members whose check is "is a string": the fast pass tests them inline.
        plain = frozenset(name for name, child in children.items() if child.plain_string)
        where = {name: (i, name[0].lower() + name[1:]) for i, name in enumerate(order)}
        required = sorted(((name, *where[name]) for name in schema.get("required", [])), key=lambda r: r[1])
        required_names = [name for name, _, _ in required]
        java = self.java_type(node.name)
        node.render = m.render_structure(node.name)
        get_child = children.get

        def check(value: Any, errs: list[Entry] | None) -> Any:
            if value.__class__ is not dict:
                raise serialization(m.container_type_error(java, value, collection=False, in_collection=in_collection))
            nulls = None
            if errs is None:
                for member, item in value.items():
                    if item.__class__ is str and member in plain:
                        continue
                    child = get_child(member)
                    if child is None:
                        continue  # unknown members are ignored, as DynamoDB does
                    if item is None:
                        nulls = [member] if nulls is None else [*nulls, member]
                        continue
                    checked = child.check(item, None)
                    if checked is not item:
                        value[member] = checked
            else:
                for member, item in value.items():
                    child = get_child(member)
                    if child is None or item is None:
                        if item is None and child is not None:
                            nulls = [member] if nulls is None else [*nulls, member]
                        continue
                    mark = len(errs)
                    checked = child.check(item, errs)
                    if len(errs) > mark:
                        index, part = where[member]
                        for entry in errs[mark:]:
                            entry.keys.append(index)
                            entry.parts.append(part)
                    if checked is not item:
                        value[member] = checked
            if nulls is not None:
                for member in nulls:
                    del value[member]  # a null member is an absent member
            for member in required_names:
                if member not in value:
                    _missing(errs, value, required)
                    break
            return value

        node.check = check

    def _list(self, node: Node, schema: dict[str, Any], in_collection: bool) -> None:
        member = self.node(schema["items"]["$ref"].removeprefix(REF), in_collection=True)
        lengths = Lengths(schema.get("minItems"), schema.get("maxItems"))
        java = self.java_type(node.name)
        node.render = m.render_list(lambda: member.render)
        node.constraints = lambda _value: lengths.bracket

        def check(value: Any, errs: list[Entry] | None) -> Any:
            if value.__class__ is not list:
                raise serialization(m.container_type_error(java, value, collection=True, in_collection=in_collection))
            if lengths.bounded and not lengths.ok(len(value)):
                lengths.report(value, len(value), node, errs, [0])
            if errs is None:
                for i, item in enumerate(value):
                    if item is not None:
                        checked = member.check(item, None)
                        if checked is not item:
                            value[i] = checked
                return value
            for i, item in enumerate(value):
                if item is None:
                    continue
                mark = len(errs)
                checked = member.check(item, errs)
                for entry in errs[mark:]:
                    entry.keys += (i, 1)
                    entry.parts += ("member", str(i + 1))
                if checked is not item:
                    value[i] = checked
            return value

        node.check = check

    def _map(self, node: Node, schema: dict[str, Any], in_collection: bool) -> None:
        key_node = self.node(schema["x-botocore"]["key"])
        member = self.node(schema["additionalProperties"]["$ref"].removeprefix(REF), in_collection=True)
        lengths = Lengths(schema.get("minProperties"), schema.get("maxProperties"))
        java = self.java_type(node.name)
        node.render = m.render_map(lambda: member.render)
        check_key = key_node.check
        # Keys no longer than this pass without a call (attribute names: at most 65535 UTF-16 units).
        short_key = key_node.max_only // 2 if key_node.max_only is not None else -1

        def check(value: Any, errs: list[Entry] | None) -> Any:
            if value.__class__ is not dict:
                raise serialization(m.container_type_error(java, value, collection=True, in_collection=in_collection))
            if lengths.bounded and not lengths.ok(len(value)):
                lengths.report(value, len(value), node, errs, [0])
            if errs is None:
                for key, item in value.items():
                    if len(key) > short_key:
                        check_key(key, None)
                    if item is not None:
                        checked = member.check(item, None)
                        if checked is not item:
                            value[key] = checked
                return value
            for position, (key, item) in enumerate(value.items()):
                mark = len(errs)
                check_key(key, errs)
                if len(errs) > mark:  # one error per key, naming every constraint of the key
                    del errs[mark:]
                    listed = ", ".join(key_node.constraints(key))
                    errs.append(Entry(value, f"Map keys must satisfy constraint: [{listed}]", node.render, [position, 1]))
                if item is None:
                    continue
                mark = len(errs)
                checked = member.check(item, errs)
                if len(errs) > mark:
                    _map_value_errors(errs, mark, value, key, position, node, member, item)
                if checked is not item:
                    value[key] = checked
            return value

        node.check = check

    # -- scalars --------------------------------------------------------------------------

    def _scalar(self, node: Node, schema: dict[str, Any], in_collection: bool) -> None:
        kind = node.kind
        if kind == "string":
            self._string_node(node, schema)
        elif kind in ("integer", "long", "double", "float"):
            _number(node, schema)
        elif kind == "boolean":
            node.check = _check_boolean
        elif kind == "timestamp":
            node.check = _check_timestamp
        elif kind == "blob":
            node.check = _check_blob
            node.render = m.render_blob
        else:
            raise ValueError(f"shape {node.name}: unknown type {kind}")

    def _string_node(self, node: Node, schema: dict[str, Any]) -> None:
        other = schema.get("x-lumadb-name-or-arn")
        if other is not None:
            as_name = self.node(other.removeprefix(REF))
            as_arn = Node(node.name, "string")
            _plain_string(as_arn, schema)

            def check(value: Any, errs: list[Entry] | None) -> Any:
                if value.__class__ is str and not value.startswith("arn:"):
                    return as_name.check(value, errs)
                return as_arn.check(value, errs)

            node.check = check
            node.constraints = lambda value: (as_arn if value.startswith("arn:") else as_name).constraints(value)
            return
        _plain_string(node, schema)


def _plain_string(node: Node, schema: dict[str, Any]) -> None:
    aws_pattern = schema["x-botocore"].get("pattern")
    regex = schema.get("x-lumadb-regex", aws_pattern)
    matches = re.compile(regex, re.ASCII).fullmatch if regex is not None else None
    enum = schema.get("enum")
    allowed = frozenset(enum or ())
    lengths = Lengths(schema.get("minLength"), schema.get("maxLength"))
    pattern = m.pattern_text(aws_pattern) if matches is not None else ""
    enum_text = m.enum_text(enum) if enum else None
    # Inside "Map keys must satisfy constraint: [...]" DynamoDB lists lengths first.
    bracket = lengths.bracket + ([pattern] if pattern else []) + ([enum_text] if enum_text else [])
    node.constraints = lambda _value: bracket
    if not bracket:
        node.plain_string = True
    elif bracket == lengths.bracket and lengths.low < 0:
        node.max_only = int(lengths.high)

    def check(value: Any, errs: list[Entry] | None) -> Any:
        if value.__class__ is not str:
            raise serialization(m.scalar_type_error("string", value))
        if matches is not None and matches(value) is None:
            _violation(errs, value, pattern, node)
        if lengths.bounded:
            length = len(value) if value.isascii() else utf16_length(value)
            if not lengths.ok(length):
                lengths.report(value, length, node, errs, None)
        if enum_text is not None and value not in allowed:
            _violation(errs, value, enum_text, node)
        return value

    node.check = check


def _number(node: Node, schema: dict[str, Any]) -> None:
    kind = node.kind
    integral = kind in ("integer", "long")
    low, high = schema.get("minimum"), schema.get("maximum")
    bounds = [t for t in ((low, m.min_value_text(low)), (high, m.max_value_text(high))) if t[0] is not None]
    node.constraints = lambda _value: [text for _, text in reversed(bounds)]

    def check(value: Any, errs: list[Entry] | None) -> Any:
        cls = value.__class__
        if cls is float:
            if integral:
                value = math.floor(value)  # the service truncates decimals given for integers
        elif cls is not int:
            raise serialization(m.scalar_type_error(kind, value))
        if low is not None and value < low:
            _violation(errs, value, bounds[0][1], node)
        if high is not None and value > high:
            _violation(errs, value, bounds[-1][1], node)
        return value

    node.check = check


_TRUE = frozenset(("TRUE", "1", "YES"))
_FALSE = frozenset(("FALSE", "0", "NO"))


def _check_boolean(value: Any, errs: list[Entry] | None) -> Any:
    if value is True or value is False:
        return value
    if value.__class__ is str:  # the service reads these words as booleans
        word = value.upper()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise serialization(m.scalar_type_error("boolean", value))


def _check_timestamp(value: Any, errs: list[Entry] | None) -> Any:
    if value.__class__ is int or value.__class__ is float:
        return value
    raise serialization(m.scalar_type_error("timestamp", value))


def _check_blob(value: Any, errs: list[Entry] | None) -> Any:
    if value.__class__ is not str:
        raise serialization(m.scalar_type_error("blob", value))
    if len(value) % 4:
        raise serialization(f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(value)}")
    try:
        binascii.a2b_base64(value, strict_mode=True)
    except (binascii.Error, ValueError):
        raise serialization(m.BAD_BASE64) from None
    # Canonical padding: the bits after the last byte must be zero.
    if value.endswith("=="):
        if value[-3] not in "AQgw":
            raise serialization(m.BAD_BASE64)
    elif value.endswith("=") and value[-2] not in "AEIMQUYcgkosw048":
        raise serialization(m.BAD_BASE64)
    return value


# -- shared helpers -------------------------------------------------------------------------

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
            _violation(errs, value, m.min_length_text(int(self.low)), node, keys)
        if length > self.high:
            _violation(errs, value, m.max_length_text(int(self.high)), node, keys)


def _missing(errs: list[Entry] | None, value: dict[str, Any], required: list[tuple[str, int, str]]) -> None:
    """Required members absent from `value`: "Member must not be null" for each."""
    if errs is None:
        raise INVALID
    for member, index, part in required:
        if member not in value:
            entry = Entry(None, m.NOT_NULL, m.render_scalar, [index])
            entry.parts.append(part)
            errs.append(entry)


def _violation(errs: list[Entry] | None, value: Any, text: str, node: Node, keys: list[int] | None = None) -> None:
    if errs is None:
        raise INVALID
    errs.append(Entry(value, text, node.render, list(keys) if keys else None))


def _map_value_errors(errs: list[Entry], mark: int, value: dict[str, Any], key: str, position: int,
                      node: Node, member: Node, item: Any) -> None:
    """A map value's own violations become one "Map value must satisfy constraint: [...]" at the
    map; deeper ones get the path `<map>.<key>.member.<...>`."""
    own = [e for e in errs[mark:] if not e.parts]
    deeper = [e for e in errs[mark:] if e.parts]
    del errs[mark:]
    if own:
        listed = ", ".join(member.constraints(item))
        errs.append(Entry(value, f"Map value must satisfy constraint: [{listed}]", node.render, [position, 2]))
    for entry in deeper:
        entry.keys += (position, 3)
        entry.parts += ("member", key)
        errs.append(entry)
