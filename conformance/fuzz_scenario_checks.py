"""Known deviations of the references that only the scenario shows (`fuzz_known.py` holds the
list): each test reads the requests before the differing step, not only the two answers."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any


def message(record: dict[str, Any]) -> str:
    body = record.get("body")
    return str(body.get("message", "")) if isinstance(body, dict) else ""



def _counts(difference: dict[str, Any]) -> tuple[int, int] | None:
    """The reference's and LumaDB's Count, when both answered one."""
    counts = [record.get("body", {}).get("Count") for record in (difference["reference"], difference["lumadb"])]
    return (counts[0], counts[1]) if all(isinstance(count, int) for count in counts) else None


def refuses_not_not(difference: dict[str, Any]) -> bool:
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    expressions = " ".join(str(body.get(p, "")) for p in ("ConditionExpression", "FilterExpression"))
    return bool(re.search(r"\bNOT\s+NOT\b", expressions)) and "Syntax error" in message(difference["reference"])


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


def compares_missing(difference: dict[str, Any]) -> bool:
    """A write's condition is one comparison of attributes (or their sizes), all missing from the
    item: dynalite takes two missing operands as equal, DynamoDB never (Alternator's tests)."""
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    condition = body.get("ConditionExpression")
    item = _item_before(difference)
    if not condition or item is None:
        return False
    words = [w for w in _PATH.findall(condition) if w not in _WORDS]
    names = body.get("ExpressionAttributeNames") or {}
    if ":" in condition or re.search(r"\b(AND|OR|NOT|BETWEEN|IN)\b|attribute_|begins_with|contains", condition) \
            or len(words) != 2:
        return _missing_pair_decides(difference, condition, item, names)
    return all(_operand_missing(item, path, names, condition) for path in words)


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
    return any(not m.startswith(":") and _operand_missing(item, m, names, condition) for m in members)


# one comparison of two operands without values: paths, or size() of a path
_OPERAND = r"(size\(\s*#?[A-Za-z_][\w.#\[\]]*\s*\)|#?[A-Za-z_][\w.#\[\]]*)"
_PAIR = re.compile(_OPERAND + r"\s*(=|<>|<=?|>=?)\s*" + _OPERAND)


def _missing_pair_decides(difference: dict[str, Any], condition: str, item: dict[str, Any],
                          names: dict[str, str]) -> bool:
    """A compound condition (AND, OR, NOT) holds a comparison of two operands both missing from
    the item, and one side fails the condition where the other makes the write: the outcome
    dynalite's equal missing operands can flip."""
    if not _pair_missing(item, _pairs(condition), names, condition):
        return False
    # one side failed the condition; the other passed it (and wrote, or met an error after it)
    failed = ["conditional request failed" in message(record) for record in (difference["reference"], difference["lumadb"])]
    return failed[0] != failed[1]


def _pairs(expression: str) -> list[tuple[str, str]]:
    """The comparisons of two operands without values (paths, or size() of a path)."""
    return [(a, b) for a, _op, b in _PAIR.findall(expression) if a not in _WORDS and b not in _WORDS]


def _pair_missing(item: dict[str, Any], pairs: list[tuple[str, str]], names: dict[str, str], expression: str) -> bool:
    """Some comparison of `pairs` has both operands missing from the item."""
    def missing(operand: str) -> bool:
        path = operand[5:-1].strip() if operand.startswith("size(") else operand
        return _operand_missing(item, path, names, expression)

    return any(missing(a) and missing(b) for a, b in pairs)


_SORT_KEY_CONDITION = re.compile(r"pk = :v0(?: AND sk (=|<=?|>=?) (:v\d+))?")
_COMPARE = {"=": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
_GUARD = re.compile(r"pk = :v0 AND \((.*)\)")  # a filter's `pk = :v0` around the comparison
# an index's key condition: its partition, perhaps with a range of its (number) sort key
_INDEX_KEY_CONDITION = re.compile(
    r"#?(\w+) = :v0(?: AND (\w+) (?:(=|<=?|>=?) (:v\d+)|BETWEEN (:v\d+) AND (:v\d+)))?")


def _index_range_test(key: re.Match, values: dict[str, Any]) -> Any:
    """Whether an item is in the index's key range: it has the sort key, a number within it."""
    name, operator, bound, low, high = key.group(2, 3, 4, 5, 6)
    if name is None:
        return None

    def number(placeholder: str) -> Decimal:
        return Decimal(values.get(placeholder, {}).get("N", "NaN"))

    def within(item: dict[str, Any]) -> bool:
        value = item.get(name, {}).get("N")
        if value is None:
            return False
        try:
            if operator is not None:
                return bool(_COMPARE[operator](Decimal(value), number(bound)))
            return number(low) <= Decimal(value) <= number(high)
        except InvalidOperation:  # (a bound that is not a number)
            return False

    return within
_NOT_ONE_COMPARISON = re.compile(r"\b(AND|OR|NOT|BETWEEN|IN)\b|attribute_|begins_with|contains|:")


def filters_missing(difference: dict[str, Any]) -> bool:
    """A Query's or Scan's filter is one comparison of two attributes (or their sizes), and the
    two answers differ by as many items as the scenario put without either of them (in a
    compound filter, by at most that many): the missing operands dynalite takes as equal. Only where the scenario's items are
    known (`_items_written`) and no Limit cuts the answer short (or no item has either)."""
    steps = difference["scenario"].steps
    request = steps[difference["step"]].request
    body = request.get("body", {})
    condition = body.get("FilterExpression")
    index_partition = None
    index_range: Any = None
    if "IndexName" in body:  # an index's partition (`<attribute> = :v0`), perhaps a range of it
        index_key = _INDEX_KEY_CONDITION.fullmatch(body.get("KeyConditionExpression", ""))
        if request.get("op") != "Query" or index_key is None:
            return False
        index_partition = (body.get("ExpressionAttributeNames") or {}).get(index_key.group(0).split(" ")[0],
                                                                          index_key.group(1))
        index_range = _index_range_test(index_key, body.get("ExpressionAttributeValues") or {})
    if request.get("op") not in ("Query", "Scan") or not condition:
        return False
    guard = _GUARD.fullmatch(condition)
    comparison = guard.group(1) if guard else condition
    words = [w for w in _PATH.findall(comparison) if w not in _WORDS]
    # one comparison; or a compound filter (NOT, OR, ...) holding such comparisons, where an item
    # with both operands of one missing may go either way (seed 9124: `NOT n = ns`)
    single = not _NOT_ONE_COMPARISON.search(comparison) and len(words) == 2
    pairs = [] if single else _pairs(comparison)
    if not single and not pairs:
        return False
    partition = (body.get("ExpressionAttributeValues") or {}).get(":v0")
    in_range = _sort_key_test(body) if request["op"] == "Query" and index_partition is None else (lambda _sk: True)
    if in_range is None:
        return False
    items = _items_written(steps[: difference["step"]], body.get("TableName"))
    if items is None:
        return False
    if index_partition is not None:
        items = {k: item for k, item in items.items()
                 if item.get(index_partition) == partition and (index_range is None or index_range(item))}
    elif request["op"] == "Query" or guard:
        items = {k: item for k, item in items.items() if item.get("pk") == partition}
    items = {k: item for k, item in items.items() if in_range(item.get("sk", {}).get("N", "0"))}
    limit = body.get("Limit", len(items))
    names = body.get("ExpressionAttributeNames") or {}
    missing = sum(all(_operand_missing(item, path, names, comparison) for path in words) if single
                  else _pair_missing(item, pairs, names, comparison) for item in items.values())
    counts = _counts(difference)
    if not isinstance(limit, int) or counts is None:
        return False
    if not single:
        return limit >= len(items) and 0 < abs(counts[0] - counts[1]) <= missing
    if limit < len(items):
        # a page of the items, which ones is not known here; but if none has either operand,
        # every item read differs
        scanned = difference["reference"].get("body", {}).get("ScannedCount")
        return missing == len(items) and scanned == difference["lumadb"].get("body", {}).get("ScannedCount") \
            and isinstance(scanned, int) and scanned > 0 and abs(counts[0] - counts[1]) == scanned
    return missing > 0 and abs(counts[0] - counts[1]) == missing


_SET_OR_REMOVE = re.compile(r"(?:SET (\w+ = :\w+(?:, \w+ = :\w+)*))? ?(?:REMOVE (\w+(?:, \w+)*))?")


def _items_written(steps: list[Any], table: Any) -> dict[str, dict[str, Any]] | None:
    """A table's items after the scenario's writes, by key; None where they are not known from
    the scenario alone: only unconditional PutItems, DeleteItems, and UpdateItems that SET plain
    names to values or REMOVE them (the index maintenance of fuzz_indexes.py)."""
    items: dict[str, dict[str, Any]] = {}
    for step in steps:
        earlier = step.request.get("body", {})
        if earlier.get("TableName") != table:
            continue
        op = step.request.get("op")
        if earlier.get("ConditionExpression") or op not in ("PutItem", "DeleteItem", "UpdateItem"):
            return None
        if op == "PutItem":
            items[repr((earlier["Item"].get("pk"), earlier["Item"].get("sk")))] = earlier["Item"]
            continue
        key = earlier.get("Key") or {}
        at = repr((key.get("pk"), key.get("sk")))
        if op == "DeleteItem":
            items.pop(at, None)
            continue
        update = _SET_OR_REMOVE.fullmatch(earlier.get("UpdateExpression", ""))
        if update is None or not earlier.get("UpdateExpression") or earlier.get("ExpressionAttributeNames"):
            return None
        if at not in items and not update.group(1):
            return None  # (whether a REMOVE alone makes an item is not this check's to say)
        item = dict(items.get(at, key))
        values = earlier.get("ExpressionAttributeValues") or {}
        for assignment in (update.group(1) or "").split(", ") if update.group(1) else []:
            name, value = assignment.split(" = ")
            if value not in values:
                return None
            item[name] = values[value]
        for name in update.group(2).split(", ") if update.group(2) else []:
            item.pop(name, None)
        items[at] = item
    return items


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
    """ConditionalOperator OR, and the reference fails a write LumaDB makes, or matches fewer items."""
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    if body.get("ConditionalOperator") != "OR":
        return False
    theirs, ours = difference["reference"], difference["lumadb"]
    if "conditional request failed" in message(theirs) and ours.get("status") == 200:
        return True
    counts = _counts(difference)
    return counts is not None and counts[0] < counts[1]


def not_contains_passes(difference: dict[str, Any]) -> bool:
    """A legacy NOT_CONTAINS, and the reference makes a write LumaDB fails, or matches more items."""
    body = difference["scenario"].steps[difference["step"]].request.get("body", {})
    if not any("NOT_CONTAINS" in str(body.get(p)) for p in ("Expected", "QueryFilter", "ScanFilter")):
        return False
    theirs, ours = difference["reference"], difference["lumadb"]
    if "conditional request failed" in message(ours) and theirs.get("status") == 200:
        return True
    counts = _counts(difference)
    return counts is not None and counts[0] > counts[1]


def exists_with_value_passes(difference: dict[str, Any]) -> bool:
    """A legacy Expected of one entry, `Exists: true` beside a `Value`, and the reference makes a
    write LumaDB fails: it checks only that the attribute exists."""
    expected = difference["scenario"].steps[difference["step"]].request.get("body", {}).get("Expected")
    if not isinstance(expected, dict) or len(expected) != 1:
        return False
    entry = next(iter(expected.values()))
    if not isinstance(entry, dict) or entry.get("Exists") is not True or "Value" not in entry:
        return False
    return "conditional request failed" in message(difference["lumadb"]) and difference["reference"].get("status") == 200


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
                read = {names.get(w, w).split(".")[0].split("[")[0] for w in _PATH.findall(source)
                        if w not in _WORDS and w not in _FUNCTIONS}  # fmt: skip
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
    results = (difference["lumadb"].get("body") or {}).get("results") or []
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
