"""Random condition expressions over random items agree with a small reference evaluator.

The reference below is written independently of lumadb's evaluator: it turns attribute
values into plain Python values and applies DynamoDB's documented semantics directly."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumadb.dynamodb.expressions import ExpressionContext, compile_condition

# ---- random attribute values ------------------------------------------------------------

strings = st.text(alphabet="abcé€😀", max_size=4)
numbers = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
blobs = st.binary(max_size=3)


def n(value: Decimal) -> dict:
    text = format(value.normalize(), "f")
    return {"N": "0" if Decimal(text) == 0 else text}


scalar_values = st.one_of(
    strings.map(lambda s: {"S": s}),
    numbers.map(n),
    blobs.map(lambda b: {"B": base64.b64encode(b).decode()}),
)
simple_values = st.one_of(
    scalar_values,
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(strings, min_size=1, max_size=3, unique=True).map(lambda s: {"SS": s}),
    st.lists(numbers, min_size=1, max_size=3, unique_by=lambda d: d.normalize()).map(
        lambda ds: {"NS": [n(d)["N"] for d in ds]}
    ),
)
values = st.recursive(
    simple_values,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: {"L": items}),
        st.dictionaries(st.sampled_from(["x", "y"]), inner, max_size=2).map(lambda m: {"M": m}),
    ),
    max_leaves=6,
)
items = st.dictionaries(st.sampled_from(["a", "b", "c", "m", "l"]), values, max_size=5)

# ---- random conditions ------------------------------------------------------------------

PATHS = ["a", "b", "c", "m.x", "m.y", "l[0]", "l[1]", "l[0].x"]


@dataclass
class Node:
    kind: str  # cmp between in exists not_exists type begins contains size and or not
    args: tuple


@st.composite
def leaves(draw: Any) -> Node:
    path = draw(st.sampled_from(PATHS))
    kind = draw(
        st.sampled_from(
            ["cmp", "cmp", "between", "in", "exists", "not_exists", "type", "begins", "contains", "size"]
        )
    )
    if kind == "cmp":
        op = draw(st.sampled_from(["=", "<>", "<", "<=", ">", ">="]))
        value = draw(values if op in ("=", "<>") else scalar_values)
        other_path = draw(st.sampled_from([None, None, *PATHS]))
        if other_path is not None and other_path != path:
            return Node("cmp_paths", (path, op, other_path))
        return Node("cmp", (path, op, value))
    if kind == "between":
        low, high = draw(scalar_values), draw(scalar_values)
        kind_low = next(iter(low))
        high = {kind_low: high[next(iter(high))]} if next(iter(high)) == kind_low else low
        if reference_compare(low, high) > 0:
            low, high = high, low
        return Node("between", (path, low, high))
    if kind == "in":
        return Node("in", (path, tuple(draw(st.lists(values, min_size=1, max_size=3)))))
    if kind == "type":
        return Node(
            "type", (path, draw(st.sampled_from(["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"])))
        )
    if kind == "begins":
        return Node("begins", (path, {"S": draw(strings)}))
    if kind == "contains":
        return Node("contains", (path, draw(scalar_values)))
    if kind == "size":
        return Node(
            "size", (path, draw(st.sampled_from(["=", "<", ">="])), n(Decimal(draw(st.integers(0, 4)))))
        )
    return Node(kind, (path,))


conditions = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda p: Node("and", p)),
        st.tuples(inner, inner).map(lambda p: Node("or", p)),
        inner.map(lambda c: Node("not", (c,))),
    ),
    max_leaves=6,
)

PRECEDENCE = {"or": 1, "and": 2, "not": 3}


class Renderer:
    def __init__(self) -> None:
        self.values: dict[str, dict] = {}

    def value(self, av: dict) -> str:
        name = f":v{len(self.values)}"
        self.values[name] = av
        return name

    def render(self, node: Node, parent: int = 0) -> str:
        own = PRECEDENCE.get(node.kind, 4)
        if node.kind == "and" or node.kind == "or":
            word = node.kind.upper()
            text = f"{self.render(node.args[0], own)} {word} {self.render(node.args[1], own + 1)}"
        elif node.kind == "not":
            text = f"NOT {self.render(node.args[0], own)}"
        else:
            text = self.leaf(node)
        return f"({text})" if own < parent else text

    def leaf(self, node: Node) -> str:
        a = node.args
        if node.kind == "cmp":
            return f"{a[0]} {a[1]} {self.value(a[2])}"
        if node.kind == "cmp_paths":
            return f"{a[0]} {a[1]} {a[2]}"
        if node.kind == "between":
            return f"{a[0]} BETWEEN {self.value(a[1])} AND {self.value(a[2])}"
        if node.kind == "in":
            return f"{a[0]} IN ({', '.join(self.value(v) for v in a[1])})"
        if node.kind == "exists":
            return f"attribute_exists({a[0]})"
        if node.kind == "not_exists":
            return f"attribute_not_exists({a[0]})"
        if node.kind == "type":
            return f"attribute_type({a[0]}, {self.value({'S': a[1]})})"
        if node.kind == "begins":
            return f"begins_with({a[0]}, {self.value(a[1])})"
        if node.kind == "contains":
            return f"contains({a[0]}, {self.value(a[1])})"
        return f"size({a[0]}) {a[1]} {self.value(a[2])}"


# ---- the reference ----------------------------------------------------------------------


def plain(av: dict) -> tuple[str, Any]:
    """(type, Python value) with sets as frozensets, numbers as Decimals, binary as bytes."""
    ((kind, raw),) = av.items()
    if kind == "N":
        return kind, Decimal(raw)
    if kind == "B":
        return kind, base64.b64decode(raw)
    if kind == "SS":
        return kind, frozenset(raw)
    if kind == "NS":
        return kind, frozenset(Decimal(x) for x in raw)
    if kind == "BS":
        return kind, frozenset(base64.b64decode(x) for x in raw)
    if kind == "L":
        return kind, tuple(plain(x) for x in raw)
    if kind == "M":
        return kind, {k: plain(v) for k, v in raw.items()}
    return kind, raw


def lookup(item: dict, path: str) -> dict | None:
    current: Any = {"M": item}
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            members = current.get("L") if current else None
            index = int(part[1:-1])
            current = members[index] if members is not None and index < len(members) else None
        else:
            current = current.get("M", {}).get(part) if current else None
        if current is None:
            return None
    return current  # type: ignore[no-any-return]


def reference_compare(x: dict, y: dict) -> int:
    (kx, vx), (ky, vy) = plain(x), plain(y)
    assert kx == ky
    if kx == "S":  # UTF-8 byte order
        vx, vy = vx.encode(), vy.encode()
    return (vx > vy) - (vx < vy)


def ordered(x: dict | None, y: dict | None) -> int | None:
    if x is None or y is None:
        return None
    if next(iter(x)) != next(iter(y)) or next(iter(x)) not in ("S", "N", "B"):
        return None
    return reference_compare(x, y)


def equal(x: dict | None, y: dict | None) -> bool:
    return x is not None and y is not None and plain(x) == plain(y)


def size(av: dict | None) -> dict | None:
    if av is None:
        return None
    kind, value = plain(av)
    if kind == "S":  # DynamoDB counts UTF-16 code units
        return {"N": str(len(value.encode("utf-16-le")) // 2)}
    if kind in ("B", "SS", "NS", "BS", "L", "M"):
        return {"N": str(len(value))}
    return None


def compare(op: str, x: dict | None, y: dict | None) -> bool:
    if op == "=":
        return equal(x, y)
    if op == "<>":
        return not equal(x, y)
    order = ordered(x, y)
    if order is None:
        return False
    return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]


def reference(node: Node, item: dict) -> bool:
    a = node.args
    if node.kind == "and":
        return reference(a[0], item) and reference(a[1], item)
    if node.kind == "or":
        return reference(a[0], item) or reference(a[1], item)
    if node.kind == "not":
        return not reference(a[0], item)
    value = lookup(item, a[0])
    if node.kind == "cmp":
        return compare(a[1], value, a[2])
    if node.kind == "cmp_paths":
        return compare(a[1], value, lookup(item, a[2]))
    if node.kind == "between":
        low, high = ordered(value, a[1]), ordered(value, a[2])
        return low is not None and high is not None and low >= 0 and high <= 0
    if node.kind == "in":
        return any(equal(value, candidate) for candidate in a[1])
    if node.kind == "exists":
        return value is not None
    if node.kind == "not_exists":
        return value is None
    if node.kind == "type":
        return value is not None and next(iter(value)) == a[1]
    if node.kind == "begins":
        return value is not None and "S" in value and value["S"].startswith(a[1]["S"])
    if node.kind == "contains":
        if value is None:
            return False
        kind, inner = plain(value)
        needle_kind, needle = plain(a[1])
        if kind in ("S", "B") and needle_kind == kind:
            return needle in inner
        if kind in ("SS", "NS", "BS") and needle_kind == kind[0]:
            return needle in inner
        if kind == "L":
            return any(element == (needle_kind, needle) for element in inner)
        return False
    return compare(a[1], size(value), a[2])  # size


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(condition=conditions, item=items)
def test_random_conditions_agree_with_the_reference(condition: Node, item: dict) -> None:
    renderer = Renderer()
    text = renderer.render(condition)
    context = ExpressionContext(None, renderer.values or None)
    compiled = compile_condition(text, context)
    context.check_all_used()
    assert compiled.evaluate(item) is reference(condition, item), text
