"""The known deviations of the references `lumadb conformance fuzz` replays against: what each
peer does that DynamoDB, Turso or D1 do not (conformance/README.md, docs/compatibility.md), and a
test that tells whether a difference is that. A difference one of them explains is counted, not
printed."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any


def _message(record: dict[str, Any]) -> str:
    body = record.get("body")
    return str(body.get("message", "")) if isinstance(body, dict) else ""


def _refused_only_by_us(text: str) -> Any:
    """A test: LumaDB refused the request with `text` in its message, the reference did not."""
    return lambda ref, ours, paths: text in _message(ours) and text not in _message(ref)


_DIGITS = re.compile(r"[^0-9]")
_ORDERING = re.compile(r"Incorrect operand type for operator or function; operator or function: (<=?|>=?|BETWEEN),")


def _ordering_refused_only_by_us(ref: dict[str, Any], ours: dict[str, Any], paths: list[str]) -> bool:
    """We refused an operand of <, <=, >, >= or BETWEEN; the reference did not refuse that one
    (it may have refused something else further on)."""
    refused = _ORDERING.search(_message(ours))
    return refused is not None and refused.group(0) not in _message(ref)


_ORDERS_ANY_TYPE = (
    "orders sets, lists, maps, booleans and nulls with <, <=, >, >= and BETWEEN instead of refusing the operand type",
    _ordering_refused_only_by_us,
)

# dynalite's deviations from DynamoDB that random scenarios keep meeting (conformance/README.md):
# (what it does, whether a difference is that)
KNOWN: dict[str, list[tuple[str, Any]]] = {
    "dynalite": [
        _ORDERS_ANY_TYPE,
        ("answers Attributes: {} when UPDATED_OLD or UPDATED_NEW has nothing to return",
         lambda ref, ours, paths: ref.get("body") == {"Attributes": {}} and ours.get("body") == {}),
        ("filters an index on attributes the index does not project (DynamoDB refuses: Alternator's tests)",
         _refused_only_by_us("does not project the attributes used in the filter")),
        ("does not refuse a ConditionalOperator over one Expected or filter condition",
         _refused_only_by_us("ConditionalOperator can only be used when Filter or Expected has two or more elements")),
        ("does not refuse AttributesToGet with Select COUNT, nor SPECIFIC_ATTRIBUTES without them, on Query",
         _refused_only_by_us("when choosing to get")),
        ("keeps every digit of a sum or difference (DynamoDB refuses a result of more than 38 digits as an overflow)",
         lambda ref, ours, paths: "Number overflow" in _message(ours) and ref.get("status") == 200
         and any(len(_DIGITS.sub("", str(value.get("N", ""))).strip("0")) > 38
                 for value in (ref.get("body", {}).get("Attributes") or {}).values() if isinstance(value, dict))),
        ("leaves out of a local index's items the attributes it would fetch from the table for a projection",
         lambda ref, ours, paths: _supersets(ours, ref)),
    ],
}
# tests of the whole difference (the scenario, the step), not only of the two answers
_COMPARES_MISSING = ("compares two missing attributes as equal (DynamoDB: never equal, always unequal)",
                     lambda difference: _compares_missing(difference) or _filters_missing(difference))
_ORDERS_VALUES = (
    "orders two lists, maps, sets, booleans or nulls of an item in a condition (DynamoDB: the comparison is false)",
    lambda difference: _orders_unorderable(difference),
)
_NOT_NOT = ("refuses NOT NOT as a syntax error (DynamoDB's grammar nests NOT)",
            lambda difference: _refuses_not_not(difference))
_MIXES_ACROSS_TABLES = (
    "accepts AttributesToGet for one table of a BatchGetItem and a ProjectionExpression for another "
    "(DynamoDB refuses: nubo-db's captures)",
    lambda difference: _mixes_across_tables(difference),
)
_READS_WRITES = (
    "reads an attribute after another action of the same update changed it (DynamoDB reads every "
    "operand from the item as it was: Alternator's tests)",
    lambda difference: _reads_what_it_writes(difference),
)
_COUNTS_CHARACTERS = (
    "counts the characters of strings and names in an item's size, not their UTF-8 bytes (capacity units)",
    lambda difference: _counts_characters(difference),
)
_LEGACY = [
    ("stops a ConditionalOperator OR over Expected or a filter at its first false condition",
     lambda difference: _stops_or_early(difference)),
    ("lets a legacy NOT_CONTAINS pass on a missing attribute (DynamoDB fails it: Alternator's tests)",
     lambda difference: _not_contains_passes(difference)),
    ("creates the item for an UpdateItem that only removes or deletes (DynamoDB does not: its documentation of "
     "AttributeUpdates, Alternator's tests)",
     lambda difference: _deletes_only(difference)),
]
CONTEXT_KNOWN: dict[str, list[tuple[str, Any]]] = {
    "dynalite": [_COMPARES_MISSING, _NOT_NOT, _MIXES_ACROSS_TABLES, _ORDERS_VALUES, _READS_WRITES, _COUNTS_CHARACTERS,
                 *_LEGACY],
    "moto": [_COMPARES_MISSING],
}


def _refuses_not_not(difference: dict[str, Any]) -> bool:
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    expressions = " ".join(str(body.get(p, "")) for p in ("ConditionExpression", "FilterExpression"))
    return bool(re.search(r"\bNOT\s+NOT\b", expressions)) and "Syntax error" in _message(difference["reference"])


def _supersets(ours: dict[str, Any], ref: dict[str, Any]) -> bool:
    """Each of our items holds every attribute of the reference's, and more in some."""
    mine, theirs = (record.get("body", {}).get("Items") if isinstance(record.get("body"), dict) else None
                    for record in (ours, ref))  # fmt: skip
    if not isinstance(mine, list) or not isinstance(theirs, list) or len(mine) != len(theirs) or mine == theirs:
        return False
    return all(a.items() >= b.items() for a, b in zip(mine, theirs, strict=True))


_REAL_TEXT = re.compile(r"-?\d+(\.\d+)?[eE][+-]\d+|-?\d+\.\d+")
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _at(record: Any, path: str) -> Any:
    for name, index in _PATH_PART.findall(path.split(" ")[0]):
        try:
            record = record[int(index)] if index else record[name]
        except (KeyError, IndexError, TypeError):
            return None
    return record


def _reals_as_text(ref: dict[str, Any], ours: dict[str, Any], paths: list[str]) -> bool:
    """Every difference is a real number written as text, in both answers."""
    return all(isinstance(a, str) and isinstance(b, str) and _REAL_TEXT.fullmatch(a) and _REAL_TEXT.fullmatch(b)
               for a, b in ((_at(ref, p), _at(ours, p)) for p in paths))  # fmt: skip


def _canonical_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"N"} and isinstance(value["N"], str):
            try:
                return {"N": str(Decimal(value["N"]).normalize())}
            except InvalidOperation:
                return value
        return {key: _canonical_numbers(member) for key, member in value.items()}
    if isinstance(value, list):
        return [_canonical_numbers(member) for member in value]
    return value


KNOWN["sqld"] = [
    ("fails the whole pipeline with a 500 when a result's text is not valid UTF-8 (LumaDB: that statement's "
     "error)", lambda ref, ours, paths: ref.get("status") == 500 and "utf-8" in str(ref.get("body"))),
    ("(its SQLite) turns reals into text with other digits than LumaDB's newer SQLite (docs/compatibility.md)",
     lambda ref, ours, paths: _reals_as_text(ref, ours, paths)),
]
KNOWN["miniflare"] = [
    ("(workerd's SQLite) turns reals into text with other digits than LumaDB's newer SQLite (docs/compatibility.md)",
     lambda ref, ours, paths: _reals_as_text(ref, ours, paths)),
]
_MOTO_PREFIX = "1 validation error detected: "
KNOWN["moto"] = [
    ("fails with a 500 (an exception inside moto)", lambda ref, ours, paths: ref.get("status", 0) >= 500),
    ("keeps numbers as they were written (DynamoDB answers them canonical: 1e3 -> 1000, -0.50 -> -0.5)",
     lambda ref, ours, paths: ref != ours and _canonical_numbers(ref) == _canonical_numbers(ours)),
    _ORDERS_ANY_TYPE,
    ("does not refuse two document paths that overlap", _refused_only_by_us("Two document paths overlap")),
    ("does not refuse a path into a key attribute", _refused_only_by_us("Key attributes must be scalars")),
    ("starts some texts with '1 validation error detected: ' and names overlapping paths by their placeholders",
     lambda ref, ours, paths: _message(ref).startswith(_MOTO_PREFIX)
     and _message(ref)[len(_MOTO_PREFIX):].split("; path one")[0] == _message(ours).split("; path one")[0]),
    ("filters an index on attributes the index does not project (DynamoDB refuses: Alternator's tests)",
     _refused_only_by_us("does not project the attributes used in the filter")),
    ("lets a Query's filter name a key attribute", _refused_only_by_us("Filter Expression can only contain non-primary key")),
    ("evaluates an update's condition before refusing its change of a key attribute",
     _refused_only_by_us("This attribute is part of the key")),
    ("reports an invalid document path before an operand missing from the item (dynalite and LumaDB: the operand)",
     lambda ref, ours, paths: "document path provided in the update expression is invalid" in _message(ref)
     and "refers to an attribute that does not exist" in _message(ours)),
    ("calls a FilterExpression a ConditionExpression in its errors",
     lambda ref, ours, paths: _message(ours) != _message(ref)
     and _message(ref).replace("Invalid ConditionExpression", "Invalid FilterExpression") == _message(ours)),
]


def known_deviation(reference_name: str, difference: dict[str, Any]) -> str | None:
    """What known deviation of the reference explains the difference, if one does."""
    for description, test in KNOWN.get(reference_name, []):
        if test(difference["reference"], difference["lumadb"], difference["paths"]):
            return description
    for description, context_test in CONTEXT_KNOWN.get(reference_name, []):
        if context_test(difference):
            return description
    return None


_PATH = re.compile(r"#?[A-Za-z_]\w*(?:\.#?[A-Za-z_]\w*|\[\d+\])*")
_WORDS = {"AND", "OR", "NOT", "BETWEEN", "IN", "size"}


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


def _operand_missing(item: dict[str, Any], path: str, names: dict[str, str], expression: str) -> bool:
    """No operand at `path`: the attribute is missing or, inside size(), of a type size() does not
    measure (a number, a boolean, a null: dynalite treats that as missing too)."""
    value = _value(item, path, names)
    if value is None:
        return True
    sized = re.search(r"size\(\s*" + re.escape(path) + r"\s*\)", expression)
    return bool(sized) and not (isinstance(value, dict) and set(value) & set(_SIZED))


def _compares_missing(difference: dict[str, Any]) -> bool:
    """A write's condition is one comparison of attributes (or their sizes), all missing from the
    item: dynalite takes two missing operands as equal, DynamoDB never (Alternator's tests)."""
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    condition = body.get("ConditionExpression")
    item = _item_before(difference)
    if not condition or item is None or ":" in condition:
        return False
    words = [w for w in _PATH.findall(condition) if w not in _WORDS]
    if re.search(r"\b(AND|OR|NOT|BETWEEN|IN)\b|attribute_|begins_with|contains", condition) or len(words) != 2:
        return False
    names = body.get("ExpressionAttributeNames") or {}
    return all(_operand_missing(item, path, names, condition) for path in words)


_SORT_KEY_CONDITION = re.compile(r"pk = :v0(?: AND sk (=|<=?|>=?) (:v\d+))?")
_COMPARE = {"=": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
_GUARD = re.compile(r"pk = :v0 AND \((.*)\)")  # a filter's `pk = :v0` around the comparison
_NOT_ONE_COMPARISON = re.compile(r"\b(AND|OR|NOT|BETWEEN|IN)\b|attribute_|begins_with|contains|:")


def _filters_missing(difference: dict[str, Any]) -> bool:
    """A Query's or Scan's filter is one comparison of two attributes (or their sizes), and the
    two answers differ by as many items as the scenario put without either of them: the
    missing operands dynalite takes as equal, in a filter. Only where the scenario's items are
    known (PutItems alone before the step) and no Limit pages the answer."""
    steps = difference["scenario"].steps
    request = steps[difference["step"]].request
    body = request.get("body", {})
    condition = body.get("FilterExpression")
    if request.get("op") not in ("Query", "Scan") or not condition or "Limit" in body or "IndexName" in body:
        return False
    guard = _GUARD.fullmatch(condition)
    comparison = guard.group(1) if guard else condition
    words = [w for w in _PATH.findall(comparison) if w not in _WORDS]
    if _NOT_ONE_COMPARISON.search(comparison) or len(words) != 2:
        return False
    partition = (body.get("ExpressionAttributeValues") or {}).get(":v0")
    in_range = _sort_key_test(body) if request["op"] == "Query" else (lambda _sk: True)
    if in_range is None:
        return False
    items: dict[str, dict[str, Any]] = {}
    for step in steps[: difference["step"]]:
        earlier = step.request.get("body", {})
        if earlier.get("TableName") != body.get("TableName"):
            continue
        if step.request.get("op") != "PutItem" or earlier.get("ConditionExpression"):
            return False  # the table's items are not known from the scenario alone
        item = earlier["Item"]
        items[repr((item.get("pk"), item.get("sk")))] = item
    if request["op"] == "Query" or guard:
        items = {k: item for k, item in items.items() if item.get("pk") == partition}
    items = {k: item for k, item in items.items() if in_range(item.get("sk", {}).get("N", "0"))}
    names = body.get("ExpressionAttributeNames") or {}
    missing = sum(all(_operand_missing(item, path, names, comparison) for path in words) for item in items.values())
    counts = [record.get("body", {}).get("Count") for record in (difference["reference"], difference["lumadb"])]
    if not all(isinstance(count, int) for count in counts):
        return False
    return missing > 0 and abs(counts[0] - counts[1]) == missing


def _sort_key_test(body: dict[str, Any]) -> Any:
    """Whether a sort key (number text) meets the Query's key condition (`pk = :v0`, with or
    without `AND sk <op> :vN`); None for another key condition."""
    key = _SORT_KEY_CONDITION.fullmatch(body.get("KeyConditionExpression", ""))
    if key is None:
        return None
    operator, placeholder = key.groups()
    if operator is None:
        return lambda _sk: True
    bound = Decimal((body.get("ExpressionAttributeValues") or {}).get(placeholder, {}).get("N", "NaN"))
    return lambda sk: _COMPARE[operator](Decimal(sk), bound)


def _mixes_across_tables(difference: dict[str, Any]) -> bool:
    request = difference["scenario"].steps[difference["step"]].request
    wanted = list(request.get("body", {}).get("RequestItems", {}).values()) if request.get("op") == "BatchGetItem" else []
    return (any("AttributesToGet" in w for w in wanted) and any("ProjectionExpression" in w for w in wanted)
            and "Can not use both expression and non-expression" in _message(difference["lumadb"]))  # fmt: skip


_ORDERED_TYPES = ("S", "N", "B")


def _orders_unorderable(difference: dict[str, Any]) -> bool:
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


def _deletes_only(difference: dict[str, Any]) -> bool:
    """An UpdateItem of the scenario (this step or the one before) only removes or deletes
    (AttributeUpdates, UpdateExpression), and the reference answers the bare key where LumaDB
    has no item."""
    steps = difference["scenario"].steps
    for step in steps[max(0, difference["step"] - 1): difference["step"] + 1]:
        body = step.request.get("body", {})
        updates, expression = body.get("AttributeUpdates"), body.get("UpdateExpression")
        only_removes = (all(u.get("Action") == "DELETE" for u in updates.values()) if updates else
                        bool(expression) and not re.search(r"\b(SET|ADD)\b", expression))  # fmt: skip
        if step.request.get("op") == "UpdateItem" and only_removes:
            theirs, ours = (record.get("body") or {} for record in (difference["reference"], difference["lumadb"]))
            bare = theirs.get("Item") or theirs.get("Attributes")
            return isinstance(bare, dict) and bool(bare) and set(bare) <= {"pk", "sk"} and not (ours.get("Item") or ours.get("Attributes"))
    return False


def _stops_or_early(difference: dict[str, Any]) -> bool:
    """ConditionalOperator OR, and the reference fails a write LumaDB makes, or matches fewer items."""
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    if body.get("ConditionalOperator") != "OR":
        return False
    theirs, ours = difference["reference"], difference["lumadb"]
    if "conditional request failed" in _message(theirs) and ours.get("status") == 200:
        return True
    counts = [record.get("body", {}).get("Count") for record in (theirs, ours)]
    return all(isinstance(count, int) for count in counts) and counts[0] < counts[1]


def _not_contains_passes(difference: dict[str, Any]) -> bool:
    """A legacy NOT_CONTAINS, and the reference makes a write LumaDB fails, or matches more items."""
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    if not any("NOT_CONTAINS" in str(body.get(p)) for p in ("Expected", "QueryFilter", "ScanFilter")):
        return False
    theirs, ours = difference["reference"], difference["lumadb"]
    if "conditional request failed" in _message(ours) and theirs.get("status") == 200:
        return True
    counts = [record.get("body", {}).get("Count") for record in (theirs, ours)]
    return all(isinstance(count, int) for count in counts) and counts[0] > counts[1]


_CLAUSE = re.compile(r"\b(SET|REMOVE|ADD|DELETE)\b")
_FUNCTIONS = {"if_not_exists", "list_append"}


def _reads_what_it_writes(difference: dict[str, Any]) -> bool:
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
                read = {names.get(w, w).split(".")[0].split("[")[0] for w in _PATH.findall(source)
                        if w not in _WORDS and w not in _FUNCTIONS}  # fmt: skip
                if written:
                    actions.append((names.get(written[0], written[0]), read))
        if any(read & {w for j, (w, _) in enumerate(actions) if j != i} for i, (_, read) in enumerate(actions)):
            return True
    return False


def _counts_characters(difference: dict[str, Any]) -> bool:
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
