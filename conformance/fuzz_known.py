"""The known deviations of the references `lumadb conformance fuzz` replays against: what each
peer does that DynamoDB, Turso or D1 do not (conformance/README.md, docs/compatibility.md), and a
test that tells whether a difference is that. A difference one of them explains is counted, not
printed."""

from __future__ import annotations

import base64
import binascii
import math
import os
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from conformance import fuzz_tables
from conformance.fuzz_scenario_checks import (
    compares_missing,
    counts_characters,
    deletes_only,
    error_on_skipped_step,
    exists_with_value_passes,
    expected_types_unchecked,
    filters_missing,
    in_list_missing,
    mixes_across_tables,
    not_contains_passes,
    orders_unorderable,
    reads_what_it_writes,
    refuses_not_not,
    stops_or_early,
)
from conformance.fuzz_scenario_checks import (
    message as _message,
)


def _refused_only_by_us(text: str) -> Any:
    """A test: LumaDB refused the request with `text` in its message, the reference did not."""
    return lambda ref, ours, paths: text in _message(ours) and text not in _message(ref)


_DIGITS = re.compile(r"[^0-9]")
_BAD_VALUE = re.compile(r"cannot be converted to a numeric value|Number (?:over|under)flow|38 significant digits|"
                        r"contains duplicates")
_LISTED = re.compile(r"(?<=Value ')\[[^']*\](?=' at)")
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
_EQ_ANY_TYPE = re.compile(r"ComparisonOperator (?:EQ|NE) is not valid for (?:BOOL|NULL|L|M) AttributeValue type")
_EQUALITY_OF_ANY_TYPE = (
    "refuses a legacy EQ or NE with a boolean, null, list or map (DynamoDB takes every type: AWS's reference, "
    "nubo-db's captures, Alternator's tests)",
    lambda ref, ours, paths: bool(_EQ_ANY_TYPE.search(_message(ref))) and not _EQ_ANY_TYPE.search(_message(ours)),
)

_INDEX_KEY_TYPE = re.compile(r"SecondaryIndexes\.\d+\.member\.keySchema\.\d+\.member\.keyType' failed to satisfy "
                             r"constraint: Member must satisfy enum value set")


def _index_key_type_unchecked(ref: dict[str, Any], ours: dict[str, Any], paths: list[str]) -> bool:
    """We listed an index's KeyType outside [HASH, RANGE] (DynamoDB's model validation walks every
    member); dynalite checks that enum in the table's KeySchema only: its answer lists the rest
    of our violations, or, with none left, refuses the request another way."""
    text = _message(ours)
    if not _INDEX_KEY_TYPE.search(text) or "detected: " not in text:
        return False
    rest = [clause for clause in text.split("detected: ", 1)[1].split("; ") if not _INDEX_KEY_TYPE.search(clause)]
    theirs = _message(ref)
    if not rest:
        return ref.get("status") == 400 and not _INDEX_KEY_TYPE.search(theirs)
    return "detected: " in theirs and theirs.split("detected: ", 1)[1].split("; ") == rest


# dynalite's deviations from DynamoDB that random scenarios keep meeting (conformance/README.md):
# (what it does, whether a difference is that)
KNOWN: dict[str, list[tuple[str, Any]]] = {
    "dynalite": [
        _ORDERS_ANY_TYPE,
        _EQUALITY_OF_ANY_TYPE,
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
        ("does not check the KeyType enum in an index's KeySchema (only in the table's)", _index_key_type_unchecked),
        ("accepts an attribute defined twice (DynamoDB refuses: Alternator's captures)",
         _refused_only_by_us("Attribute Name is duplicated")),
        ("accepts an INCLUDE projection without NonKeyAttributes (DynamoDB refuses: paritysuite's captures)",
         _refused_only_by_us("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")),
        ("accepts a provisioned table's GSI without ProvisionedThroughput",
         _refused_only_by_us("ProvisionedThroughput is not specified for index")),
        ("accepts an attribute definition no key uses when the table has indexes",
         _refused_only_by_us("Some AttributeDefinitions are not used")),
        ("words a bad number or a duplicate set member in the older value layer in every operation (DynamoDB: "
         "the current layer in PutItem, UpdateItem, DeleteItem, GetItem, BatchGetItem and Query; value_layers.py)",
         lambda ref, ours, paths: ref != ours and bool(_BAD_VALUE.search(_message(ref)))
         and bool(_BAD_VALUE.search(_message(ours)))),
        ("writes a list of structures in a validation message as JSON (DynamoDB: Java's "
         "`com.amazonaws.dynamodb.v20120810.KeySchemaElement@1a2b3c4d`; dynalite's own tests skip it)",
         lambda ref, ours, paths: '{"' in _message(ref) and "com.amazonaws.dynamodb.v20120810." in _message(ours)
         and _LISTED.sub("[...]", _message(ref)) == _LISTED.sub("[...]", _message(ours))),
    ],
}
# tests of the whole difference (the scenario, the step), not only of the two answers
_COMPARES_MISSING = ("compares two missing attributes as equal (DynamoDB: never equal, always unequal)",
                     lambda difference: compares_missing(difference) or filters_missing(difference))
_ORDERS_VALUES = (
    "orders two lists, maps, sets, booleans or nulls of an item in a condition (DynamoDB: the comparison is false)",
    lambda difference: orders_unorderable(difference),
)
_IN_LIST_MISSING = ("fails an IN whose list names an attribute missing from the item, though another member matches "
                    "(DynamoDB: IN is true when any member equals)", lambda difference: in_list_missing(difference))
_NOT_NOT = ("refuses NOT NOT as a syntax error (DynamoDB's grammar nests NOT)",
            lambda difference: refuses_not_not(difference))
_MIXES_ACROSS_TABLES = (
    "accepts AttributesToGet for one table of a BatchGetItem and a ProjectionExpression for another "
    "(DynamoDB refuses: nubo-db's captures)",
    lambda difference: mixes_across_tables(difference),
)
_READS_WRITES = (
    "reads an attribute after another action of the same update changed it (DynamoDB reads every "
    "operand from the item as it was: Alternator's tests)",
    lambda difference: reads_what_it_writes(difference),
)
_COUNTS_CHARACTERS = (
    "counts the characters of strings and names in an item's size, not their UTF-8 bytes (capacity units)",
    lambda difference: counts_characters(difference),
)
_LEGACY = [
    ("stops a ConditionalOperator OR over Expected or a filter at its first false condition",
     lambda difference: stops_or_early(difference)),
    ("takes a legacy Expected `Exists: true` beside a `Value` as an existence check (DynamoDB: the value must "
     "match, as for a Value alone: AWS's reference of ExpectedAttributeValue)",
     lambda difference: exists_with_value_passes(difference)),
    ("lets a legacy NOT_CONTAINS pass on a missing attribute (DynamoDB fails it: Alternator's tests)",
     lambda difference: not_contains_passes(difference)),
    ("does not check the types of Expected's values as it does a filter's (DynamoDB's documentation gives both "
     "the same constraints; not captured)", lambda difference: expected_types_unchecked(difference)),
    ("creates the item for an UpdateItem that only removes or deletes (DynamoDB does not: its documentation of "
     "AttributeUpdates, Alternator's tests)",
     lambda difference: deletes_only(difference)),
]


def _lengths_of_reals(difference: dict[str, Any]) -> bool:
    """Every difference is a real turned into text by the two SQLites (15 significant digits
    against up to 17), and some are its length(): one or two apart, 15 or more, in a step that
    asks for length()."""
    asks_length = "length(" in str(difference["scenario"].steps[difference["step"]].request)

    def explained(path: str) -> bool:
        theirs, ours = _at(difference["reference"], path), _at(difference["lumadb"], path)
        a, b = _integer(theirs), _integer(ours)
        if a is not None and b is not None:
            return asks_length and 0 < abs(a - b) <= 2 and min(a, b) >= 15
        return _same_real(theirs, ours)

    return bool(difference["paths"]) and all(explained(path) for path in difference["paths"])


def _integer(value: Any) -> int | None:
    """A JSON integer, or Hrana's (its digits as a string)."""
    if type(value) is int:
        return value
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


_LENGTHS_OF_REALS = ("(its SQLite) turns reals into text with other digits than LumaDB's newer SQLite, whose "
                     "length() then differs (docs/compatibility.md)", _lengths_of_reals)
_HOLDS_REALS = re.compile(r"\b(?:REAL|NUMERIC|FLOAT|DOUBLE)\b|[0-9]\.[0-9]|[0-9][eE][+-]?[0-9]", re.IGNORECASE)
_ROW_CELL = re.compile(r"(.*\.)rows\[\d+\]\[(\d+)\]")


def _computed_from_quoted_reals(difference: dict[str, Any]) -> bool:
    """Every difference is a result cell whose expression quotes, in a step that holds reals:
    sqld's SQLite quotes a real with up to 20 digits (`-9.00719925474099199994e+15`), LumaDB's
    with the shortest exact form (`-9007199254740992.0`), and what is computed from that text
    (`quote(c1) % hex(c0)`: -9.0 against -1740628075242.0) differs with it."""
    if not _HOLDS_REALS.search(str(difference["scenario"].steps[difference["step"]].request)):
        return False

    def explained(path: str) -> bool:
        cell = _ROW_CELL.match(path.split(" ")[0])
        name = _at(difference["lumadb"], f"{cell.group(1)}cols[{cell.group(2)}].name") if cell else None
        return isinstance(name, str) and "quote(" in name.lower()

    return bool(difference["paths"]) and all(explained(path) for path in difference["paths"])


_QUOTED_REALS = ("(its SQLite) quotes reals with other digits than LumaDB's newer SQLite, and what is computed "
                 "from the quoted text differs (docs/compatibility.md)", _computed_from_quoted_reals)

_ZERO_BYTE_BLOB = re.compile(r"x'(?:[0-9a-f]{2})*?00", re.IGNORECASE)
_CELL = re.compile(r"(.*\.rows\[\d+\]\[(\d+)\])\.(?:type|value)$")


def _numbers_of_text_ending_in_zero_byte(difference: dict[str, Any]) -> bool:
    """Every difference is a cell that sqld answers as an integer and LumaDB as the same number
    as a real, computed by an expression that glues a blob holding a zero byte to a value
    (`(c0 || x'00') - c0`): text that ends in a NUL reads as an integer in sqld's SQLite, as a
    real in LumaDB's newer one (`('5' || x'00') + 0`: 5 against 5.0)."""
    def explained(path: str) -> bool:
        cell = _CELL.match(path.split(" ")[0])
        if cell is None:
            return False
        theirs, ours = _at(difference["reference"], cell.group(1)), _at(difference["lumadb"], cell.group(1))
        name = _at(difference["lumadb"], cell.group(1).rsplit(".rows[", 1)[0] + f".cols[{cell.group(2)}].name")
        return (isinstance(name, str) and _ZERO_BYTE_BLOB.search(name) is not None
                and isinstance(theirs, dict) and isinstance(ours, dict)
                and theirs.get("type") == "integer" and ours.get("type") == "float"
                and isinstance(ours.get("value"), float) and str(theirs.get("value")).lstrip("-").isdigit()
                and float(int(theirs["value"])) == ours["value"])

    return bool(difference["paths"]) and all(explained(path) for path in difference["paths"])


_ZERO_BYTE_TEXT = ("(its SQLite) reads text that ends in a zero byte as an integer where LumaDB's newer SQLite reads "
                   "a real (docs/compatibility.md)", _numbers_of_text_ending_in_zero_byte)

_ANALYZES = re.compile(r"^\s*(?:PRAGMA\s+(?:main\.)?optimize\b|ANALYZE\b)", re.IGNORECASE)
_META_OF = re.compile(r"body\[(\d+)\]\.meta\.\w+$")


def _analyzes_internal_table(difference: dict[str, Any]) -> bool:
    """Every difference is the meta of a statement at or after a `PRAGMA optimize` or ANALYZE:
    Miniflare's database holds D1's internal `_cf_METADATA` table, which they analyze (a row of
    sqlite_stat1 written: `changed_db` true, `last_row_id` 2); LumaDB's has no such table."""
    scenario = difference.get("scenario")
    if scenario is None:
        return False
    body = scenario.steps[difference["step"]].request.get("json")
    statements = [entry.get("sql", "") for entry in body] if isinstance(body, list) else \
        [body.get("sql", "")] if isinstance(body, dict) else []
    first = next((i for i, sql in enumerate(statements) if _ANALYZES.match(str(sql))), None)
    if first is None:
        return False
    metas = [_META_OF.match(path.split(" ")[0]) for path in difference["paths"]]
    return bool(metas) and all(meta is not None and int(meta.group(1)) >= first for meta in metas)


CONTEXT_KNOWN: dict[str, list[tuple[str, Any]]] = {
    "dynalite": [_COMPARES_MISSING, _IN_LIST_MISSING, _NOT_NOT, _MIXES_ACROSS_TABLES, _ORDERS_VALUES, _READS_WRITES, _COUNTS_CHARACTERS,
                 *_LEGACY, *fuzz_tables.DYNALITE_KNOWN],
    "moto": [_COMPARES_MISSING],
    "sqld": [("counts an `error` batch condition on a skipped step as true (LumaDB follows the Hrana spec: "
              "false; docs/compatibility.md)", lambda difference: error_on_skipped_step(difference)),
             _LENGTHS_OF_REALS, _QUOTED_REALS, _ZERO_BYTE_TEXT],
    "miniflare": [("analyzes D1's internal _cf_METADATA table in PRAGMA optimize or ANALYZE, which LumaDB has not "
                   "(docs/compatibility.md)", _analyzes_internal_table)],
}


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
    """Every difference is a real number turned into text with 15 significant digits by one
    SQLite and the shortest exact form (up to 17) by the other: the texts themselves, their
    hex() or bytes, or the number read back from such a text."""
    return bool(paths) and all(_same_real(_blob_text(_at(ref, p), p), _blob_text(_at(ours, p), p)) for p in paths)


def _blob_text(value: Any, path: str) -> Any:
    """A blob's bytes as text (Hrana's base64, unpadded): a real cast to a blob is its text."""
    if not isinstance(value, str) or not path.split(" ")[0].endswith(".base64"):
        return value
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4)).decode("latin-1")
    except (binascii.Error, ValueError):
        return value


_HEX = re.compile(r"(?:[0-9A-F]{2})+")


def _same_real(a: Any, b: Any) -> bool:
    if type(a) in (int, float) and type(b) in (int, float):  # read back as numbers: two doubles
        return float(a) != float(b) and _close(float(a), float(b))
    if isinstance(a, str) and isinstance(b, str) and _HEX.fullmatch(a) and _HEX.fullmatch(b):
        a, b = bytes.fromhex(a).decode("latin-1"), bytes.fromhex(b).decode("latin-1")
    if not isinstance(a, str) or not isinstance(b, str) or a == b:
        return False
    if _REAL_TEXT.fullmatch(a) and _REAL_TEXT.fullmatch(b) and _close(float(a), float(b)):
        return True  # (1e+15 as "1.0e+15" or "1000000000000000.0")
    return _same_but_digits(a, b)  # (a real, then digits: "2.1e+37" "46" reads as one number)


def _close(x: float, y: float) -> bool:
    return math.isfinite(x) and math.isfinite(y) and math.isclose(x, y, rel_tol=1e-14)


def _same_but_digits(a: str, b: str) -> bool:
    """Texts (a concatenation, say) that differ only in how reals are written, each pair the
    same real to 1e-14. A concatenation glues what follows to a real ("e+15" then "1.5" reads
    "e+151.5", "12.0" then "9.2" reads "12.09.2"), so at each difference every reading of a real
    on each side is tried: from any digit of the number run the difference is in, to any end."""
    return _reals_from(a, b, 0, 0, 0)


_NUMBER_RUN = re.compile(r"[0-9.eE+-]*")


def _reals_from(a: str, b: str, i: int, j: int, depth: int) -> bool:
    common = len(os.path.commonprefix([a[i:], b[j:]]))
    i, j = i + common, j + common
    if i == len(a) and j == len(b):
        return True
    if depth > 8 or i == len(a) or j == len(b):
        return False
    first = i  # where the run of digits and points that holds the difference starts
    while first > 0 and (a[first - 1].isdigit() or a[first - 1] == "."):
        first -= 1
    for start_a in range(first, i + 1):
        if not a[start_a].isdigit():
            continue
        start_b = j - (i - start_a)  # (the text before the difference is the same in both)
        ends_b = [(end, float(b[start_b:end])) for end in _real_ends(b, start_b, j)]
        for end_a in _real_ends(a, start_a, i):
            x = float(a[start_a:end_a])
            for end_b, y in ends_b:
                if _close(x, y) and _reals_from(a, b, end_a, end_b, depth + 1):
                    return True
    return False


def _real_ends(text: str, start: int, past: int) -> list[int]:
    """The ends of the reals written in `text` from `start` that reach past index `past`."""
    run_end = _NUMBER_RUN.match(text, start).end()  # type: ignore[union-attr]
    return [end for end in range(past + 1, run_end + 1) if _REAL_TEXT.fullmatch(text, start, end)]


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
    ("words SQL_PARSE_ERROR with its own parser (LumaDB: SQLite's words; docs/compatibility.md)",
     lambda ref, ours, paths: _parse_messages_only(ref, ours, paths)),
]


def _without_internal_tables(ref: dict[str, Any], ours: dict[str, Any], paths: list[str]) -> bool:
    """The reference's rows differ from ours only by rows naming D1's internal `_cf_` tables."""
    def rows_of(record: dict[str, Any]) -> list[Any]:
        body = record.get("body")
        return [entry.get("results", {}).get("rows") for entry in body if isinstance(entry, dict)] \
            if isinstance(body, list) else []

    def visible(rows: Any) -> Any:
        return [row for row in rows if not any(str(value).startswith("_cf_") for value in row)] \
            if isinstance(rows, list) else rows

    return (bool(paths) and all(".results.rows" in path for path in paths)
            and [visible(rows) for rows in rows_of(ref)] == rows_of(ours))


KNOWN["miniflare"] = [
    ("resets the whole Durable Object when a request leaves deferred foreign-key violations (LumaDB fails that "
     "request alone; docs/compatibility.md)",
     lambda ref, ours, paths: ref.get("status") == 500 and "Durable Object was reset" in str(ref.get("body"))
     and "FOREIGN KEY constraint failed" in str(ours.get("body"))),
    ("lists D1's internal _cf_METADATA table, which LumaDB has not (docs/compatibility.md)", _without_internal_tables),
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


def _parse_messages_only(ref: dict[str, Any], ours: dict[str, Any], paths: list[str]) -> bool:
    """Every difference is the message of an error both answers give as SQL_PARSE_ERROR."""
    def parse_error(record: dict[str, Any], path: str) -> bool:
        error = _at(record, path.split(" ")[0].rsplit(".", 1)[0])
        return isinstance(error, dict) and error.get("code") == "SQL_PARSE_ERROR"

    return bool(paths) and all(p.split(" ")[0].endswith(".error.message") and parse_error(ref, p) and parse_error(ours, p)
                               for p in paths)  # fmt: skip


def known_deviation(reference_name: str, difference: dict[str, Any]) -> str | None:
    """What known deviation of the reference explains the difference, if one does."""
    for description, test in KNOWN.get(reference_name, []):
        if test(difference["reference"], difference["lumadb"], difference["paths"]):
            return description
    for description, context_test in CONTEXT_KNOWN.get(reference_name, []):
        if context_test(difference):
            return description
    return None
