"""dynalite's equal missing operands in a Query's or Scan's filter, and its unequal maps and
lists in a filter or condition (`fuzz_known.py` holds the list): the items the scenario wrote are
followed, so that the difference the filter makes can be counted."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from conformance.fuzz_scenario_checks import (
    PATH,
    WORDS,
    answer_counts,
    comparison_pairs,
    message,
    operand_missing,
    pair_missing,
)

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
    known (`_items_written`) and no Limit cuts the answer short (or, for a Query of the table,
    the page is its first Limit items in sort-key order; or no item has either)."""
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
    words = [w for w in PATH.findall(comparison) if w not in WORDS]
    # one comparison; or a compound filter (NOT, OR, ...) holding such comparisons, where an item
    # with both operands of one missing may go either way (seed 9124: `NOT n = ns`)
    single = not _NOT_ONE_COMPARISON.search(comparison) and len(words) == 2
    pairs = comparison_pairs(comparison)  # each operand sized or not on its own (seed 9191: `size(a) >= a`)
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

    def lacks_operands(item: dict[str, Any]) -> bool:
        if pairs:
            return pair_missing(item, pairs, names, comparison)
        return all(operand_missing(item, path, names, comparison) for path in words)  # (`contains(a, b)`)

    missing = sum(lacks_operands(item) for item in items.values())
    counts = answer_counts(difference)
    if not isinstance(limit, int) or counts is None:
        return False
    if limit < len(items) and request["op"] == "Query" and index_partition is None:
        # the page is the first `limit` items in sort-key order (seed 9142: Limit 1)
        page = sorted(items.values(), key=lambda item: Decimal(item.get("sk", {}).get("N", "0")),
                      reverse=body.get("ScanIndexForward") is False)[:limit]
        missing = sum(lacks_operands(item) for item in page)
        if not single:  # (seed 9169: `b <= size(ns) OR :v1 >= #ss[1]`, Limit 2)
            return 0 < abs(counts[0] - counts[1]) <= missing
        return missing > 0 and abs(counts[0] - counts[1]) == missing
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


_EQUALITY = re.compile(r"<>|(?<![<>])=|\bIN\b")


def equates_documents(difference: dict[str, Any]) -> bool:
    """A filter or condition tests equality (=, <> or IN) against a map or list value that an item
    the scenario wrote holds, or that another value of the request equals, and the answers
    differ in how many items they return or in whether the condition passed: dynalite never
    finds two maps or lists equal (seed 9142: `b IN (:v2, size(pk))` with `{"M": {}}`; seed 9144:
    `:v2 IN (:v1)`, both `{"M": {}}`); DynamoDB compares them by value, as LumaDB."""
    steps = difference["scenario"].steps
    request = steps[difference["step"]].request
    body = request.get("body", {})
    expression = body.get("FilterExpression") if request.get("op") in ("Query", "Scan") else body.get("ConditionExpression")
    if not _EQUALITY.search(expression or ""):
        return False
    documents = [v for v in (body.get("ExpressionAttributeValues") or {}).values()
                 if isinstance(v, dict) and ("M" in v or "L" in v)]
    written = [step.request.get("body", {}).get("Item") or {} for step in steps[: difference["step"]]
               if step.request.get("op") == "PutItem"]
    held = any(value in documents for item in written for value in item.values()) or any(
        documents[i] == documents[j] for i in range(len(documents)) for j in range(i))
    if not held:
        return False
    if request.get("op") in ("Query", "Scan"):
        counts = answer_counts(difference)
        return counts is not None and counts[0] != counts[1]
    theirs, ours = difference["reference"], difference["lumadb"]
    return any("conditional request failed" in message(failed) and passed.get("status") == 200
               for failed, passed in ((theirs, ours), (ours, theirs)))
