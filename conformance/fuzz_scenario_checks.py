"""Known deviations of the references that only the scenario shows (`fuzz_known.py` holds the
list): each test reads the requests before the differing step, not only the two answers."""

from __future__ import annotations

import json
import re
from typing import Any


def message(record: dict[str, Any]) -> str:
    body = record.get("body")
    return str(body.get("message", "")) if isinstance(body, dict) else ""



def answer_counts(difference: dict[str, Any]) -> tuple[int, int] | None:
    """The reference's and LumaDB's Count, when both answered one."""
    counts = [record.get("body", {}).get("Count") for record in (difference["reference"], difference["lumadb"])]
    return (counts[0], counts[1]) if all(isinstance(count, int) for count in counts) else None


def refuses_not_not(difference: dict[str, Any]) -> bool:
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    expressions = " ".join(str(body.get(p, "")) for p in ("ConditionExpression", "FilterExpression"))
    return bool(re.search(r"\bNOT\s+NOT\b", expressions)) and "Syntax error" in message(difference["reference"])


PATH = re.compile(r"#?[A-Za-z_]\w*(?:\.#?[A-Za-z_]\w*|\[\d+\])*")
WORDS = {"AND", "OR", "NOT", "BETWEEN", "IN", "size"}


def _item_before(difference: dict[str, Any]) -> dict[str, Any] | None:
    """The item a write's condition ran on: the last one the scenario put at its key before."""
    steps = difference["scenario"].steps
    body = steps[difference["step"]].request.get("body", {})
    key = body.get("Key") or {name: body.get("Item", {}).get(name) for name in ("pk", "sk") if name in body.get("Item", {})}
    item = None
    for step in steps[: difference["step"]]:
        put = step.request.get("body", {}).get("Item")
        if step.request.get("op") == "PutItem" and put is not None and all(put.get(k) == v for k, v in key.items()):
            item = put
    return item


def _value(item: dict[str, Any], path: str, names: dict[str, str]) -> Any:
    """The attribute value at `path` in the item, or None."""
    value: Any = {"M": item}
    for name, index in re.findall(r"(#?[A-Za-z_]\w*)|\[(\d+)\]", path):
        if index:
            members = value.get("L") if isinstance(value, dict) else None
            if not isinstance(members, list) or int(index) >= len(members):
                return None
            value = members[int(index)]
        else:
            members = value.get("M") if isinstance(value, dict) else None
            if not isinstance(members, dict) or names.get(name, name) not in members:
                return None
            value = members[names.get(name, name)]
    return value


_SIZED = ("S", "B", "SS", "NS", "BS", "L", "M")  # the types size() measures


def operand_missing(item: dict[str, Any], path: str, names: dict[str, str], expression: str) -> bool:
    """No operand at `path`: the attribute is missing or, inside size(), of a type size() does not
    measure (a number, a boolean, a null: dynalite treats that as missing too)."""
    value = _value(item, path, names)
    if value is None:
        return True
    sized = re.search(r"size\(\s*" + re.escape(path) + r"\s*\)", expression)
    return bool(sized) and not (isinstance(value, dict) and set(value) & set(_SIZED))


def compares_missing(difference: dict[str, Any]) -> bool:
    """A write's condition is one comparison of attributes (or their sizes), all missing from the
    item: dynalite takes two missing operands as equal, DynamoDB never (Alternator's tests)."""
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    condition = body.get("ConditionExpression")
    item = _item_before(difference)
    if not condition or item is None:
        return False
    words = [w for w in PATH.findall(condition) if w not in WORDS]
    names = body.get("ExpressionAttributeNames") or {}
    if ":" in condition or re.search(r"\b(AND|OR|NOT|BETWEEN|IN)\b|attribute_|begins_with|contains", condition) \
            or len(words) != 2:
        return _missing_pair_decides(difference, condition, item, names)
    return all(operand_missing(item, path, names, condition) for path in words)


_IN_LIST = re.compile(r"\bIN\s*\(([^()]*)\)")


def in_list_missing(difference: dict[str, Any]) -> bool:
    """A write's condition holds an IN whose list names an attribute missing from the item, and
    dynalite fails the condition where LumaDB passes it: dynalite's IN is false as soon as a
    member of its list is missing, though another one matches."""
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    condition = body.get("ConditionExpression") or ""
    item = _item_before(difference)
    if item is None or not ("conditional request failed" in message(difference["reference"])
                            and "conditional request failed" not in message(difference["lumadb"])):
        return False
    names = body.get("ExpressionAttributeNames") or {}
    members = [m.strip() for listed in _IN_LIST.findall(condition) for m in listed.split(",")]
    return any(not m.startswith(":") and operand_missing(item, m, names, condition) for m in members)


# one comparison of two operands without values: paths, or size() of a path
_OPERAND = r"(size\(\s*#?[A-Za-z_][\w.#\[\]]*\s*\)|#?[A-Za-z_][\w.#\[\]]*)"
_PAIR = re.compile(_OPERAND + r"\s*(=|<>|<=?|>=?)\s*" + _OPERAND)


def _missing_pair_decides(difference: dict[str, Any], condition: str, item: dict[str, Any],
                          names: dict[str, str]) -> bool:
    """A compound condition (AND, OR, NOT) holds a comparison of two operands both missing from
    the item, and one side fails the condition where the other makes the write: the outcome
    dynalite's equal missing operands can flip."""
    if not pair_missing(item, comparison_pairs(condition), names, condition):
        return False
    # one side failed the condition; the other passed it (and wrote, or met an error after it)
    failed = ["conditional request failed" in message(record) for record in (difference["reference"], difference["lumadb"])]
    return failed[0] != failed[1]


def comparison_pairs(expression: str) -> list[tuple[str, str]]:
    """The comparisons of two operands without values (paths, or size() of a path)."""
    return [(a, b) for a, _op, b in _PAIR.findall(expression) if a not in WORDS and b not in WORDS]


def pair_missing(item: dict[str, Any], pairs: list[tuple[str, str]], names: dict[str, str], expression: str) -> bool:
    """Some comparison of `pairs` has both operands missing from the item."""
    def missing(operand: str) -> bool:
        path = operand[5:-1].strip() if operand.startswith("size(") else operand
        # whether it is sized is the operand's own (seed 9191: `size(a) >= a`)
        return operand_missing(item, path, names, operand)

    return any(missing(a) and missing(b) for a, b in pairs)


def mixes_across_tables(difference: dict[str, Any]) -> bool:
    request = difference["scenario"].steps[difference["step"]].request
    wanted = list(request.get("body", {}).get("RequestItems", {}).values()) if request.get("op") == "BatchGetItem" else []
    return (any("AttributesToGet" in w for w in wanted) and any("ProjectionExpression" in w for w in wanted)
            and "Can not use both expression and non-expression" in message(difference["lumadb"]))  # fmt: skip


_ORDERED_TYPES = ("S", "N", "B")


def orders_unorderable(difference: dict[str, Any]) -> bool:
    """A write's condition is one <, <=, >, >= of two attributes of the item whose values are of
    one type that does not order (a list, a map, a set, a boolean, a null)."""
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    condition = body.get("ConditionExpression") or ""
    compared = re.fullmatch(r"\s*(\S+)\s*(<=?|>=?)\s*(\S+)\s*", condition)
    item = _item_before(difference)
    if compared is None or item is None or ":" in condition or "(" in condition:
        return False
    names = body.get("ExpressionAttributeNames") or {}
    left, right = (_value(item, compared.group(i), names) for i in (1, 3))
    if not isinstance(left, dict) or not isinstance(right, dict):
        return False
    kinds = set(left) | set(right)
    return len(kinds) == 1 and not kinds & set(_ORDERED_TYPES)


def deletes_only(difference: dict[str, Any]) -> bool:
    """An UpdateItem of the scenario (this step or the one before) only removes or deletes
    (AttributeUpdates, UpdateExpression), and the reference answers the bare key where LumaDB
    has no item."""
    steps = difference["scenario"].steps
    candidates = steps[max(0, difference["step"] - 1): difference["step"] + 1]
    last = _last_write_to(steps, difference["step"])
    for step in ([last] if last is not None else []) + candidates:
        body = step.request.get("body", {})
        updates, expression = body.get("AttributeUpdates"), body.get("UpdateExpression")
        only_removes = (all(u.get("Action") == "DELETE" for u in updates.values()) if updates else
                        bool(expression) and not re.search(r"\b(SET|ADD)\b", expression))  # fmt: skip
        if step.request.get("op") == "UpdateItem" and only_removes:
            theirs, ours = (record.get("body") or {} for record in (difference["reference"], difference["lumadb"]))
            bare = theirs.get("Item") or theirs.get("Attributes")
            return isinstance(bare, dict) and bool(bare) and set(bare) <= {"pk", "sk"} and not (ours.get("Item") or ours.get("Attributes"))
    return False


def _last_write_to(steps: list[Any], index: int) -> Any:
    """The last step before `index` that wrote the item step `index` reads (GetItem), or None."""
    step = steps[index].request
    key, table = step.get("body", {}).get("Key"), step.get("body", {}).get("TableName")
    if step.get("op") != "GetItem" or not key:
        return None
    for earlier in reversed(steps[:index]):
        body = earlier.request.get("body", {})
        if body.get("TableName") != table:
            continue
        written = body.get("Key") or {name: (body.get("Item") or {}).get(name) for name in key}
        if earlier.request.get("op") in ("PutItem", "UpdateItem", "DeleteItem") and written == key:
            return earlier
    return None


def stops_or_early(difference: dict[str, Any]) -> bool:
    """ConditionalOperator OR, and the reference fails a write LumaDB makes (or gets as far as
    applying: a type mismatch of its updates, seed 9185), or matches fewer items."""
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    if body.get("ConditionalOperator") != "OR":
        return False
    theirs, ours = difference["reference"], difference["lumadb"]
    if "conditional request failed" in message(theirs) and (
            ours.get("status") == 200 or message(ours) in _APPLYING_FAILED):
        return True
    counts = answer_counts(difference)
    return counts is not None and counts[0] < counts[1]


# what a write answers once its condition has passed, as it applies its updates
_APPLYING_FAILED = ("Type mismatch for attribute to update",
                    "An operand in the update expression has an incorrect data type")


def not_contains_passes(difference: dict[str, Any]) -> bool:
    """A legacy NOT_CONTAINS, and the reference makes a write LumaDB fails (or gets as far as
    applying it: a type mismatch of its updates, seed 9138), or matches more items."""
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    if not any("NOT_CONTAINS" in str(body.get(p)) for p in ("Expected", "QueryFilter", "ScanFilter")):
        return False
    theirs, ours = difference["reference"], difference["lumadb"]
    if "conditional request failed" in message(ours) and (
        theirs.get("status") == 200 or message(theirs) in _APPLYING_FAILED
    ):
        return True
    counts = answer_counts(difference)
    return counts is not None and counts[0] > counts[1]


def exists_with_value_passes(difference: dict[str, Any]) -> bool:
    """A legacy Expected of one entry, `Exists: true` beside a `Value`, and the reference makes a
    write LumaDB fails (or gets as far as applying it: a type mismatch of its updates, seed
    9162): it checks only that the attribute exists."""
    expected = difference["scenario"].steps[difference["step"]].request.get("body", {}).get("Expected")
    if not isinstance(expected, dict) or len(expected) != 1:
        return False
    entry = next(iter(expected.values()))
    if not isinstance(entry, dict) or entry.get("Exists") is not True or "Value" not in entry:
        return False
    theirs = difference["reference"]
    return "conditional request failed" in message(difference["lumadb"]) and (
        theirs.get("status") == 200 or message(theirs) in _APPLYING_FAILED)


_CLAUSE = re.compile(r"\b(SET|REMOVE|ADD|DELETE)\b")
_FUNCTIONS = {"if_not_exists", "list_append"}


def reads_what_it_writes(difference: dict[str, Any]) -> bool:
    """The UpdateItem at this step or the one before reads, on the right of a SET, an attribute
    that another of its actions writes."""
    steps = difference["scenario"].steps
    for step in steps[max(0, difference["step"] - 1): difference["step"] + 1]:
        expression = step.request.get("body", {}).get("UpdateExpression")
        if step.request.get("op") != "UpdateItem" or not expression:
            continue
        names = step.request["body"].get("ExpressionAttributeNames") or {}
        parts = _CLAUSE.split(expression)
        actions: list[tuple[str, set[str]]] = []  # (the attribute written, those read)
        for word, clause in zip(parts[1::2], parts[2::2], strict=True):
            for action in clause.split(","):
                target, _, source = action.partition("=") if word == "SET" else (action, "", "")
                written = re.findall(r"^\s*(#?\w+)", target)
                read = {names.get(w, w).split(".")[0].split("[")[0] for w in PATH.findall(source)
                        if w not in WORDS and w not in _FUNCTIONS}  # fmt: skip
                if written:
                    actions.append((names.get(written[0], written[0]), read))
        if any(read & {w for j, (w, _) in enumerate(actions) if j != i} for i, (_, read) in enumerate(actions)):
            return True
    return False


def counts_characters(difference: dict[str, Any]) -> bool:
    """Only capacity units differ, LumaDB's the larger, and the scenario wrote text that is not
    ASCII (UTF-8 takes more bytes than characters)."""
    if not difference["paths"] or not all("ConsumedCapacity" in path for path in difference["paths"]):
        return False
    steps = difference["scenario"].steps[: difference["step"] + 1]
    if all(json.dumps(step.request, ensure_ascii=False).isascii() for step in steps):
        return False

    def units(record: dict[str, Any]) -> float:
        consumed = (record.get("body") or {}).get("ConsumedCapacity")
        consumed = consumed[0] if isinstance(consumed, list) and consumed else consumed
        return float(consumed.get("CapacityUnits", 0)) if isinstance(consumed, dict) else 0.0

    return units(difference["lumadb"]) > units(difference["reference"])


def expected_types_unchecked(difference: dict[str, Any]) -> bool:
    """LumaDB refused an Expected value of a type its ComparisonOperator does not take; the
    reference did not."""
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    refused = "AttributeValue type" in message(difference["lumadb"]) and "is not valid for" in message(difference["lumadb"])
    return "Expected" in body and refused and "is not valid for" not in message(difference["reference"])


def _conditions(condition: Any) -> Any:
    """A batch condition and every condition inside it."""
    if isinstance(condition, dict):
        yield condition
        yield from _conditions(condition.get("cond"))
        for inner in condition.get("conds") or []:
            yield from _conditions(inner)


def error_on_skipped_step(difference: dict[str, Any]) -> bool:
    """A Hrana batch of the pipeline has an `error` condition on a step that LumaDB skipped."""
    requests = difference["scenario"].steps[difference["step"]].request.get("json", {}).get("requests", [])
    body = difference["lumadb"].get("body")
    results = (body.get("results") or []) if isinstance(body, dict) else []  # (not a protocol error's text)
    for request, result in zip(requests, results, strict=False):
        if request.get("type") != "batch" or result.get("type") != "ok":
            continue
        outcome = result["response"]["result"]
        skipped = {i for i, (r, e) in enumerate(zip(outcome["step_results"], outcome["step_errors"], strict=True))
                   if r is None and e is None}  # fmt: skip
        for step in request["batch"]["steps"]:
            if any(c.get("type") == "error" and c.get("step") in skipped for c in _conditions(step.get("condition"))):
                return True
    return False
